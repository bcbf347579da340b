"""Practices of every version of a policy, cached per version, and diffs between versions.

Each version is analysed once by the same analysis the viewer uses and its sentences with
their categories are kept in the user data folder (``history/versions/``), keyed by the
version's content (the git blob id, or a digest of the file) and by the practice model, so a
timeline or a diff that was computed once opens at once afterwards.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reader.analysis.classifier import MODEL_FILE
from reader.analysis.diff import PolicyDiff, VersionText, diff_versions, version_text
from reader.analysis.document import parse_policy
from reader.analysis.practices import Analysis, analyze_document
from reader.paths import resources_dir, user_data_dir
from reader.sources.corpus import PolicyLoadError
from reader.sources.history import PolicyHistory, Version

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def analyze_body(body: str) -> Analysis:
    """The policy's practice analysis, as every view computes it."""
    return analyze_document(parse_policy(body))


@dataclass(frozen=True)
class TimelinePoint:
    """One version on the timeline: its words and passages per category, or why not."""

    version: Version
    words: int = 0
    counts: dict[str, int] | None = None
    problem: str | None = None


@lru_cache(maxsize=1)
def _model_digest() -> str:
    return hashlib.blake2b((resources_dir() / MODEL_FILE).read_bytes(),
                           digest_size=8).hexdigest()


class VersionStore:
    """Analysed versions, in memory and on disk."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or user_data_dir() / "history" / "versions" / _model_digest()
        self._memory: dict[str, VersionText] = {}

    def text(self, history: PolicyHistory, version: Version) -> VersionText:
        """A version's sentences and categories; raises :class:`PolicyLoadError`."""
        data = None
        if version.source == "git":
            key = version.blob
        else:
            data = history.read_bytes(version)
            key = hashlib.blake2b(data, digest_size=16).hexdigest()
        found = self._memory.get(key) or self._read(key)
        if found is None:
            policy = history.load(version)
            found = version_text(analyze_body(policy.body), policy.word_count)
            self._write(key, found)
        self._memory[key] = found
        return found

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json.z"

    def _read(self, key: str) -> VersionText | None:
        try:
            return VersionText.from_json(json.loads(zlib.decompress(
                self._path(key).read_bytes())))
        except (OSError, ValueError, KeyError, TypeError, zlib.error):
            return None

    def _write(self, key: str, text: VersionText) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{os.getpid()}")
            temp.write_bytes(zlib.compress(json.dumps(text.to_json()).encode("utf-8"), 6))
            os.replace(temp, path)
        except OSError as exc:
            log.warning("cannot cache the analysis of a version in %s: %s", path, exc)


def timeline(history: PolicyHistory, store: VersionStore | None = None,
             progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None) -> list[TimelinePoint]:
    """Words and passages per category of every version, oldest first. A version that
    cannot be read is kept with its problem (shown as a gap, never a crash)."""
    store = store or VersionStore()
    points = []
    total = len(history.versions)
    for done, version in enumerate(history.versions, 1):
        if cancelled and cancelled():
            break
        try:
            text = store.text(history, version)
            points.append(TimelinePoint(version, text.words, dict(text.counts)))
        except PolicyLoadError as exc:
            points.append(TimelinePoint(version, problem=f"{exc}; version skipped"))
        if progress:
            progress(done, total)
    return points


def diff_history(history: PolicyHistory, old: Version, new: Version,
                 store: VersionStore | None = None) -> PolicyDiff:
    """The sentence diff of two versions; raises :class:`PolicyLoadError` when one of them
    cannot be read."""
    store = store or VersionStore()
    return diff_versions(store.text(history, old), store.text(history, new), old.date,
                         new.date)
