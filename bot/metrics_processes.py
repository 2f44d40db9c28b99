"""prometheus-client's multiprocess mode for `pathway serve`: its Slack answering workers are separate
processes, and their counts (questions, answer times) belong in the server's `/metrics`.

In that mode every process writes its counts to files in PROMETHEUS_MULTIPROC_DIR and a scrape adds
them up. The variable must be set before prometheus-client is first imported, in the parent, so that
the workers it spawns inherit it: hence a call at the top of the serve commands, before the server's
modules load. An operator who sets the variable themselves keeps their directory (prometheus-client
asks for it to be emptied before each start); otherwise a fresh one is made and removed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def share_counts_between_processes() -> None:
    if os.environ.get(VARIABLE) or "prometheus_client" in sys.modules:
        return  # already shared, or too late to share: this process then counts on its own
    directory = tempfile.mkdtemp(prefix="pathway-metrics-")
    os.environ[VARIABLE] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
