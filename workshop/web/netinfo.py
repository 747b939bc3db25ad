"""The address phones use to reach this machine.

Import-light on purpose (the standard library only): `workshop serve` reads it before eventlet's monkey_patch,
which must come before Flask or python-socketio is imported.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class JoinBase:
    """The base URL for join links and whether phones can reach it."""

    url: str
    reachable: bool


def lan_addresses() -> list[str]:
    """Return this machine's non-loopback IPv4 addresses, private ones first (no traffic is sent)."""
    found: list[str] = []
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        found += [info[4][0] for info in infos]
    except OSError:
        pass
    try:
        import fcntl
        import struct

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _, name in socket.if_nameindex():
                try:
                    packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))
                    found.append(socket.inet_ntoa(packed[20:24]))
                except OSError:
                    continue
    except (ImportError, OSError, AttributeError):
        pass
    unique = []
    for addr in found:
        ip = ipaddress.ip_address(addr)
        if not ip.is_loopback and not ip.is_link_local and addr not in unique:
            unique.append(addr)
    return sorted(unique, key=lambda a: not ipaddress.ip_address(a).is_private)


def join_base(host: str, port: int, public_url: str | None) -> JoinBase:
    """Choose the base URL for join links: --public-url, else the bound or LAN address."""
    if public_url:
        return JoinBase(public_url.rstrip("/"), True)
    if host not in ("", "0.0.0.0", "::"):
        loopback = host in ("localhost",) or ipaddress.ip_address(host).is_loopback
        return JoinBase(f"http://{host}:{port}", not loopback)
    addresses = lan_addresses()
    if addresses:
        return JoinBase(f"http://{addresses[0]}:{port}", True)
    return JoinBase(f"http://127.0.0.1:{port}", False)


def public_url_or_none(url: str) -> str | None:
    """The public URL without its trailing slash, or None when it is not an http(s) URL of a host.

    A query, a fragment or user info cannot be the base of links; a path can (a proxy's sub-folder).
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or "@" in parts.netloc or url.strip().endswith("?") or url.strip().endswith("#"):
        return None
    return url.strip().rstrip("/")
