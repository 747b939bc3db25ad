"""docs/deployment.md by the book (issue 24, point 1): the wheel in a fresh venv, `workshop deploy-files`, the env file
and the unit's ExecStart as written, Redis, and nginx's TLS site in front; a phone plays through it.

Only what differs on a test machine is replaced: paths (/opt/workshop/.venv, /var/lib/workshop, /etc/workshop,
the certificate, the logs), ports (8001-8002, 6379, 80 and 443 become free ones) and nginx's IPv6 listens. The
server's name stays workshop.example.org: this process resolves it to 127.0.0.1 and its port 443 to nginx's
port, so clients open the links exactly as the app hands them out, and send `Origin: https://workshop.example.org`
without a port, as browsers do. Before issue 24 the links named http://127.0.0.1:800x and Socket.IO refused
that Origin with 400.
"""
from __future__ import annotations

import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import socketio
import zxingcpp

from tests.integration.test_deploy_files import self_signed, trust_only
from tests.support.cluster import Redis, find, free_port, free_ports, wait_for_port, wait_healthy
from tests.support.wheel import clean_env, run
from tests.web.test_pages import svg_to_image

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (find("nginx") and find("redis-server") and shutil.which("openssl")),
                       reason="needs nginx, redis-server and openssl"),
]
NAME = "workshop.example.org"
PUBLIC = f"https://{NAME}"
LOOPBACK = re.compile(r"(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0)")
URL = re.compile(r"https?://[^\s\"'<>)\\]+")


def environment_file(text: str) -> dict[str, str]:
    """The variables of a systemd EnvironmentFile (NAME=value lines; # comments and blank lines skipped)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


class Machine:
    """The server of docs/deployment.md in a temporary folder: its paths, ports and the files put in place."""

    def __init__(self, root: Path, venv: Path):
        """Choose the folders and free ports."""
        self.root = root
        self.venv = venv
        self.etc = root / "etc-workshop"
        self.data = root / "var-lib-workshop"
        self.logs = root / "var-log-nginx"
        self.worker_port = free_ports(2)
        self.http_port, self.https_port = free_port(), free_port()
        self.redis = Redis(root / "redis")

    def replace(self, text: str) -> str:
        """A deploy file with this machine's paths and ports in place of the server's."""
        for server, here in (("/opt/workshop/.venv", str(self.venv)), ("/var/lib/workshop", str(self.data)),
                             ("/etc/workshop/", f"{self.etc}/"), ("/var/log/nginx/", f"{self.logs}/"),
                             (f"/etc/letsencrypt/live/{NAME}/", f"{self.root}/"), ("/var/www/html", str(self.root)),
                             ("127.0.0.1:6379", f"127.0.0.1:{self.redis.port}"),
                             ("127.0.0.1:8001", f"127.0.0.1:{self.worker_port}"),
                             ("127.0.0.1:8002", f"127.0.0.1:{self.worker_port + 1}"),
                             ("--port 8001", f"--port {self.worker_port}"),
                             ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
                             ("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl")):
            text = text.replace(server, here)
        return re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)

    def resolve(self, monkeypatch) -> None:
        """Make this process reach workshop.example.org:443 at nginx's port on 127.0.0.1 (what DNS and 443 do)."""
        real = socket.getaddrinfo
        https_port = self.https_port

        def getaddrinfo(host, port, *args, **kwargs):
            if host == NAME:
                return real("127.0.0.1", https_port if int(port or 443) == 443 else port, *args, **kwargs)
            return real(host, port, *args, **kwargs)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="module")
