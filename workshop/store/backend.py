"""Which store a process opens: PostgreSQL when DATABASE_URL is set, else SQLite in the data directory."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workshop.store.interface import SessionStore
from workshop.store.sql import StoreUnavailable

if TYPE_CHECKING:
    from workshop.settings import Settings

SCHEMES = ("postgresql://", "postgres://")


def uses_postgres(config: "Settings") -> bool:
    """Whether the settings name a PostgreSQL database."""
    return bool(config.database_url)


def open_store(config: "Settings", *, read_only: bool = False) -> SessionStore:
    """The writer's store (or a read-only one) the settings name; raise StoreUnavailable when it cannot be used."""
    url = config.database_url
    if not url:
        from workshop.store.sqlite import DB_NAME, Store, read_only as sqlite_read_only

        path = Path(config.data_dir) / DB_NAME
        return sqlite_read_only(path) if read_only else Store(path, config.sqlite_synchronous)
    if not url.startswith(SCHEMES):
        raise StoreUnavailable("DATABASE_URL", "not a PostgreSQL address (postgresql://user:password@host/db)")
    try:
        from workshop.store.postgres import PostgresStore
    except ImportError:
        raise StoreUnavailable("DATABASE_URL", "psycopg is not installed: pip install 'workshop[postgres]'") from None
    return PostgresStore(url, config.postgres_synchronous_commit, read_only=read_only)
