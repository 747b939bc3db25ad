"""`python -m tests.adversary.limited_serve serve ...`: `workshop serve` under an operator's process limits.

LIMIT_NOFILE=soft,hard sets RLIMIT_NOFILE and UMASK=octal sets the umask before the
server starts, as a shell's `ulimit -n` / `umask` or systemd's LimitNOFILE= would.
"""
from __future__ import annotations

import os
import resource
import sys

from workshop import cli

if __name__ == "__main__":
    if os.environ.get("LIMIT_NOFILE"):
        soft, hard = (int(x) for x in os.environ["LIMIT_NOFILE"].split(","))
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if os.environ.get("UMASK"):
        os.umask(int(os.environ["UMASK"], 8))
    sys.exit(cli.main())
