"""Imported by the fork server of the history chart's worker processes (see
:func:`reader.analysis.timeline._pool_context`): the practice models are loaded once,
there, and each worker forked from the server starts with them (a spawned worker loaded
them itself: about 1 s of CPU per worker, for every chart)."""

import os

from reader.analysis.timeline import WARM_UP, analyze_body

analyze_body(WARM_UP)
LOADED_BY = os.getpid()


def loaded_before_fork() -> bool:
    """Whether this process got the models from the process it was forked from (a worker
    forked from the fork server), not by loading them itself."""
    return os.getpid() != LOADED_BY
