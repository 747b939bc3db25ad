"""`workshop serve` under cProfile: statistics go to $BENCH_PROFILE when the server is stopped (SIGTERM).

    python -m bench.profile_server serve --host 127.0.0.1 --port 0   (bench/load.py --profile FILE does this)
"""
from __future__ import annotations

import cProfile
import os
import signal
import sys

from workshop import cli, server

_serve_run = server.run


def profiled_run(app, sock, mode) -> None:
    """Serve with the profiler on; dump its statistics when stopped."""
    profiler = cProfile.Profile()

    def stop(signum, frame):
        """Write the statistics at once, then end as Ctrl+C would."""
        profiler.disable()
        profiler.dump_stats(os.environ["BENCH_PROFILE"])
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    profiler.enable()
    _serve_run(app, sock, mode)


if __name__ == "__main__":
    server.run = profiled_run
    sys.exit(cli.main(sys.argv[1:]))
