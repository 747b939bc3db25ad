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
from contextlib import contextmanager
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
    site = site.replace("/var/log/nginx/", f"{tmp_path}/log/")
    (tmp_path / "log" / "workshop").mkdir(parents=True, exist_ok=True)
    site = site.replace("/var/www/html", str(tmp_path))
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", site)
    site = re.sub(r"(\s+server 127\.0\.0\.1:8001 max_fails=0;)\n\s+server 127\.0\.0\.1:8002 max_fails=0;",
                  f"\n        server 127.0.0.1:{upstream} max_fails=0;", site)
    assert f"127.0.0.1:{upstream}" in site and "8002" not in site
    return site


def self_signed(tmp_path, name: str = "127.0.0.1") -> None:
    """A certificate for name (an IP address or a DNS name) made with openssl: tmp_path/fullchain.pem, privkey.pem."""
    alt = f"IP:{name}" if name[0].isdigit() else f"DNS:{name}"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName={alt}",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)


def trust_only(monkeypatch, tmp_path) -> None:
    """Make requests, python-socketio and websocket-client trust only the test's certificate."""
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "WEBSOCKET_CLIENT_CA_BUNDLE"):
        monkeypatch.setenv(name, str(tmp_path / "fullchain.pem"))


@contextmanager
def tls_site(tmp_path, http_port: int, https_port: int, upstream_ports: list[int]):
    """nginx in the foreground with deploy/nginx/workshop.conf (site_for_test) in front of the upstream ports."""
    site = site_for_test(tmp_path, http_port, https_port, upstream_ports[0])
    if len(upstream_ports) > 1:
        site = site.replace(f"server 127.0.0.1:{upstream_ports[0]} max_fails=0;",
                            "\n".join(f"server 127.0.0.1:{p} max_fails=0;" for p in upstream_ports))
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
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.skipif(find("nginx") is None or shutil.which("openssl") is None, reason="needs nginx and openssl")
def test_the_tls_site_serves_pages_and_websockets_over_https(tmp_path, monkeypatch):
    self_signed(tmp_path)
    trust_only(monkeypatch, tmp_path)
    http_port, https_port = free_port(), free_port()
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_TRUSTED_PROXIES": "1"}) as server:
        with tls_site(tmp_path, http_port, https_port, [server.port]):
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


def read_log(path, until: str, timeout: float = 10.0) -> str:
    """The log file's text once it holds `until` (nginx writes a request's line as it finishes it)."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if until in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


@pytest.mark.skipif(find("nginx") is None or shutil.which("openssl") is None, reason="needs nginx and openssl")
def test_the_access_log_keeps_no_tokens_or_keys(tmp_path, monkeypatch):
    """Facilitator tokens (?t=), projector keys (?k=), report keys (/r/CODE/KEY) and Referers that carry them
    reach the app but not nginx's access log (log_format workshop_private in deploy/nginx/workshop-maps.conf)."""
    self_signed(tmp_path)
    trust_only(monkeypatch, tmp_path)
    http_port, https_port = free_port(), free_port()
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_TRUSTED_PROXIES": "1"}) as server:
        with tls_site(tmp_path, http_port, https_port, [server.port]):
            base = f"https://127.0.0.1:{https_port}"
            session = requests.post(base + "/api/sessions", json={"title": "Log"}, timeout=5).json()
            code = session["code"]
            token = session["facilitator_token"]
            projector_key = session["projector_url"].split("k=", 1)[1]
            report_key = "Rk" + "7" * 30
            manage = "/" + session["facilitator_url"].split("/", 3)[3]
            assert f"t={token}" in manage
            assert requests.get(base + manage, timeout=5, allow_redirects=False).status_code in (200, 302, 303)
            requests.get(f"{base}/s/{code}/screen?k={projector_key}", timeout=5)
            requests.get(f"{base}/r/{code}/{report_key}", timeout=5)
            requests.get(f"{base}/j/{code}", timeout=5, headers={"Referer": f"https://elsewhere.example{manage}"})
            requests.get(f"{base}/healthz?end=1", timeout=5)
            log = read_log(tmp_path / "log" / "workshop" / "access.log", '"GET /healthz HTTP')
    lines = log.splitlines()
    assert len(lines) >= 6
    for secret in (token, projector_key, report_key):
        assert secret not in log
    assert "?" not in log  # no query string at all
    assert any(f'"GET /s/{code}/manage HTTP/1.1" 30' in line or f'"GET /s/{code}/manage HTTP/1.1" 200' in line
               for line in lines)
    assert any(f'"GET /s/{code}/screen HTTP/1.1"' in line for line in lines)
    assert any(f'"GET /r/{code}/- HTTP/1.1"' in line for line in lines)
    assert any(f'"GET /j/{code} HTTP/1.1" 200' in line and '"https://elsewhere.example"' in line for line in lines)


