"""Origins compare as browsers mean them: a default port named or not is the same origin; the public URL is an http(s)
URL of a host (issue 24, point 1)."""
from __future__ import annotations

import pytest

from workshop.web.netinfo import public_url_or_none
from workshop.web.middleware import allowed_origin, origin_of, own_origin


@pytest.mark.parametrize("url,origin", [
    ("https://workshop.example.org", "https://workshop.example.org"),
    ("https://workshop.example.org:443", "https://workshop.example.org"),
    ("https://Workshop.Example.ORG:443/", "https://workshop.example.org"),
    ("HTTPS://workshop.example.org/s/ABC234/manage?t=x", "https://workshop.example.org"),
    ("http://192.168.1.20:80", "http://192.168.1.20"),
    ("http://192.168.1.20:5000", "http://192.168.1.20:5000"),
    ("https://workshop.example.org:8443", "https://workshop.example.org:8443"),
    ("http://workshop.example.org:443", "http://workshop.example.org:443"),   # 443 is https's default, not http's
    ("https://workshop.example.org:80", "https://workshop.example.org:80"),
    ("wss://workshop.example.org:443", "wss://workshop.example.org"),
    ("http://[::1]:80", "http://[::1]"),
    ("http://[::1]:5000", "http://[::1]:5000"),
])
def test_the_origin_of_a_url_leaves_out_the_default_port(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", [None, "", "null", "file:///etc/passwd", "https://", "https://name:port",
                                 "https://name:99999", "javascript:alert(1)", "workshop.example.org", "http://[::1"])
def test_what_names_no_origin_has_none(url):
    assert origin_of(url) is None


@pytest.mark.parametrize("environ,origin", [
    ({"wsgi.url_scheme": "https", "HTTP_HOST": "workshop.example.org:443"}, "https://workshop.example.org"),
    ({"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8001"}, "http://127.0.0.1:8001"),
    ({"wsgi.url_scheme": "http", "SERVER_NAME": "localhost"}, "http://localhost"),
    ({"wsgi.url_scheme": "http"}, None),
])
def test_a_requests_own_origin(environ, origin):
    assert own_origin(environ) == origin


BEHIND_TLS = {"wsgi.url_scheme": "https", "HTTP_HOST": "workshop.example.org:443"}  # what ProxyFix makes of nginx's headers


@pytest.mark.parametrize("public_url,environ,origin,ok", [
    # behind nginx on 443: the app sees name:443, the browser sends no port (issue 24: Socket.IO answered 400)
    (None, BEHIND_TLS, "https://workshop.example.org", True),
    ("http://127.0.0.1:8001", BEHIND_TLS, "https://workshop.example.org", True),
    (None, BEHIND_TLS, "https://workshop.example.org:443", True),
    (None, BEHIND_TLS, "http://workshop.example.org", False),           # another scheme is another origin
    (None, BEHIND_TLS, "https://workshop.example.org:8443", False),
    (None, BEHIND_TLS, "https://evil.example", False),
    (None, BEHIND_TLS, "https://workshop.example.org.evil.example", False),
    (None, BEHIND_TLS, "null", False),
    # the public URL's origin, a default port written out or not
    ("https://workshop.example.org:443/", {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8001"},
     "https://workshop.example.org", True),
    ("https://workshop.example.org", {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8001"},
     "https://workshop.example.org:443", True),
    ("https://workshop.example.org", {"wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1:8001"},
     "https://workshop.example.org:444", False),
    # a laptop on the LAN, no proxy
    (None, {"wsgi.url_scheme": "http", "HTTP_HOST": "192.168.1.20:5000"}, "http://192.168.1.20:5000", True),
    (None, {"wsgi.url_scheme": "http", "HTTP_HOST": "192.168.1.20:5000"}, "http://192.168.1.20", False),
    (None, {"wsgi.url_scheme": "http", "HTTP_HOST": "192.168.1.20:80"}, "http://192.168.1.20", True),
    (None, {"wsgi.url_scheme": "http", "HTTP_HOST": "192.168.1.20:5000"}, None, True),  # not a browser
])
def test_the_socketio_origin_check_normalises_default_ports(public_url, environ, origin, ok):
    assert allowed_origin(public_url)(origin, environ) is ok


@pytest.mark.parametrize("value,base", [
    ("https://workshop.example.org", "https://workshop.example.org"),
    ("https://workshop.example.org/", "https://workshop.example.org"),
    (" http://192.168.1.20:5000/ ", "http://192.168.1.20:5000"),
    ("https://example.org/workshop/", "https://example.org/workshop"),     # behind a proxy's sub-folder
    ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
    ("workshop.example.org", None),                                       # no scheme
    ("ftp://workshop.example.org", None),
    ("https://", None),
    ("https://name:port", None),
    ("https://workshop.example.org/?x=1", None),                          # a query cannot be a base of links
    ("https://workshop.example.org/#top", None),
    ("https://user:secret@workshop.example.org", None),
    ("https://workshop.example.org?", None),
])
def test_the_public_url_must_be_an_http_url_of_a_host(value, base):
    assert public_url_or_none(value) == base
