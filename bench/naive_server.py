"""The naive baseline, kept only here: every answer's aggregate is emitted at once to every phone and screen.

    python -m bench.naive_server serve --host 127.0.0.1 --port 0 --async-mode eventlet

It builds the real app with `workshop serve`, then replaces the Broadcaster's
coalescing `touch` by an immediate flush that also sends the aggregate to the
session's phones room: what apps that "count votes in the handler and
broadcast to everyone" do. Used by bench/load.py --naive as the baseline.
"""
from __future__ import annotations

import sys

from workshop import cli, server  # neither imports Flask: `serve` can still monkey-patch first

_serve_run = server.run


def make_naive(broadcaster) -> None:
    """Make every touch an immediate emit to the screens and to every phone."""
    from workshop.core.tally import mask_for_screen
    from workshop.web.broadcaster import FULL, ROSTER, SCREEN, phones
    from workshop.web import protocol as p

    def touch(room, roster: bool = False, parts: tuple[str, ...] = (SCREEN, FULL)) -> None:
        """Emit now, no coalescing, to everyone."""
        now = {*parts, *((ROSTER,) if roster else ())}
        broadcaster._stale.update((room.code, part) for part in now)
        broadcaster._send(room, now)
        if now & {SCREEN, FULL}:
            live = mask_for_screen(room.tally.live(room.state, min_group_size=broadcaster.min_group_size), room.state)
            broadcaster.socketio.emit(p.LIVE, live, to=phones(room.code), namespace=p.PARTICIPANT)

    broadcaster.touch = touch


def naive_run(app, sock, mode) -> None:
    """Patch the built app's broadcaster, then serve as `workshop serve` does."""
    make_naive(app.extensions["workshop"].broadcaster)
    _serve_run(app, sock, mode)


if __name__ == "__main__":
    server.run = naive_run
    sys.exit(cli.main(sys.argv[1:]))
