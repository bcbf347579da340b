"""Entry point of the frozen app (PyInstaller): the same ``main`` as ``privacy-reader``."""

import multiprocessing
import sys

from reader.cli import main

if __name__ == "__main__":
    # Worker processes started with "spawn" (index) and the history chart's fork server
    # re-run this executable; this hands them to multiprocessing instead of starting the
    # app again.
    multiprocessing.freeze_support()
    sys.exit(main())
