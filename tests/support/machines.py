"""Several "machines" on this one: supervisors with data directories and ports of their own, one PostgreSQL, one Redis,
one nginx hashing the session code over every worker of every machine (docs/deployment.md, Several machines).

Each machine is `workshop serve --workers N` (tests/support/cluster.py's Workers) in a process group of its own, so
`kill()` ends it with all its workers at once (`kill -9` of the group), as a machine that loses power. The machines
share the installation secret the way the docs say: the first machine makes it, and it is copied into the others'
data directories (mode 0600) before their first start. Every worker serves /metrics (to 127.0.0.1), so a test can
see which sessions each one holds in memory. stop() ends what still runs by its own PIDs.
"""
from __future__ import annotations

import os
import shutil
import signal
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.support.cluster import Nginx, Redis, Workers

SECRET = "secret_key"  # the installation secret's file in a data directory (workshop/store/secret.py)


class Machine:
    """One machine: a supervisor and its workers, on its own data directory and ports."""

    def __init__(self, name: str, folder: Path, workers: int, queue_url: str, public_url: str, env: dict[str, str]):
        """Prepare; start() runs it."""
        self.name = name
        self.workers = Workers(folder / "data", workers, queue_url, public_url, env=env, own_group=True)
        self.killed = False

    @property
    def data_dir(self) -> Path:
        """Its data directory (the installation secret and the lock; the sessions are in PostgreSQL)."""
        return self.workers.data_dir

    def ports(self) -> list[int]:
        """Its workers' ports."""
        return self.workers.ports()

    def pids(self) -> set[int]:
        """The pids of its workers (as started; a lease's owner names one)."""
        return set(self.workers.pids.values())

    def start(self) -> "Machine":
        """Start the supervisor and wait until every worker answers /healthz."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)  # its log's folder
        self.workers.start(timeout=60)
        return self

    def kill(self) -> None:
        """`kill -9` the supervisor's process group: the supervisor and every worker at once."""
        os.killpg(self.workers.proc.pid, signal.SIGKILL)
        self.killed = True
        self.workers.proc.wait(10)

    def stop(self) -> None:
        """Stop the supervisor (it stops its workers)."""
        self.workers.stop()

    def held(self) -> dict[int, set[str]]:
        """{port: ids of the sessions that worker holds in memory} for each live worker (its /metrics)."""
        return {port: held_sessions(port) for port in ([] if self.killed else self.ports())}


def held_sessions(port: int) -> set[str]:
    """The database ids of the sessions one worker holds in memory (workshop_session_in_memory); none when it is down."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return set()
    return {sample.labels["session"] for family in text_string_to_metric_families(text)
            for sample in family.samples if sample.name == "workshop_session_in_memory" and sample.value == 1}


def share_secret(first: Path, others: list[Path]) -> None:
    """Copy the first machine's installation secret into the other data directories, mode 0600 (docs/deployment.md)."""
    for data_dir in others:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = data_dir / SECRET
        shutil.copyfile(first / SECRET, target)
        os.chmod(target, 0o600)


class Machines:
    """Redis, `machines` supervisors of `workers` workers each on one PostgreSQL database, nginx in front of all."""

    def __init__(self, folder: Path, database_url: str, machines: int = 2, workers: int = 2,
                 env: dict[str, str] | None = None):
        """Prepare everything; start() runs it, stop() ends it."""
        self.redis = Redis(folder / "redis")
        self.nginx = Nginx(folder / "nginx", [])
        self.database_url = database_url
        shared = {"WORKSHOP_DATABASE_URL": database_url, "WORKSHOP_METRICS": "1", **(env or {})}
        self.machines = [Machine(f"machine{n}", folder / f"machine{n}", workers, self.redis.url, self.nginx.url, shared)
                         for n in range(1, machines + 1)]
        self.nginx.upstream_ports = [port for machine in self.machines for port in machine.ports()]
        self.url = self.nginx.url

    def start(self) -> "Machines":
        """Start Redis, the first machine, copy its secret to the others, start them, then nginx."""
        try:
            self.redis.start()
            first, *others = self.machines
            first.start()
            share_secret(first.data_dir, [machine.data_dir for machine in others])
            for machine in others:
                machine.start()
            self.nginx.start()
        except Exception:
            self.stop()
            raise
        return self

    def machine_of(self, pid: int | None) -> Machine | None:
        """The machine whose worker has this pid (a lease owner's), None for none."""
        return next((machine for machine in self.machines if pid in machine.pids()), None)

    def held(self) -> dict[int, set[str]]:
        """{worker port: ids of the sessions it holds in memory} over every live worker."""
        return {port: ids for machine in self.machines for port, ids in machine.held().items()}

    def stop(self) -> None:
        """Stop nginx, every machine, then Redis."""
        self.nginx.stop()
        for machine in self.machines:
            machine.stop()
        self.redis.stop()
