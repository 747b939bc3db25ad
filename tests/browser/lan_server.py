"""`python -m tests.browser.lan_server serve ...`: the real server, treating its 127.0.0.1 address as one phones reach.

In these tests the "phones" run on the same machine, so the loopback join address
does work for them; marking it reachable keeps the projector's "phones cannot reach
this address" warning out of the lobby, as on a venue's LAN.
"""
from __future__ import annotations

import sys

from workshop import cli, netinfo

_join_base = netinfo.join_base


def join_base(host: str, port: int, public_url: str | None) -> netinfo.JoinBase:
    """The server's own choice of join address, marked reachable."""
    return netinfo.JoinBase(_join_base(host, port, public_url).url, True)


netinfo.join_base = join_base

if __name__ == "__main__":
    sys.exit(cli.main())
