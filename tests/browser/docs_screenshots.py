"""Copy the README's screenshots from the last browser test run into docs/screenshots.

Run the browser tests first (`make test ARGS=tests/browser`), then
`.venv/bin/python -m tests.browser.docs_screenshots` (FROM_FIT come from tests/browser/test_projector_fit.py's
seeded extremes, in test-artifacts/projector-fit/). The images are reduced to
256 colours so the repository stays small. With `--fit` only the fit test's: FROM_FIT and the after images of
docs/projector-fit.md (FIT_AFTER, 64 colours, 1920×1080 halved).
"""
from __future__ import annotations

import sys

from PIL import Image

from .helpers import ROOT, SHOTS
from .test_projector_fit import SHEET

DOCS = ROOT / "docs" / "screenshots"
CHOSEN = {
    "nl-projector-lobby": "projector-lobby",
    "nl-projector-reveal": "projector-reveal",
    "nl-projector-results": "projector-results",
    "nl-projector-results-split-1920": "projector-results-split",
    "nl-projector-consensus": "projector-consensus",
    "nl-projector-disciplines": "projector-disciplines",
    "nl-phone-320-question": "phone-320-question",
    "nl-phone-390-result": "phone-390-result",
    "projector-join": "projector-join",    # tests/browser/test_projector_controls.py
    "projector-timer": "projector-timer",
    "nl-facilitator-controls": "facilitator",  # tests/browser/test_facilitator_controls.py
    "nl-facilitator-new-link": "facilitator-new-link",
    "nl-console-390x844-questions": "facilitator-phone",  # tests/browser/test_console_layout.py
    "nl-facilitator-moderation": "facilitator-moderation",
    "nl-projector-followup": "projector-followup",  # tests/browser/test_followup.py
    "nl-comparison": "comparison",  # tests/browser/test_followup.py
    "projector-idea-wall-36-1080": "projector-idea-wall",  # tests/browser/test_idea_wall.py
    "nl-projector-vote-result": "projector-vote-result",
    "nl-projector-steps-1920": "projector-steps",  # tests/browser/test_closing.py
    "nl-projector-ended-steps-1920": "projector-ended",
}
# The strip plot with a tall column: 40 of 200 people seeded on one total (55 with the random rest; issue 21),
# at both ends of the projector sizes.
FROM_FIT = {
    "results-1920x1080": "projector-strip-tall-column",
    "results-1024x768": "projector-strip-tall-column-1024",
}


# docs/projector-fit.md: the rehearsal's worst cases with the fitting rule (the before images are of the old code).
FIT_AFTER = ["results-1024x768", "disciplines-1024x768", "lobby-1024x768", "vote-revealed-1024x768",
             "challenges-revealed-1920x1080", "followup-1920x1080"]


def shrink(source, target: str, colors: int = 256, half: bool = False) -> None:
    """Copy one screenshot to docs/screenshots/target.png in `colors` colours (half its size if `half`)."""
    DOCS.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image = image.convert("RGB")
        if half:
            image = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
        small = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(DOCS / f"{target}.png", optimize=True)
    print(f"docs/screenshots/{target}.png")


def main(argv: list[str]) -> None:
    """Copy and shrink each chosen screenshot (with --fit only the fit test's)."""
    if "--fit" not in argv:
        for source, target in CHOSEN.items():
            shrink(SHOTS / f"{source}.png", target)
    for source, target in FROM_FIT.items():
        shrink(SHEET / f"{source}.png", target)
    for name in FIT_AFTER:
        shrink(SHEET / f"{name}.png", f"fit/{name}-after", colors=64, half=name.endswith("1920x1080"))


if __name__ == "__main__":
    main(sys.argv[1:])
