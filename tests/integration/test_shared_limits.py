"""Rate limits by address shared by the workers through Redis, and each worker's own while Redis is away.

A real redis-server on a free port; the two limiters are two workers' (each its own connection pool). The
cluster test floods session creation from one address through nginx, which spreads it over both workers.
"""
from __future__ import annotations

import logging

import pytest
import requests

from tests.integration.test_workers import WORKER
from tests.support.cluster import Cluster, Redis, missing_tools
from workshop.web import limits as shared_limits
from workshop.web.limits import SharedLimits

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} "
                       "(apt-get install redis-server nginx; .ci/run installs them)"),
]


class Clock:
    """The limiters' monotonic clock, moved by hand (when to try Redis again)."""

    def __init__(self):
        """Start at 0."""
        self.t = 0.0

    def __call__(self) -> float:
        """The time now."""
        return self.t


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of its own."""
    server = Redis(tmp_path / "redis").start()
    yield server
    server.stop()


def test_two_workers_share_one_limit_per_address(redis_server):
    one = SharedLimits(redis_server.url).limiter("RATE_JOIN", 5, 60.0)
    two = SharedLimits(redis_server.url).limiter("RATE_JOIN", 5, 60.0)
    allowed = [limiter.allow("203.0.113.9") for limiter in (one, two) * 4]
    assert allowed == [True] * 5 + [False] * 3  # 5 in all, whichever worker counted them
    assert one.exceeded("203.0.113.9") and two.exceeded("203.0.113.9")
    assert 59 < two.retry_after("203.0.113.9") <= 60
    assert one.allow("198.51.100.1")  # another address has its own window
    assert not one.exceeded("198.51.100.2")


def test_a_redis_outage_falls_back_to_the_worker_s_own_count_and_logs_once(redis_server, caplog):
    clock = Clock()
    limits = SharedLimits(redis_server.url, clock=clock)
    limiter = limits.limiter("RATE_CREATE", 3, 60.0)
    assert limiter.allow("a")  # shared: Redis counts it
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger=shared_limits.__name__):
        allowed = [limiter.allow("a") for _ in range(5)]
        clock.t += shared_limits.RETRY_SECONDS + 1  # it tries Redis again: still away, no second line
        allowed += [limiter.allow("a")]
    assert allowed == [True, True, True, False, False, False]  # the same limit, counted in this worker
    assert len([r for r in caplog.records if "cannot be reached" in r.getMessage()]) == 1
    redis_server.start()
    clock.t += shared_limits.RETRY_SECONDS + 1
    assert limiter.allow("b") and limits.down_until <= clock.t  # back to Redis


def test_a_flood_over_both_workers_is_capped_at_the_shared_limit(tmp_path):
    cluster = Cluster(tmp_path, 2, env={"WORKSHOP_RATE_CREATE": "10,600"}).start()
    try:
        answers = [requests.post(f"{cluster.url}/api/sessions", json={"title": f"Flood {n}"}, timeout=10)
                   for n in range(30)]
    finally:
        cluster.stop()
    created = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 429]
    assert len(created) == 10 and len(refused) == 20
    assert {a.headers[WORKER] for a in answers} == {"1", "2"}  # both workers took part in the flood
    assert {a.headers[WORKER] for a in created} == {"1", "2"}
