"""Dated policy files: one file per version of one policy.

Two layouts are recognised, both relative to a corpus root:

- ``<company>/<YYYY-MM-DD>.md`` (the Princeton-Leuven history sample): the company is the
  folder name;
- files whose name starts with ``YYYYMMDD_`` in one folder, e.g. the Platform Governance
  Archive's ``Facebook/Privacy Policy/20040613_Facebook_PrivacyPolicy.md``: the policy is
  the folder's path, ``Facebook/Privacy Policy``.

Pure string work (no file access, no other project imports), so the corpus scanner can use
it to list the newest version of each dated policy.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import PurePath

_ISO_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.(?:md|markdown|txt)$", re.IGNORECASE)
_COMPACT_PREFIX = re.compile(r"^(\d{4})(\d{2})(\d{2})_.*\.(?:md|markdown|txt)$", re.IGNORECASE)


def path_parts(relpath: str | PurePath) -> tuple[str, ...]:
    """The parts of a relative path, as ``PurePath(relpath).parts`` (a plain split for
    strings: the corpus scanner calls this for every file, and building paths was most
    of the time of listing 20,000 files)."""
    if isinstance(relpath, PurePath):
        return relpath.parts
    if os.altsep:
        relpath = relpath.replace(os.altsep, os.sep)
    return tuple(part for part in relpath.split(os.sep) if part and part != ".")


@dataclass(frozen=True)
class DatedFile:
    """A file that is one dated version of a policy."""

    policy: str  # the policy's name: its folder's path relative to the corpus root
    date: str  # YYYY-MM-DD


def dated_file(relpath: str | PurePath) -> DatedFile | None:
    """``facebook.com/2009-12-31.md`` -> ``DatedFile("facebook.com", "2009-12-31")``;
    ``None`` for a file that is not a dated version (or sits at the corpus root)."""
    parts = path_parts(relpath)
    if len(parts) < 2:
        return None
    match = _ISO_NAME.match(parts[-1]) or _COMPACT_PREFIX.match(parts[-1])
    if match is None:
        return None
    try:
        date = dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None
    return DatedFile("/".join(parts[:-1]), date)
