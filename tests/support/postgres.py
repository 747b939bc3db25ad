"""A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a folder, postgres on a free port.

The server listens on 127.0.0.1 and on a unix socket in the cluster's folder, and trusts local
connections (it is started for one test run and deleted after). PostgreSQL refuses to run as root:
as root (CI) the folder is given to the `postgres` user and the programs run as it (`runuser`). Stopped
by the PID it wrote (`postmaster.pid`), never by name. `binaries()` is None when PostgreSQL is not
installed (Debian: `apt-get install postgresql`).
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

INSTALL_HINT = "PostgreSQL is not installed: apt-get install postgresql (Debian), or set WORKSHOP_PG_BIN to its bin folder"
START_TIMEOUT = 30.0


def binaries() -> Path | None:
    """The folder with initdb and postgres (WORKSHOP_PG_BIN, else the newest /usr/lib/postgresql/N/bin), or None."""
    given = os.environ.get("WORKSHOP_PG_BIN")
    candidates = [Path(given)] if given else sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                                                    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                                                    reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    if given:  # the folder named is the one wanted: no other
        return None
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("postgres") else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL server of its own, in a temporary folder; start() then stop()."""

    def __init__(self, bin_dir: Path, base: Path | None = None, settings: dict[str, str] | None = None):
        """Choose the folder (made now) and the port; nothing runs yet."""
        self.bin = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="workshop-pg-", dir=base))
        self.data = self.base / "data"
        self.port = free_port()
        self.settings = {"fsync": "on", "synchronous_commit": "on", "max_connections": "200",
                         "shared_buffers": "128MB", **(settings or {})}
        self.run_as = "postgres" if os.geteuid() == 0 else None
        self.pid: int | None = None

    def _command(self, *argv: str) -> list[str]:
        """A command line, run as the postgres user when we are root."""
        return ["runuser", "-u", self.run_as, "--", *argv] if self.run_as else list(argv)

    def start(self) -> "Cluster":
        """initdb, then start postgres and wait until it takes connections."""
        if self.run_as:
            user = pwd.getpwnam(self.run_as)
            os.chmod(self.base, 0o700)
            os.chown(self.base, user.pw_uid, user.pw_gid)
        subprocess.run(self._command(str(self.bin / "initdb"), "-D", str(self.data), "-U", "workshop",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
                       check=True, capture_output=True, timeout=120)
        options = [f"-c{name}={value}" for name, value in self.settings.items()]
        log = self.base / "postgres.log"
        subprocess.run(self._command(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w",
                                     "-t", str(int(START_TIMEOUT)), "start", "-o",
                                     " ".join([f"-p {self.port}", "-c listen_addresses=127.0.0.1",
                                               f"-c unix_socket_directories={self.base}", *options])),
                       check=True, capture_output=True, timeout=START_TIMEOUT + 10)
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        return self

    def url(self, database: str = "postgres") -> str:
        """The address of one database of this cluster (over TCP on 127.0.0.1)."""
        return f"postgresql://workshop@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; return its address."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_schema(self, name: str | None = None, **settings: str) -> str:
        """A new empty schema in the cluster's database; return an address whose connections use it.

        Much quicker than a database per test: the store applies its tables to `current_schema()`.
        `settings` go into the address as the connections' own (e.g. synchronous_commit="off").
        """
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        options = "%20".join(f"-c{key}%3D{value}" for key, value in {"search_path": name, **settings}.items())
        return f"{self.url()}?options={options}"

    def stop(self) -> None:
        """Stop the server by its PID (fast shutdown), then delete the folder."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGINT)  # postgres: SIGINT is the fast shutdown
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and _alive(self.pid):
                    time.sleep(0.05)
                if _alive(self.pid):
                    os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None
        shutil.rmtree(self.base, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie counts as gone: it is another process's child)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