def machine(tmp_path_factory, venv):
    """Steps 1-4 of docs/deployment.md: files in place, Redis, `workshop serve --workers 2` as the unit runs it, nginx."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from deployed(tmp_path_factory.mktemp("machine"), venv, monkeypatch)


def deployed(tmp_path: Path, venv: Path, monkeypatch):
    """Put the files in place, start Redis, the service and nginx; yield the Machine; stop them."""
    box = Machine(tmp_path, venv)
    files = tmp_path / "deploy-files"
    run([venv / "bin" / "workshop", "deploy-files", files], cwd=tmp_path)  # the files come from the wheel
    # step 2: install -m 0640 deploy/workshop.env /etc/workshop/, the nginx includes to /etc/workshop/nginx/
    (box.etc / "nginx").mkdir(parents=True)
    env_file = box.etc / "workshop.env"
    env_file.write_text(box.replace((files / "workshop.env").read_text(encoding="utf-8")), encoding="utf-8")
    for name in ("workshop-maps.conf", "workshop-locations.conf"):
        shutil.copy(files / "nginx" / name, box.etc / "nginx" / name)
    (box.logs / "workshop").mkdir(parents=True)
    self_signed(tmp_path, NAME)
    trust_only(monkeypatch, tmp_path)
    box.resolve(monkeypatch)
    unit = (files / "workshop.service").read_text(encoding="utf-8")
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit, re.M)
    command = shlex.split(box.replace(exec_start))
    assert command[0] == str(venv / "bin" / "workshop")
    env = {**clean_env(), **environment_file(env_file.read_text(encoding="utf-8"))}
    assert env["WORKSHOP_PUBLIC_URL"] == PUBLIC and "--public-url" not in command
    box.redis.start()
    box.log = tmp_path / "journal.log"
    journal = open(box.log, "wb")
    service = subprocess.Popen(command, cwd="/", env=env, stdout=journal, stderr=subprocess.STDOUT)
    nginx = None
    try:
        for port in (box.worker_port, box.worker_port + 1):
            wait_healthy(f"http://127.0.0.1:{port}", timeout=60)
        site = box.replace((files / "nginx" / "workshop.conf").read_text(encoding="utf-8"))
        conf = tmp_path / "nginx.conf"
        conf.write_text(f"daemon off;\npid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
                        f"client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
                        f"fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; "
                        f"scgi_temp_path {tmp_path}/scgi;\n{site}\n}}\n", encoding="utf-8")
        nginx = subprocess.Popen([find("nginx"), "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(box.https_port, nginx, "nginx")
        box.env_file = env_file
        box.files = files
        yield box
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        service.send_signal(signal.SIGTERM)  # systemctl stop (KillMode=mixed: SIGTERM to the supervisor first)
        try:
            service.wait(30)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
        journal.close()
        box.redis.stop()


class Recorder:
    """A python-socketio client of one namespace that keeps every event it receives."""

    def __init__(self, namespace: str, auth: dict, code: str):
        """Connect to the public URL with the code in the handshake URL and a browser's Origin, without a port.

        The long-polling requests carry it from the HTTP session; websocket-client sends the same one itself
        for wss://workshop.example.org (a header given to connect() would make it send two)."""
        self.namespace, self.auth = namespace, dict(auth)
        self.events: list[tuple[str, object]] = []
        http = requests.Session()
        http.headers["Origin"] = PUBLIC
        self.sio = socketio.Client(reconnection=False, http_session=http)
        self.sio.on("*", self._record, namespace=namespace)
        self.sio.connect(f"{PUBLIC}/?code={code}", namespaces=[namespace], transports=["polling", "websocket"],
                         auth=self.auth, wait_timeout=15)

    def _record(self, event, data=None):
        """Keep one event."""
        self.events.append((event, data))

    def call(self, event: str, data: dict) -> dict:
        """Emit and wait for the acknowledgement."""
        reply = self.sio.call(event, data, namespace=self.namespace, timeout=15)
        self.events.append((f"ack:{event}", reply))
        return reply

    def wait_for(self, event: str, timeout: float = 15.0):
        """The latest payload of an event, waiting for its first one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [data for name, data in self.events if name == event]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no {event} on {self.namespace}: {[n for n, _ in self.events]}")

    def close(self) -> None:
        """Disconnect."""
        self.sio.disconnect()


def urls_in(value) -> list[str]:
    """Every absolute http(s) URL in a payload or page."""
    return URL.findall(value if isinstance(value, str) else repr(value))


def transport_upgraded(client: Recorder) -> bool:
    """Wait (bounded) for the WebSocket upgrade through nginx's TLS."""
    deadline = time.monotonic() + 10
    while client.sio.transport() != "websocket" and time.monotonic() < deadline:
        time.sleep(0.05)
    return client.sio.transport() == "websocket"


