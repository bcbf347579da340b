"""Privacy Policy Reader: read, search and compare website privacy policies."""

import os

__version__ = "0.1.0"

# numpy's OpenBLAS keeps a thread pool of its own, and the app multiplies matrices from
# several threads at once (the GUI thread and the background analysis). Calls from several
# threads into that pool can hang for good (numpy/numpy#17752), and the app's matrices are
# too small to gain from it (the same CPU for the 222 real policies with or without it).
# Set before anything imports numpy; worker processes inherit it.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
