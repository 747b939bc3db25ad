"""deploy/workshop-backup run by root once, then every night as the service user (issue 24, point 3).

Root runs it by hand before an upgrade (docs/deployment.md), the timer runs it as `workshop`. Before,
root's run left a root-owned `secret_key` in the target, and every later run as `workshop` failed on
it before pruning, for good. These tests run as root and play the service user with an unnamed uid
through setpriv(1), on a real database.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.server import ROOT
from workshop.core.questionnaire import default as default_questionnaire
from workshop.live.service import Live
from workshop.settings import Settings
from workshop.store.sqlite import DB_NAME, Store

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command (apt-get install sqlite3)"),
              pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                 reason="needs root and setpriv(1) to play root and the service user")]
SCRIPT = ROOT / "deploy" / "workshop-backup"
SERVICE_UID = 54322
SECRET = b"s" * 64


@pytest.fixture
def site():
    """A data directory with one session and a secret, and an empty backup folder, both the service user's."""
    top = Path(tempfile.mkdtemp(prefix="workshop-backup-"))
    top.chmod(0o755)
    data, backups = top / "data", top / "backups"
    store = Store(data / DB_NAME)
    Live(store, default_questionnaire(), Settings()).create("Back-up")
    store.close()
    (data / "secret_key").write_bytes(SECRET)
    (data / "secret_key").chmod(0o600)
    backups.mkdir(mode=0o700)
    for path in (data, *data.iterdir(), backups):
        os.chown(path, SERVICE_UID, SERVICE_UID)
    yield data, backups
    shutil.rmtree(top, ignore_errors=True)


def backup(data: Path, backups: Path, as_service: bool, keep_days: int = 14) -> subprocess.CompletedProcess:
    """Run the script as root or as the service user."""
    command = [str(SCRIPT), str(data), str(backups)]
    if as_service:
        command = ["setpriv", f"--reuid={SERVICE_UID}", f"--regid={SERVICE_UID}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/",
                          env={**os.environ, "KEEP_DAYS": str(keep_days)})


def owners(folder: Path) -> dict[str, int]:
    """Each file's owner uid."""
    return {p.name: p.stat().st_uid for p in folder.iterdir()}


def old_backup(backups: Path, owner: int, days: int = 30) -> Path:
    """A backup file from `days` ago, owned by owner."""
    path = backups / "workshop-20000101T031500Z.sqlite3"
    path.write_bytes(b"old")
    os.chown(path, owner, owner)
    then = time.time() - days * 86400
    os.utime(path, (then, then))
    return path


def test_root_then_the_service_user_both_succeed_and_root_leaves_nothing_of_its_own(site):
    data, backups = site
    by_root = backup(data, backups, as_service=False)
    assert by_root.returncode == 0, by_root.stderr
    assert set(owners(backups).values()) == {SERVICE_UID}, owners(backups)
    time.sleep(1.1)  # the next backup's name has the next second in it
    nightly = backup(data, backups, as_service=True)
    assert nightly.returncode == 0, nightly.stderr
    made = sorted(p for p in backups.iterdir() if p.name.endswith(".sqlite3"))
    assert len(made) == 2 and (backups / "secret_key").read_bytes() == SECRET
    assert stat.S_IMODE((backups / "secret_key").stat().st_mode) == 0o600


def test_a_root_owned_secret_from_an_older_script_no_longer_stops_the_nightly_run(site):
    """The state the older script left: root's secret_key in the target; the run replaces it and prunes."""
    data, backups = site
    stale = backups / "secret_key"
    stale.write_bytes(b"r" * 64)
    stale.chmod(0o600)  # root's, unwritable for the service user
    expired = old_backup(backups, owner=0)
    nightly = backup(data, backups, as_service=True)
    assert nightly.returncode == 0, nightly.stderr
    assert stale.read_bytes() == SECRET and stale.stat().st_uid == SERVICE_UID
    assert not expired.exists()  # pruned, though root made it


def test_a_secret_it_cannot_copy_is_one_clear_line_and_old_backups_are_still_pruned(site):
    data, backups = site
    os.chown(data / "secret_key", 0, 0)  # root's, unreadable for the service user
    expired = old_backup(backups, owner=SERVICE_UID)
    nightly = backup(data, backups, as_service=True)
    assert nightly.returncode == 1
    assert "could not copy the installation secret" in nightly.stderr and "Traceback" not in nightly.stderr
    assert any(p.name.startswith("workshop-2") and p != expired for p in backups.iterdir())  # the database's copy
    assert not expired.exists()
    assert not (backups / ".secret_key.new").exists()


def test_a_target_it_cannot_write_says_whose_it_is(site):
    data, backups = site
    os.chown(backups, 0, 0)
    result = backup(data, backups, as_service=True)
    assert result.returncode == 1
    assert f"cannot write to {backups} (owner root)" in result.stderr
