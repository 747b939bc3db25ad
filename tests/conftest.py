"""Shared fixtures: an app on its own temporary data dir, HTTP and Socket.IO test clients."""
from __future__ import annotations

import pytest

from tests.support import postgres
from workshop import create_app

TEST_CONFIG = {
    "ASYNC_MODE": "threading",
    "EMIT_INTERVAL": 0.0,
    "RATE_JOIN": (1000, 60.0),
    "RATE_ANSWER": (1000, 10.0),
    "RATE_LOOKUP": (1000, 60.0),
    "RATE_JOIN_CONNECTION": (1000, 60.0),
    "RATE_ANSWER_ADDRESS": (100000, 10.0),
    "DELETION_CHECK_INTERVAL": 0.0,  # no background thread per test app; tests call services.deletions.check()
    "CHECKPOINT_INTERVAL": 0.0,  # SQLite checkpoints at commit, as without a server; tests/unit/test_checkpoints.py covers the loop
    "RATE_FACILITATOR": (100000, 10.0),  # the fuzzers and the state machine drive sessions as fast as they can
    "RATE_FACILITATOR_ADDRESS": (100000, 10.0),
    "RATE_EXPORT": (100000, 60.0),  # export tests download every format of many sessions
    "RATE_CREATE": (100000, 600.0),  # fuzzers and flows create many sessions from one address
}


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server of the test run's own (tests/support/postgres.py); skips when none is installed."""
    bin_dir = postgres.binaries()
    if bin_dir is None:
        pytest.skip(postgres.INSTALL_HINT)
    cluster = postgres.Cluster(bin_dir).start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    """The store backend a test runs on: SQLite, then PostgreSQL (its own cluster, skipped when not installed)."""
    return request.param


@pytest.fixture
def make_store(backend, request, tmp_path):
    """Open the test's database (the same one at every call, as another process would) on the backend under test.

    Every store it opened is closed after the test (psycopg warns about a connection left open).
    """
    opened: list = []
    if backend == "sqlite":
        from workshop.store.sqlite import Store

        url = None

        def connect(synchronous):
            return Store(tmp_path / "w.sqlite3", synchronous)
    else:
        from workshop.store.postgres import PostgresStore

        url = request.getfixturevalue("pg_cluster").create_schema()

        def connect(synchronous):  # noqa: synchronous is SQLite's; PostgreSQL keeps the server's synchronous_commit (on)
            return PostgresStore(url)

    def open_store(synchronous="NORMAL"):
        opened.append(connect(synchronous))
        return opened[-1]
    open_store.database_url = url
    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def data_dir(tmp_path):
    """A fresh data directory for one test."""
    return tmp_path / "data"


@pytest.fixture
def make_app(data_dir):
    """Build apps on the test's data dir (several apps on one dir model a restart)."""
    def build(**overrides):
        return create_app({**TEST_CONFIG, "DATA_DIR": str(data_dir), **overrides})
    return build


@pytest.fixture
def app(make_app):
    """The app under test."""
    return make_app()


@pytest.fixture
def client(app):
    """An HTTP test client."""
    return app.test_client()


@pytest.fixture
def socketio(app):
    """The app's Flask-SocketIO instance."""
    return app.extensions["socketio"]


@pytest.fixture
def new_session(client):
    """Create a session through the API and return its JSON reply."""
    def create(**fields):
        body = {"title": "Proefsessie", **fields}
        response = client.post("/api/sessions", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return create


@pytest.fixture
def socket_client(app, socketio):
    """Connect a Socket.IO test client for a role: participant, screen or facilitator."""
    clients = []

    def connect(role, code, *, token=None, key=None, flask_client=None):
        auth = {"code": code}
        if token is not None:
            auth["token"] = token
        if key is not None:
            auth["key"] = key
        c = socketio.test_client(app, namespace=f"/{role}", auth=auth,
                                 flask_test_client=flask_client or app.test_client())
        clients.append(c)
        return c

    yield connect
    for c in clients:
        if c.is_connected(c.namespace if hasattr(c, "namespace") else None):
            c.disconnect(namespace=getattr(c, "namespace", None))
