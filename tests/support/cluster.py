"""redis-server, nginx and `workshop serve --workers N` as child processes on 127.0.0.1, for tests and benchmarks.

Each process has its own config in a temporary folder and a free port; stop() ends them by their own PIDs.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.server import RELAXED_LIMITS, ROOT, wait_for_line

DEPLOY = ROOT / "deploy" / "nginx"


def missing_tools() -> list[str]:
    """The programs a cluster needs that this machine lacks."""
    return [tool for tool in ("redis-server", "nginx") if not find(tool)]


def find(tool: str) -> str | None:
    """The path of a program, looking in the sbin folders too (nginx lives in /usr/sbin)."""
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin:/usr/local/sbin")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports on 127.0.0.1."""
    for _ in range(200):
        first = free_port()
        sockets = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no run of free ports")


def wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 20.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port, or fail when the process exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} in time")


def wait_healthy(url: str, timeout: float = 20.0) -> None:
    """Wait until url/healthz answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer /healthz in time")


def stop(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """End one child process: SIGTERM, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Redis:
    """redis-server on 127.0.0.1 and a free port, without persistence."""

    def __init__(self, folder: Path):
        """Prepare; start() runs it."""
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        """Start redis-server and wait for its port."""
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "redis.conf"
        config.write_text(f"bind 127.0.0.1\nport {self.port}\nsave \"\"\nappendonly no\ndaemonize no\n"
                          f"dir {self.folder}\nlogfile {self.folder / 'redis.log'}\n", encoding="utf-8")
        self.proc = subprocess.Popen([find("redis-server"), str(config)], stdout=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc, "redis-server")
        return self

    def stop(self) -> None:
        """Stop redis-server."""
        stop(self.proc)


NGINX_CONF = """\
daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
worker_rlimit_nofile 30000;
events {{ worker_connections 12000; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {deploy}/workshop-maps.conf;
    upstream workshop_workers {{
        hash $workshop_code consistent;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {deploy}/workshop-locations.conf;
    }}
}}
"""


class Nginx:
    """nginx on 127.0.0.1 and a free port with deploy/nginx's maps and locations, in front of given ports."""

    def __init__(self, folder: Path, upstream_ports: list[int], workers: int = 1):
        """Prepare; start() runs it."""
        self.folder = folder
        self.port = free_port()
        self.upstream_ports = upstream_ports
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Nginx":
        """Write the config, start nginx in the foreground and wait for its port."""
        self.folder.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in self.upstream_ports)
        config = self.folder / "nginx.conf"
        config.write_text(NGINX_CONF.format(folder=self.folder, deploy=DEPLOY, servers=servers, port=self.port,
                                            workers=self.workers), encoding="utf-8")
        self.proc = subprocess.Popen([find("nginx"), "-p", str(self.folder), "-c", str(config),
                                      "-e", str(self.folder / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc, "nginx")
        return self

    def stop(self) -> None:
        """Stop nginx (SIGTERM: fast shutdown)."""
        stop(self.proc)


class Workers:
    """`workshop serve --workers N` (the supervisor) on consecutive free ports; workers[i] = (pid, port)."""

    def __init__(self, data_dir: Path, count: int, queue_url: str, public_url: str, env: dict[str, str] | None = None,
                 own_group: bool = False):
        """Prepare; start() runs it (with own_group, in a process group of its own: its workers join it)."""
        self.data_dir = data_dir
        self.own_group = own_group
        self.count = count
        self.queue_url = queue_url
        self.public_url = public_url
        self.port = free_ports(count)
        self.env = {**RELAXED_LIMITS, "WORKSHOP_TRUSTED_PROXIES": "1", **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.pids: dict[int, int] = {}  # worker number (1..N): pid
        self.log_path = data_dir.parent / "supervisor.log"

    def ports(self) -> list[int]:
        """The workers' ports."""
        return [self.port + i for i in range(self.count)]

    def start(self, timeout: float = 30.0) -> "Workers":
        """Start the supervisor and wait until every worker answers /healthz."""
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        self._log = open(self.log_path, "ab")
        self.log_offset = self._log.tell()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop", "serve", "--workers", str(self.count), "--host", "127.0.0.1",
             "--port", str(self.port), "--data-dir", str(self.data_dir), "--message-queue", self.queue_url,
             "--public-url", self.public_url], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=self.own_group)
        self.read_pids(self.count, timeout)
        for port in self.ports():
            wait_healthy(f"http://127.0.0.1:{port}", timeout)
        return self

    def read_pids(self, lines: int, timeout: float) -> None:
        """Read the supervisor's `Worker I (pid P)` lines until `lines` of them came."""
        deadline = time.monotonic() + timeout
        for _ in range(lines):
            match, self.log_offset = wait_for_line(self.log_path, self.log_offset, r"Worker (\d+) \(pid (\d+)\)",
                                                   deadline, self.proc)
            self.pids[int(match.group(1))] = int(match.group(2))

    def stop(self) -> None:
        """Stop the supervisor (it stops its workers)."""
        stop(self.proc, timeout=20)
        if getattr(self, "_log", None):
            self._log.close()


class Cluster:
    """redis-server, `workshop serve --workers N` and nginx in front, all on 127.0.0.1: the deployment's shape."""

    def __init__(self, folder: Path, workers: int = 2, env: dict[str, str] | None = None):
        """Prepare the three; start() runs them, stop() ends them."""
        self.redis = Redis(folder / "redis")
        self.nginx = Nginx(folder / "nginx", [])
        self.workers = Workers(folder / "data", workers, self.redis.url, self.nginx.url, env=env)
        self.nginx.upstream_ports = self.workers.ports()
        self.url = self.nginx.url

    def start(self) -> "Cluster":
        """Start Redis, the workers, then nginx."""
        try:
            self.redis.start()
            self.workers.start()
            self.nginx.start()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop nginx, the workers, then Redis."""
        self.nginx.stop()
        self.workers.stop()
        self.redis.stop()
