"""UI strings the page scripts need, in the page's language."""
from flask_babel import gettext


def strings() -> dict[str, str]:
    """Return the translated strings for the JS modules."""
    return {"connecting": gettext("Connecting…")}