def test_a_phone_plays_through_the_documented_deployment_and_every_link_names_the_public_url(machine):
    # The start of the service says where links point (the supervisor and each worker).
    journal = machine.log.read_text(encoding="utf-8")
    assert f"Links and QR codes name {PUBLIC} (the public URL)." in journal
    assert journal.count(f"Phones join at {PUBLIC}/j/<code>") == 2 and "WARNING" not in journal
    created = requests.post(f"{PUBLIC}/api/sessions", json={"title": "By the book", "pacing": "self"}, timeout=10)
    assert created.status_code == 201, created.text
    session = created.json()
    code = session["code"]
    for name in ("join_url", "projector_url", "facilitator_url"):
        assert session[name].startswith(f"{PUBLIC}/"), (name, session[name])
    pages = {}
    browser = requests.Session()  # the facilitator's browser: the link signs it in
    pages["manage"] = browser.get(session["facilitator_url"], timeout=10)
    pages["screen"] = requests.get(session["projector_url"], timeout=10)
    pages["join"] = requests.get(session["join_url"], timeout=10)
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert page.url.startswith(f"{PUBLIC}/"), page.url
    # the QR codes phones scan: the image and the one inside the projector's page
    qr_image = requests.get(f"{PUBLIC}/s/{code}/qr.svg", timeout=10).text
    qr_in_page = re.search(r"<svg.*?</svg>", pages["screen"].text, re.S).group(0)
    for svg in (qr_image, qr_in_page):
        assert [r.text for r in zxingcpp.read_barcodes(svg_to_image(svg))] == [f"{PUBLIC}/j/{code}"]
    clients = []
    try:
        facilitator = Recorder("/facilitator", {"code": code, "token": session["facilitator_token"]}, code)
        clients.append(facilitator)
        projector = Recorder("/screen", {"code": code, "key": session["projector_url"].split("k=", 1)[1]}, code)
        clients.append(projector)
        phone = Recorder("/participant", {"code": code}, code)
        clients.append(phone)
        assert transport_upgraded(phone)  # polling, then the WebSocket, both with Origin: https://workshop.example.org
        joined = phone.call("join", {"nickname": "Anna"})
        assert joined["ok"], joined
        assert facilitator.call("command", {"action": "start"})["ok"]
        answered = phone.call("answer", {"question": "begrippen", "option": "regelmatig", "round": 1})
        assert answered["ok"], answered
        # what the projector shows phones: the join link on the public URL, reachable
        deadline = time.monotonic() + 15
        while f"{PUBLIC}/j/{code}" not in repr(projector.events) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"{PUBLIC}/j/{code}" in repr(projector.events)
        assert "'join_url_local': True" not in repr(projector.events)
        received = [data for client in clients for _name, data in client.events]
    finally:
        for client in clients:
            client.close()
    # every link handed out (API, pages, socket payloads) names the public URL, never a worker's own address
    links = urls_in(session) + [u for page in pages.values() for u in urls_in(page.text)] + urls_in(received)
    ours = [u for u in links if NAME in u or LOOPBACK.search(u) or f":{machine.worker_port}" in u]
    assert len(ours) >= 5
    assert [u for u in ours if not u.startswith(f"{PUBLIC}/")] == []
    assert not LOOPBACK.search(repr(received)) and not any(LOOPBACK.search(p.text) for p in pages.values())


def test_a_browser_origin_elsewhere_is_refused_through_the_proxy(machine):
    """The check the phone passed is a real one: another site's page gets 400 from Socket.IO's handshake."""
    handshake = f"{PUBLIC}/socket.io/?EIO=4&transport=polling"
    assert requests.get(handshake, headers={"Origin": PUBLIC}, timeout=10).status_code == 200
    assert requests.get(handshake, headers={"Origin": f"{PUBLIC}:443"}, timeout=10).status_code == 200
    assert requests.get(handshake, headers={"Origin": "https://evil.example"}, timeout=10).status_code == 400
    assert requests.get(handshake, headers={"Origin": f"http://{NAME}"}, timeout=10).status_code == 400


def test_the_env_files_own_usage_line_works_as_written(machine):
    """The command in the env file's comment (runuser to the service's user left out: this test runs as itself)."""
    (line,) = [ln for ln in machine.env_file.read_text(encoding="utf-8").splitlines() if "runuser" in ln]
    command = machine.replace(line.lstrip("#").strip())
    assert command.startswith("runuser -u workshop -- ")
    session = requests.post(f"{PUBLIC}/api/sessions", json={"title": "Listed"}, timeout=10).json()
    done = subprocess.run(shlex.split(command.removeprefix("runuser -u workshop -- ")), capture_output=True,
                          text=True, timeout=60, env={**clean_env(), "WORKSHOP_CLI_LANGUAGE": "en"}, cwd="/")
    assert done.returncode == 0, done.stderr
    assert session["code"] in done.stdout  # the service's database, found through WORKSHOP_DATA_DIR
