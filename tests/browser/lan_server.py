"""`python -m tests.browser.lan_server serve ...`: the real server, treating its 127.0.0.1 address as one phones reach.

In these tests the "phones" run on the same machine, so the loopback join address
does work for them; marking it reachable keeps the projector's "phones cannot reach
this address" warning out of the lobby, as on a venue's LAN.

With LAN_SERVER_POLLING_ONLY=1 the server refuses WebSocket connections (HTTP 400),
as a proxy that lets no WebSocket through does.
"""
from __future__ import annotations

import os
import sys

import workshop
from workshop import cli
from workshop.web import netinfo

_join_base = netinfo.join_base


def join_base(host: str, port: int, public_url: str | None) -> netinfo.JoinBase:
    """The server's own choice of join address, marked reachable."""
    return netinfo.JoinBase(_join_base(host, port, public_url).url, True)


netinfo.join_base = join_base

if os.environ.get("LAN_SERVER_POLLING_ONLY") == "1":
    _create_app = workshop.create_app

    def create_app(config=None):
        """The app, with Engine.IO accepting long-polling only."""
        app = _create_app(config)
        app.extensions["socketio"].server.eio.transports = ["polling"]
        return app

    workshop.create_app = create_app

if __name__ == "__main__":
    sys.exit(cli.main())
