"""Workers started together on a fresh data directory all end up with the one installation secret."""
from __future__ import annotations

import multiprocessing as mp

from workshop.store.secret import installation_secret


def _read_secret(args):
    """In a child: wait for the others, then read (or make) the secret."""
    barrier, data_dir = args
    barrier.wait()
    return installation_secret(data_dir)


def _race(data_dir, processes: int) -> set[bytes]:
    ctx = mp.get_context("fork")
    barrier = ctx.Manager().Barrier(processes)
    with ctx.Pool(processes) as pool:
        return set(pool.map(_read_secret, [(barrier, str(data_dir))] * processes))


def test_workers_starting_at_once_share_one_secret(tmp_path):
    for attempt in range(15):  # a race: many fresh directories, each with 6 processes starting together
        data_dir = tmp_path / f"data-{attempt}"
        secrets = _race(data_dir, 6)
        assert len(secrets) == 1, f"attempt {attempt}: {len(secrets)} different secrets"
        assert secrets == {(data_dir / "secret_key").read_bytes().strip()}
        assert not list(data_dir.glob("*.tmp"))  # no leftover temporary files


def test_a_damaged_secret_file_is_replaced(tmp_path):
    (tmp_path / "secret_key").write_bytes(b"short")
    value = installation_secret(tmp_path)
    assert len(value) >= 32 and installation_secret(tmp_path) == value
