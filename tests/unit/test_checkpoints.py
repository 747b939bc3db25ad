"""WAL checkpoints leave commit time: the server's loop copies the log into the database from an OS thread."""
from __future__ import annotations

import logging
import threading

from workshop.live.checkpoints import Checkpointer
from workshop.store.sqlite import Store

NOW = "2026-11-30T10:00:00"


def filled(path, writes: int) -> Store:
    """A store with one session and `writes` joins committed one by one."""
    store = Store(path)
    session = store.create_session(code="ABCDEF", title="t", language="nl", questionnaire_id="q",
                                   questionnaire_version="1", disciplines=[], facilitator_hash="x", state={}, now=NOW)
    for n in range(writes):
        store.add_participant(session, f"token-{n}", f"Naam {n}", None, NOW)
    return store


def wal_pages(path) -> int:
    """Frames in the write-ahead log file (4 KB pages plus a 24-byte header each)."""
    wal = path.with_name(path.name + "-wal")
    return max(0, (wal.stat().st_size - 32) // (4096 + 24)) if wal.exists() else 0


def test_after_checkpoint_elsewhere_commits_leave_the_log_to_the_checkpointer(tmp_path):
    path = tmp_path / "a.sqlite3"
    store = Store(path)
    store.checkpoint_elsewhere()
    session = store.create_session(code="ABCDEF", title="t", language="nl", questionnaire_id="q",
                                   questionnaire_version="1", disciplines=[], facilitator_hash="x", state={}, now=NOW)
    for n in range(1500):  # SQLite's own checkpoint would run at 1,000 pages of log
        store.add_participant(session, f"token-{n}", f"Naam {n}", None, NOW)
    log_before = store.checkpoint()
    assert log_before[0] == 0 and log_before[1] > 1000 and log_before[2] == log_before[1]  # all copied, none lost
    result: list = []
    worker = threading.Thread(target=lambda: result.append(store.checkpoint()))  # as the server's thread pool does
    worker.start()
    worker.join(10)
    assert result and result[0][0] == 0
    assert len(store.participants(session)) == 1500
    store.close()
    assert len(Store(path).participants(session)) == 1500


def test_without_the_loop_sqlite_checkpoints_at_commit_as_before(tmp_path):
    path = tmp_path / "b.sqlite3"
    filled(path, 1500).close()
    assert wal_pages(path) < 1100  # restarted at ~1,000 pages by SQLite's automatic checkpoint


class Steps:
    """Background tasks that run a loop for a fixed number of waits."""

    def __init__(self, waits: int):
        self.waits = waits
        self.loop = None

    def sleep(self, seconds: float) -> None:
        self.waits -= 1
        if self.waits < 0:
            self.loop.stop()

    def start_background_task(self, target):
        target()


def test_the_loop_runs_each_checkpoint_through_the_offload_and_survives_failures(tmp_path, caplog):
    store = filled(tmp_path / "c.sqlite3", 10)
    threads: list[str] = []

    def offload(work):
        """Run the work in another thread, as eventlet's tpool does."""
        out: list = []
        worker = threading.Thread(target=lambda: (threads.append(threading.current_thread().name), out.append(work())))
        worker.start()
        worker.join(10)
        if not out:
            raise RuntimeError("the checkpoint failed")
        return out[0]

    tasks = Steps(waits=3)
    loop = Checkpointer(store, tasks, lambda: offload, interval=1.0)
    tasks.loop = loop
    loop.start()
    assert loop.runs == 3 and len(threads) == 3 and threading.current_thread().name not in threads

    broken = Checkpointer(store, Steps(waits=4), lambda: (lambda work: (_ for _ in ()).throw(OSError("disk full"))),
                          interval=1.0)
    broken.tasks.loop = broken
    with caplog.at_level(logging.ERROR, logger="workshop.live.checkpoints"):
        broken.start()
    assert broken.runs == 0
    assert len([r for r in caplog.records if "checkpointing the database failed" in r.message]) == 1
