"""deploy/: the systemd unit passes systemd's checks; the TLS site of deploy/nginx/workshop.conf serves https.

The nginx site is used as written, with only what differs on a test machine replaced: the ports (free
ones on 127.0.0.1 instead of 80/443 and 8001-8002), the certificate (self-signed, made here with
openssl), the log files and the path of the included maps and locations.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.cluster import DEPLOY, find, free_port, wait_for_port
from tests.support.server import ROOT, ServerProcess

pytestmark = pytest.mark.integration
UNIT = ROOT / "deploy" / "workshop.service"


SYSTEM_UNITS = next((p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()), None)
# A unit of another package that ours names (redis-server.service) and this machine lacks: systemd cannot check
# ours without it, so a stand-in of that name is put beside ours (systemd-analyze also reads the units there).
STAND_IN = "[Unit]\nDescription=stand-in for a unit this machine lacks\n[Service]\nExecStart=/bin/true\n"


def verify(unit: Path, env: dict[str, str] | None) -> list[str]:
    """What `systemd-analyze verify` says about a unit, less that the installed program is missing here."""
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60,
                          env=None if env is None else {**os.environ, **env})
    return [line for line in (done.stdout + done.stderr).splitlines()
            if line.strip() and "is not executable" not in line]  # /opt/workshop is not installed here


def without_redis(tmp_path: Path) -> dict[str, str]:
    """A unit search path like this machine's but without Redis's units (a fresh machine without redis-server)."""
    units = tmp_path / "system"
    units.mkdir()
    for path in SYSTEM_UNITS.iterdir():
        if not path.name.startswith("redis"):
            (units / path.name).symlink_to(path)
    return {"SYSTEMD_UNIT_PATH": str(units)}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None or SYSTEM_UNITS is None,
                    reason="needs systemd-analyze: install systemd")
@pytest.mark.parametrize("machine", ["this machine", "a machine without redis-server"])
def test_the_systemd_unit_passes_systemd_analyze(tmp_path, machine):
    folder = tmp_path / "unit"
    folder.mkdir()
    unit = folder / "workshop.service"
    text = UNIT.read_text(encoding="utf-8")
    unit.write_text(text, encoding="utf-8")
    env = without_redis(tmp_path) if machine != "this machine" else None
    problems = verify(unit, env)
    named = set(re.findall(r"[\w@.-]+\.service", " ".join(re.findall(r"^(?:Requires|Wants|After)=(.*)$", text, re.M))))
    missing = {name for line in problems for name in re.findall(r"Unit (\S+) not found", line)} & named
    for name in missing:
        (folder / name).write_text(STAND_IN, encoding="utf-8")
    if missing:
        problems = verify(unit, env)
    assert not problems, problems


def test_the_systemd_unit_has_the_hardening_the_docs_promise():
    text = UNIT.read_text(encoding="utf-8")
    for line in ("User=workshop", "LimitNOFILE=65536", "ProtectSystem=strict", "ReadWritePaths=/var/lib/workshop",
                 "NoNewPrivileges=true", "--workers 2", "--host 127.0.0.1"):
        assert re.search(rf"^{re.escape(line)}|\s{re.escape(line)}(\s|$)", text, re.M), line


def site_for_test(tmp_path, http_port: int, https_port: int, upstream: int) -> str:
    """deploy/nginx/workshop.conf with this machine's ports, certificate, logs and include paths."""
    site = (DEPLOY / "workshop.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/workshop/nginx/", f"{DEPLOY}/")
    site = site.replace("/etc/letsencrypt/live/workshop.example.org/", f"{tmp_path}/")
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    site = site.replace("/var/www/html", str(tmp_path))
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", site)
    site = re.sub(r"(\s+server 127\.0\.0\.1:8001 max_fails=0;)\n\s+server 127\.0\.0\.1:8002 max_fails=0;",
                  f"\n        server 127.0.0.1:{upstream} max_fails=0;", site)
    assert f"127.0.0.1:{upstream}" in site and "8002" not in site
    return site


@pytest.mark.skipif(find("nginx") is None or shutil.which("openssl") is None, reason="needs nginx and openssl (apt-get install nginx openssl)")
def test_the_tls_site_serves_pages_and_websockets_over_https(tmp_path, monkeypatch):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "WEBSOCKET_CLIENT_CA_BUNDLE"):  # trust only this certificate
        monkeypatch.setenv(name, str(tmp_path / "fullchain.pem"))
    http_port, https_port = free_port(), free_port()
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_TRUSTED_PROXIES": "1"}) as server:
        site = site_for_test(tmp_path, http_port, https_port, server.port)
        conf = tmp_path / "nginx.conf"
        conf.write_text(f"daemon off;\npid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
                        f"client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
                        f"fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;\n"
                        f"{site}\n}}\n", encoding="utf-8")
        nginx = [find("nginx"), "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")]
        check = subprocess.run(nginx + ["-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen(nginx, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(https_port, proc, "nginx")
            base = f"https://127.0.0.1:{https_port}"
            plain = requests.get(f"http://127.0.0.1:{http_port}/healthz", allow_redirects=False, timeout=5)
            assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
            assert requests.get(base + "/healthz", timeout=5).json() == {"ok": True}
            assert requests.get(base + "/metrics", timeout=5).status_code == 404
            session = requests.post(base + "/api/sessions", json={"title": "TLS"}, timeout=5).json()
            path = "/" + session["facilitator_url"].split("/", 3)[3]
            signed_in = requests.get(base + path, timeout=5, allow_redirects=False)
            # X-Forwarded-Proto believed (TRUSTED_PROXIES=1): the app knows it is served over https
            assert "Secure" in signed_in.headers["Set-Cookie"]
            client = socketio.Client()
            client.connect(f"{base}/?code={session['code']}", namespaces=["/participant"],
                           transports=["polling", "websocket"], auth={"code": session["code"]}, wait_timeout=10)
            try:
                deadline = time.monotonic() + 10
                while client.transport() != "websocket" and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert client.transport() == "websocket"  # upgraded through nginx's TLS
                assert client.call("join", {"nickname": "TLS"}, namespace="/participant", timeout=10)["ok"]
            finally:
                client.disconnect()
        finally:
            proc.terminate()
            proc.wait(10)
