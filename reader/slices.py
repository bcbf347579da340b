"""Whole-text work in slices, so that a worker thread never starves the GUI thread.

Python's lock passes between threads only between bytecodes: one C call (a regular
expression, ``str.lower``, a numpy gather) over a whole 4 MB policy holds it for 50-300 ms,
and the window freezes that long while a policy opens in the background. The same work done
slice by slice gives exactly the same result in calls of a few milliseconds each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SLICE_CHARS = 1 << 18  # characters of text per C call (~2-5 ms of str.lower / re)
SLICE_ITEMS = 1 << 15  # list items or array entries per C call

_SPACE = re.compile(r"\s")


def text_slices(text: str, size: int = SLICE_CHARS) -> Iterator[str]:
    """``text`` in consecutive pieces of about ``size`` characters; every piece but the last
    ends with a whitespace character, so no word (no run of non-space) is ever cut.
    ``"".join(text_slices(text)) == text``."""
    start = 0
    while len(text) - start > size:
        space = _SPACE.search(text, start + size)
        if space is None:
            break
        yield text[start:space.end()]
        start = space.end()
    if start < len(text) or not text:
        yield text[start:]


def item_ranges(length: int, size: int = SLICE_ITEMS) -> Iterator[tuple[int, int]]:
    """``(start, end)`` ranges of at most ``size`` covering ``range(length)`` in order."""
    for start in range(0, length, size):
        yield start, min(start + size, length)
