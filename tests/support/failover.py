"""Phones that keep answering through a proxy while workers die, and a sampler of the lease table, for failover tests.

Used by tests/integration/test_failover.py (two workers of one supervisor) and test_machines.py (two supervisors,
as two machines, on one PostgreSQL).
"""
from __future__ import annotations

import contextlib
import itertools
import threading
import time

import socketio

QUESTIONS = {"begrippen": ["nooit", "zelden", "regelmatig", "dagelijks"], "uitspraak": ["ten-koste-van", "kan-helpen"],
             "projecten": ["0-procent", "1-10-procent", "10-30-procent", "30-100-procent"],
             "kennis": ["heel-weinig", "enkele-collegas", "meeste-collegas"]}


class Phone:
    """One phone: joins, then answers question after question, re-sending each until it is acknowledged.

    Its client reconnects by itself when its connection drops or a reconnect is refused, as the pages' does.
    `acked` holds (time acknowledged, question, option); `sent` the time each of those was first sent.
    """

    def __init__(self, proxy: str, code: str, index: int, stop: threading.Event, pause: float = 0.05,
                 nickname: str | None = None):
        """Join through the proxy; answering starts with run(), `pause` seconds between two answers."""
        self.proxy, self.code, self.index, self.stop, self.pause = proxy, code, index, stop, pause
        self.nickname = nickname or f"phone{index}"
        self.auth = {"code": code}
        self.acked: list[tuple[float, str, str]] = []
        self.sent: list[float] = []
        self.refusals: dict[str, int] = {}
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("connect_error", self._refused, namespace="/participant")
        give_up = time.monotonic() + 30
        while True:  # a session that is moving refuses (not_owner) until it arrived
            try:
                self.sio.connect(f"{proxy}/?code={code}", namespaces=["/participant"], transports=["websocket"],
                                 auth=lambda: self.auth, wait_timeout=5)
                break
            except socketio.exceptions.ConnectionError:
                assert time.monotonic() < give_up, self.refusals
                time.sleep(0.2)
        reply = self.sio.call("join", {"nickname": self.nickname}, namespace="/participant", timeout=10)
        assert reply["ok"], reply
        self.auth["token"] = reply["token"]

    def _refused(self, data=None) -> None:
        """Count a refused (re)connect by its code."""
        if isinstance(data, dict):
            data = data.get("data", data)  # python-socketio passes {message, data: {code, message}}
        code = data.get("code", "?") if isinstance(data, dict) else str(data)[:40]
        self.refusals[code] = self.refusals.get(code, 0) + 1

    def send(self, question: str, option: str, deadline: float) -> bool:
        """Send one answer until it is acknowledged (reconnecting as needed); False when the deadline came first."""
        first = time.monotonic()
        while time.monotonic() < deadline:
            if not (self.sio.connected and self.sio.namespaces.get("/participant")):
                time.sleep(0.05)  # the client is reconnecting
                continue
            try:
                reply = self.sio.call("answer", {"question": question, "option": option, "round": 1},
                                      namespace="/participant", timeout=3)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                continue
            if reply["ok"]:
                self.acked.append((time.monotonic(), question, option))
                self.sent.append(first)
                return True
            code = reply["error"]["code"]
            self.refusals[code] = self.refusals.get(code, 0) + 1
            assert code == "not_owner", reply  # the only refusal a moving session may give
            time.sleep(0.1)
        return False

    def run(self, deadline: float) -> None:
        """Answer every question in turn, another option each time, until stopped; then leave the last one acknowledged."""
        order = itertools.cycle(list(QUESTIONS))
        for n in itertools.count():
            if self.stop.is_set() or time.monotonic() >= deadline:
                break
            question = next(order)
            options = QUESTIONS[question]
            self.send(question, options[(n + self.index) % len(options)], deadline)
            time.sleep(self.pause)
        self.sio.disconnect()

    def acked_after(self, moment: float) -> list[float]:
        """When the answers first sent after `moment` were acknowledged."""
        return [acked[0] for acked, sent in zip(self.acked, self.sent) if sent > moment]

    def last_answers(self) -> dict[str, str]:
        """Each question's last acknowledged option: what the export must hold (a later answer replaces one)."""
        return {question: option for _t, question, option in self.acked}


class Sampler:
    """A thread that calls sample() every `interval` seconds, inside opened(), from start() until stop()."""

    interval = 0.02

    def __init__(self):
        """Prepare the thread; start() runs it."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        """Sample until stopped."""
        with self.opened():
            while not self._stop.wait(self.interval):
                self.sample()

    def opened(self) -> contextlib.AbstractContextManager:
        """What the samples need open while sampling (nothing here)."""
        return contextlib.nullcontext()

    def sample(self) -> None:
        """Take one sample."""
        raise NotImplementedError

    def start(self) -> "Sampler":
        """Start sampling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join(10)


class LeaseSampler(Sampler):
    """Reads the lease rows of some sessions every 20 ms on a connection of its own: per code, (time, owner, generation)."""

    def __init__(self, connect, codes: list[str]):
        """Prepare (`connect()` opens the database read-only: (connection, placeholder)); start() runs it until stop()."""
        super().__init__()
        self.connect, self.codes = connect, list(codes)
        self.samples: dict[str, list[tuple[float, str, int]]] = {code: [] for code in self.codes}
        self._db = self._query = None

    @contextlib.contextmanager
    def opened(self):
        """The database connection, for as long as sampling lasts."""
        self._db, mark = self.connect()
        self._query = ("SELECT s.code, l.owner, l.generation FROM session_leases l JOIN sessions s"
                       f" ON s.id = l.session_id WHERE s.code IN ({', '.join([mark] * len(self.codes))})")
        try:
            yield
        finally:
            self._db.close()

    def sample(self) -> None:
        """Read the rows once."""
        now = time.monotonic()
        for code, owner, generation in self._db.execute(self._query, tuple(self.codes)).fetchall():
            self.samples[code].append((now, owner, generation))

    def of(self, code: str) -> list[tuple[float, str, int]]:
        """One session's samples so far (the list grows while sampling)."""
        return self.samples[code]


def owner_pid(owner: str) -> int | None:
    """The pid in a lease owner's identity (host/worker/pid/random), None for a released lease ('')."""
    return int(owner.split("/")[2]) if owner else None


def owners_by_generation(samples: list[tuple[float, str, int]]) -> dict[int, set[str]]:
    """Each lease generation seen and the owners it named (never more than one, released '' aside)."""
    seen: dict[int, set[str]] = {}
    for _t, owner, generation in samples:
        seen.setdefault(generation, set()).add(owner)
    return seen