# Debian 12's /etc/logrotate.d/nginx (package nginx-common), for a machine without it.
DEBIAN_NGINX_LOGROTATE = """\
/var/log/nginx/*.log {
\tdaily
\tmissingok
\trotate 14
\tcompress
\tdelaycompress
\tnotifempty
\tcreate 0640 www-data adm
\tsharedscripts
\tprerotate
\t\tif [ -d /etc/logrotate.d/httpd-prerotate ]; then \\
\t\t\trun-parts /etc/logrotate.d/httpd-prerotate; \\
\t\tfi \\
\tendscript
\tpostrotate
\t\tinvoke-rc.d nginx rotate >/dev/null 2>&1
\tendscript
}
"""
# The stanza before issue 24: its glob matched the files of Debian's, and logrotate failed.
OLD_WORKSHOP_LOGROTATE = "/var/log/nginx/workshop.*.log {\n    daily\n    rotate 14\n    missingok\n}\n"


def logrotate_debug(tmp_path, ours: str, logs: list[str]) -> subprocess.CompletedProcess:
    """`logrotate -d` on Debian's nginx stanza and ours, with /var/log/nginx moved into tmp_path and logs in it."""
    debian = Path("/etc/logrotate.d/nginx")
    theirs = debian.read_text(encoding="utf-8") if debian.is_file() else DEBIAN_NGINX_LOGROTATE
    folder = tmp_path / "var-log-nginx"
    for name in logs:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("a line\n", encoding="utf-8")
    conf = tmp_path / "logrotate.conf"
    conf.write_text((theirs + "\n" + ours).replace("/var/log/nginx", str(folder)), encoding="utf-8")
    conf.chmod(0o644)
    return subprocess.run([find("logrotate"), "-d", "-s", str(tmp_path / "state"), str(conf)],
                          capture_output=True, text=True, timeout=60)


NGINX_LOGS = ["access.log", "error.log", "workshop/access.log", "workshop/error.log"]


@pytest.mark.skipif(find("logrotate") is None, reason="needs logrotate (apt-get install logrotate)")
def test_logrotate_accepts_ours_beside_debians_nginx_stanza(tmp_path):
    done = logrotate_debug(tmp_path, (ROOT / "deploy" / "workshop.logrotate").read_text(encoding="utf-8"), NGINX_LOGS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "duplicate" not in (done.stdout + done.stderr).lower()
    # ours rotates the workshop folder's logs, Debian's the others
    assert "workshop/access.log" in done.stdout + done.stderr


@pytest.mark.skipif(find("logrotate") is None, reason="needs logrotate (apt-get install logrotate)")
def test_the_check_catches_the_old_clash(tmp_path):
    """The old stanza and its log names (/var/log/nginx/workshop.access.log) make logrotate fail: the test above can."""
    done = logrotate_debug(tmp_path, OLD_WORKSHOP_LOGROTATE, ["access.log", "workshop.access.log"])
    assert done.returncode != 0 and "duplicate" in (done.stdout + done.stderr).lower()
