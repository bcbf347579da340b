"""Practices of every version of a policy, cached per version, and diffs between versions.

Each version is analysed once by the same analysis the viewer uses and its sentences with
their categories are kept in the user data folder (``history/versions/``), keyed by the
version's content (the git blob id, or a digest of the file) and by the practice model and
the code that reads and analyses policies, so a timeline or a diff that was computed once
opens at once afterwards.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reader.analysis.diff import PolicyDiff, VersionText, diff_versions, version_text
from reader.analysis.practices import Analysis, analyze_policy, decision_digest
from reader.analysis.taxonomy import practice_ids
from reader.paths import user_data_dir
from reader.sources.corpus import PolicyLoadError
from reader.sources.history import PolicyHistory, Version

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def analyze_body(body: str) -> Analysis:
    """The policy's practice analysis, as every view computes it."""
    return analyze_policy(body)


@dataclass(frozen=True)
class TimelinePoint:
    """One version on the timeline: its words and passages per category, or why not."""

    version: Version
    words: int = 0
    counts: dict[str, int] | None = None
    problem: str | None = None


@lru_cache(maxsize=1)
def _analysis_digest() -> str:
    """Names what decides a version's passages: the practice decision (its rule and
    models) and the analysis code (a change to either makes earlier cached analyses
    stale)."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(decision_digest().encode())
    package = Path(__file__).resolve().parent.parent
    for module in sorted([*package.glob("analysis/*.py"), *package.glob("sources/*.py")]):
        digest.update(module.read_bytes())
    return digest.hexdigest()


_CHUNKS = re.compile(r"\n[ \t]*\n")
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)")
_HEADING_CHUNK = re.compile(r"^\s{0,3}#{1,6}\s|^[^\n]+\n\s{0,3}(?:=+|-+)\s*$")


def sections(body: str) -> list[str]:
    """The markdown split before each heading: a heading with the paragraphs under it.

    Paragraphs are classified with their heading only, so a section is analysed alike on
    its own and inside the whole policy; versions of a policy share most sections.
    """
    found: list[list[str]] = [[]]
    for chunk in _CHUNKS.split(body):
        if _HEADING_CHUNK.match(chunk.strip()) and found[-1]:
            found.append([])
        found[-1].append(chunk)
    return ["\n\n".join(part) for part in found if any(c.strip() for c in part)]


def _prepared(body: str) -> str | None:
    """The markdown as the renderer reads it after its whole-policy steps (comments as text,
    table remnants flattened, wrapped lines of PDF conversions re-joined), or ``None`` when
    that cannot be known here; the steps are decided on the whole body, so sections are cut
    from this text."""
    from reader.analysis import document

    steps = [getattr(document, name, None) for name in
             ("_comments_as_text", "_flatten_table_remnants", "_rejoin_wrapped_lines")]
    if any(step is None for step in steps):
        return None
    for step in steps:
        body = step(body)
    return body


def _keyed_sections(body: str) -> list[tuple[str, str]] | None:
    """(digest, markdown) of each section; link targets are left out (they are not text,
    and session tokens in them change on every crawl). ``None`` when a section would not
    read alone as it reads in the whole policy: then the version is analysed whole."""
    prepared = _prepared(body)
    if prepared is None:
        return None
    found = []
    for section in sections(prepared):
        if _prepared(section) != section:
            return None
        section = _LINK_TARGET.sub("]()", section)
        found.append((hashlib.blake2b(section.encode("utf-8"), digest_size=16).hexdigest(),
                      section))
    return found


class VersionStore:
    """Analysed versions, in memory and on disk: whole versions for diffs, passage counts
    per version and per section for timelines."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or user_data_dir() / "history" / "versions" / _analysis_digest()
        self._memory: dict[str, VersionText] = {}
        self._counts: dict[str, list] | None = None  # version key -> [words, {id: n}]
        self._sections: dict[str, VersionText] = {}  # section digest -> its passages
        self._lock = threading.Lock()

    def counts(self, history: PolicyHistory, version: Version) -> tuple[int, dict[str, int]]:
        """Words and passages per category of a version (each new section analysed once);
        raises :class:`PolicyLoadError`."""
        with self._lock:
            if self._counts is None:
                self._counts = self._read_counts()
        key, data = self._key(history, version)
        found = self._counts.get(key)
        if found is None:
            policy = history.load(version)
            total: dict[str, int] = dict.fromkeys(practice_ids(), 0)
            keyed = _keyed_sections(policy.body)
            if keyed is None:
                total.update(version_text(analyze_body(policy.body)).counts)
            for digest, section in keyed or []:
                part = self._sections.get(digest)
                if part is None:
                    part = self._sections[digest] = version_text(analyze_body(section))
                for category_id, n in part.counts.items():
                    total[category_id] = total.get(category_id, 0) + n
            found = [policy.word_count, total]
            with self._lock:
                self._counts[key] = found
        return found[0], dict(found[1])

    def save_counts(self) -> None:
        """Keep the counts computed so far for the next time (one small file)."""
        if self._counts is None:
            return
        path = self.folder / "counts.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".counts.{os.getpid()}.{threading.get_ident()}")
            with self._lock:
                temp.write_text(json.dumps(self._counts, separators=(",", ":")), "utf-8")
            os.replace(temp, path)
        except OSError as exc:
            log.warning("cannot cache version counts in %s: %s", path, exc)

    def _read_counts(self) -> dict[str, list]:
        try:
            data = json.loads((self.folder / "counts.json").read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _key(self, history: PolicyHistory, version: Version) -> tuple[str, bytes | None]:
        if version.source == "git":
            return version.blob, None
        data = history.read_bytes(version)
        return hashlib.blake2b(data, digest_size=16).hexdigest(), data

    def text(self, history: PolicyHistory, version: Version) -> VersionText:
        """A version's sentences and categories; raises :class:`PolicyLoadError`."""
        key, _data = self._key(history, version)
        found = self._memory.get(key) or self._read(key)
        if found is None:
            policy = history.load(version)
            keyed = _keyed_sections(policy.body) or []
            parts = [self._sections.get(digest) for digest, _ in keyed]
            if parts and all(parts):  # every section already analysed (by a timeline)
                total: dict[str, int] = dict.fromkeys(practice_ids(), 0)
                for part in parts:
                    for category_id, n in part.counts.items():
                        total[category_id] = total.get(category_id, 0) + n
                found = VersionText(tuple(p for part in parts for p in part.passages),
                                    policy.word_count, total)
            else:
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
             cancelled: Callable[[], bool] | None = None,
             on_point: Callable[[int, TimelinePoint], None] | None = None
             ) -> list[TimelinePoint]:
    """Words and passages per category of every version, oldest first. A version that
    cannot be read is kept with its problem (shown as a gap, never a crash). ``on_point``
    receives each point as soon as it is known (index, point)."""
    store = store or VersionStore()
    points = []
    total = len(history.versions)
    for done, version in enumerate(history.versions, 1):
        if cancelled and cancelled():
            break
        try:
            words, counts = store.counts(history, version)
            points.append(TimelinePoint(version, words, counts))
        except PolicyLoadError as exc:
            points.append(TimelinePoint(version, problem=f"{exc}; version skipped"))
        if on_point:
            on_point(done - 1, points[-1])
        if progress:
            progress(done, total)
        if done % 50 == 0:
            store.save_counts()
    store.save_counts()
    return points


def diff_history(history: PolicyHistory, old: Version, new: Version,
                 store: VersionStore | None = None) -> PolicyDiff:
    """The sentence diff of two versions; raises :class:`PolicyLoadError` when one of them
    cannot be read."""
    store = store or VersionStore()
    return diff_versions(store.text(history, old), store.text(history, new), old.date,
                         new.date)
