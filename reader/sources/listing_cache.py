"""A corpus folder's listing kept under the user data dir, so a big corpus opens without
walking and stat-ing every file again.

The listing is valid while every folder of the corpus has the modification time it had
when the listing was made: adding, deleting or renaming a file changes its folder's
time. A file edited in place does not, so :meth:`reader.sources.corpus.Corpus.stale` is
checked off the GUI thread after opening from the cache. Stored with :mod:`marshal`
(plain values only, nothing executed when read); any unreadable or foreign file is
ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1

# (domain, path, size, mtime, relpath, company, doc_type)
EntryTuple = tuple[str, str, int, float, str, str, str]


@dataclass
class Listing:
    """What a scan found: entries (in listing order), problems, folders with their
    modification times (ns), and unreadable files known from earlier checks."""

    entries: list[EntryTuple]
    problems: list[str]
    folders: list[tuple[str, int]]
    broken: dict[str, tuple[int, float, str]]
    digest: str | None = None  # of the entries (Corpus.listing_digest), if known


def cache_file(cache_dir: Path, root: Path) -> Path:
    digest = hashlib.sha1(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return cache_dir / f"listing-{digest}.bin"


def folders_unchanged(folders: list[tuple[str, int]]) -> bool:
    for folder, mtime_ns in folders:
        try:
            if os.stat(folder).st_mtime_ns != mtime_ns:
                return False
        except OSError:
            return False
    return True


def load_listing(cache_dir: Path, root: Path) -> Listing | None:
    """The stored listing of ``root`` if every folder is as it was; else None."""
    try:
        data = marshal.loads(cache_file(cache_dir, root).read_bytes())
        if data[0] != FORMAT or data[1] != str(root):
            return None
        listing = Listing(*data[2:])
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        return None
    return listing if listing.folders and folders_unchanged(listing.folders) else None


def save_listing(cache_dir: Path, root: Path, listing: Listing) -> None:
    """Store ``listing`` (atomically); a folder that cannot be written is ignored."""
    target = cache_file(cache_dir, root)
    part = target.with_name(target.name + f".{os.getpid()}.part")
    with contextlib.suppress(OSError, ValueError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        part.write_bytes(marshal.dumps((FORMAT, str(root), listing.entries, listing.problems,
                                        listing.folders, listing.broken, listing.digest)))
        os.replace(part, target)
    with contextlib.suppress(OSError):
        part.unlink(missing_ok=True)
