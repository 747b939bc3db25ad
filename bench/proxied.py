"""For bench/load.py: nginx in front of one `workshop serve`, or of N workers with redis-server."""
from __future__ import annotations

from pathlib import Path

from tests.support.cluster import Nginx, Redis, Workers, free_port


class ProxiedServer:
    """For bench/load.py: nginx in front of one `workshop serve`, or of N workers with redis-server.

    Looks like ServerProcess to the benchmark (start, stop, url, proc, log_path), plus server_pids().
    """

    def __init__(self, folder: Path, workers: int, env: dict[str, str]):
        """Prepare the processes in folder; start() runs them."""
        from tests.support.server import ServerProcess

        self.nginx = Nginx(folder / "nginx", [], workers=1)
        self.redis = Redis(folder / "redis") if workers > 1 else None
        if self.redis:
            self.cluster = Workers(folder / "data", workers, self.redis.url, self.nginx.url, env=env)
            self.nginx.upstream_ports = self.cluster.ports()
            self.log_path = self.cluster.log_path
        else:
            self.single = ServerProcess(folder / "data", port=free_port(), env=env)
            self.nginx.upstream_ports = [self.single.port]
            self.log_path = self.single.log_path
        self.url = self.nginx.url
        self.proc = None

    def start(self, timeout: float = 30.0) -> "ProxiedServer":
        """Start Redis and the workers (or the one server), then nginx."""
        if self.redis:
            self.redis.start()
            self.cluster.start(timeout)
            self.proc = self.cluster.proc
        else:
            self.single.start(timeout)
            self.proc = self.single.proc
        self.nginx.start()
        return self

    def server_pids(self) -> list[int]:
        """The pids of the processes that serve the app (the workers, or the one server)."""
        if self.redis:
            return [self.cluster.pids[n] for n in sorted(self.cluster.pids)]
        return [self.single.proc.pid]

    def helper_pids(self) -> list[int]:
        """The pids of nginx (master and workers) and redis-server: the CPU the deployment adds."""
        pids = [self.nginx.proc.pid]
        try:
            children = Path(f"/proc/{self.nginx.proc.pid}/task/{self.nginx.proc.pid}/children").read_text()
            pids += [int(pid) for pid in children.split()]
        except OSError:
            pass
        return pids + ([self.redis.proc.pid] if self.redis else [])

    def stop(self) -> None:
        """Stop nginx, the server(s) and Redis."""
        self.nginx.stop()
        if self.redis:
            self.cluster.stop()
            self.redis.stop()
        else:
            self.single.stop()
