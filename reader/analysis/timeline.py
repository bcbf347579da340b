"""Practices of every version of a policy, cached per version, and diffs between versions.

Each version is analysed once by the same analysis the viewer uses and its sentences with
their categories are kept in the user data folder (``history/versions/``), keyed by the
version's content (the git blob id, or a digest of the file) and by the practice model and
the code that reads and analyses policies, so a timeline or a diff that was computed once
opens at once afterwards.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import multiprocessing
import os
import re
import threading
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reader.analysis.diff import PolicyDiff, VersionText, diff_versions, version_text
from reader.analysis.practices import _BLANK_LINES as _CHUNK_BREAK  # policy_words() cuts
from reader.analysis.practices import _HEADING as _HEADING_CHUNK  # and heads as these
from reader.analysis.practices import Analysis, analyze_policy, decision_digest
from reader.analysis.taxonomy import practice_ids
from reader.paths import folder_problem, user_data_dir
from reader.sources.corpus import PolicyLoadError, count_words
from reader.sources.history import PolicyHistory, Version

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
MAX_REMEMBERED = 20_000  # paragraphs or sections kept in memory by one store


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


@dataclass
class _Plan:
    """A version whose counts wait for its new chunks to be analysed: its key, words,
    text digest and markdown, and its sections (see :meth:`VersionStore._sections_plan`)."""

    key: str
    words: int
    content: str
    body: str
    sections: list[tuple[str, str, list[tuple[str, str]] | None]] | None


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


def sections(body: str) -> list[str]:
    """The markdown split before each heading: a heading with the paragraphs under it.

    Chunks and headings are cut as :func:`policy_words` cuts them (a heading is a
    one-line ``#`` chunk), so each paragraph is classified with the same heading alone
    as inside the whole policy; versions of a policy share most sections.
    """
    found: list[list[str]] = [[]]
    for chunk in _CHUNK_BREAK.split(body):
        if _is_heading_chunk(chunk) and found[-1]:
            found.append([])
        found[-1].append(chunk)
    return ["\n\n".join(part) for part in found if any(c.strip() for c in part)]


@lru_cache(maxsize=MAX_REMEMBERED)
def _is_heading_chunk(chunk: str) -> bool:
    return _HEADING_CHUNK.match(chunk.strip()) is not None


def _prepared(body: str) -> str | None:
    """The markdown as the renderer reads it after its whole-policy steps (comments as text,
    table remnants flattened, wrapped lines of PDF conversions re-joined), or ``None`` when
    that cannot be known here (the steps are decided on the whole body)."""
    from reader.analysis import document

    steps = [getattr(document, name, None) for name in
             ("_comments_as_text", "_flatten_table_remnants", "_rejoin_wrapped_lines")]
    if any(step is None for step in steps):
        return None
    for step in steps:
        body = step(body)
    return body


def _unchanged_by_whole_policy_steps(body: str) -> bool:
    """Whether the renderer's steps that look across sections (a comment may span them;
    wrapped lines are re-joined when many paragraphs of the whole body stop mid-sentence)
    leave ``body`` as written. Table remnants are flattened run by run of pipe rows,
    which never cross a blank line: each section is checked for them (with the rest of
    :func:`_prepared`)."""
    from reader.analysis import document

    steps = [getattr(document, name, None)
             for name in ("_comments_as_text", "_rejoin_wrapped_lines")]
    return all(step is not None and step(body) == body for step in steps)


def _keyed_sections(body: str, readable_alone: dict[str, bool] | None = None,
                    parts: list[str] | None = None) -> list[tuple[str, str]] | None:
    """(digest, markdown) of each section, or ``None`` when a section might not read alone
    as it reads in the whole policy: then the version is analysed whole. That is when the
    renderer's whole-policy steps change the text (a PDF conversion's wrapped lines, say):
    the decision classifies the markdown as written, and shows it as rendered.
    ``readable_alone`` remembers that check per section digest; ``parts``: the body's
    :func:`sections` when known."""
    if not _unchanged_by_whole_policy_steps(body):
        return None
    known = {} if readable_alone is None else readable_alone
    found = []
    for section in sections(body) if parts is None else parts:
        digest = _section_digest(section)
        alone = known.get(digest)
        if alone is None:
            alone = known[digest] = _prepared(section) == section
        if not alone:
            return None
        found.append((digest, section))
    return found


@lru_cache(maxsize=4096)  # sections are long (Facebook's: 17 KB on average, 1,540 of them)
def _section_digest(section: str) -> str:
    return hashlib.blake2b(section.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# A chunk (a paragraph, list or table between blank lines) reads alone as in its policy
# unless markdown joins it to its neighbours: an indented continuation, a fenced block or
# raw HTML (a block may span blank lines; a line break tag is inline), or a reference
# link defined elsewhere (then the policy is read by sections).
_JOINS_NEIGHBOURS = re.compile(r"\A(?: {4}|\t)|```|~~~|<(?!br\s*/?>)")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]*\]:", re.MULTILINE)
# A setext heading ("Title" over "=====") is words of a paragraph to the decision but no
# sentence to highlight: a category it has goes to the sentence before it, so it is read
# with the chunk before it.
_SETEXT_HEADING = re.compile(r"\n *(?:=+|-+) *\Z")
# The target of a whole link in a chunk is neither displayed nor read by the decision
# (policy_words drops it, the renderer keeps it as an attribute): chunks differing only
# there share their counts. (A "](target)" whose "[" is in another chunk is text, and so
# is the target of a link whose text has a bracket, "[Products\[3\]](target)", to the
# decision's reading of the words.)
_LINK_TARGET = re.compile(r"(?<!\\)(\[[^\[\]\n\\]*\])\((?:https?://|/|#)[^()\s<>\[\]`\"'\\]*\)")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _units(section: str) -> list[tuple[str, str]] | None:
    """(key, markdown) of each chunk of a section read with the section's heading (a
    setext heading with the chunk before it), or ``None`` when a chunk might not read
    alone as it reads in the policy (then the section is analysed whole). The key leaves
    out link targets (see :data:`_LINK_TARGET`)."""
    chunks = [c for c in _CHUNK_BREAK.split(section) if c.strip()]
    if not chunks or any(_joins_neighbours(c) for c in chunks):
        return None
    heading = chunks[0] if _HEADING_CHUNK.match(chunks[0].strip()) else ""
    groups: list[list[str]] = []
    for chunk in chunks[1:] if heading else chunks:
        if _is_setext_heading(chunk):
            if not groups:
                return None
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    found = []
    for group in groups:
        unit = "\n\n".join([heading, *group] if heading else group)
        found.append((_unit_key(unit), unit))
    return found


# Versions share most chunks: each distinct chunk (or unit) is looked at once.
@lru_cache(maxsize=MAX_REMEMBERED)
def _joins_neighbours(chunk: str) -> bool:
    return _JOINS_NEIGHBOURS.search(chunk) is not None


@lru_cache(maxsize=MAX_REMEMBERED)
def _is_setext_heading(chunk: str) -> bool:
    return _SETEXT_HEADING.search(chunk) is not None


@lru_cache(maxsize=MAX_REMEMBERED)
def _unit_key(unit: str) -> str:
    """A chunk's key: a digest of its markdown, link targets left out."""
    return "u" + _digest(unit if "`" in unit else _LINK_TARGET.sub(r"\1(#)", unit))


def _unit_counts(unit: str) -> dict[str, int] | None:
    """Passages per category of one chunk read with its heading, or ``None`` when the
    decision put a passage on the heading (the chunk has no sentence of its own to carry
    it: inside the policy a neighbour would), so the chunk does not read alone alike."""
    analysis = analyze_body(unit)
    headings = {p.index for p in analysis.paragraphs if p.is_heading}
    if any(span.paragraph in headings for span in analysis.spans):
        return None
    counted = analysis.passage_counts()
    return {c: n for c, n in counted.items() if n}


UNIT_BREAK = "Zqxunitbreakxqz"  # a one-word paragraph between chunks analysed together


def _batch_unit_counts(units: dict[str, str]) -> dict[str, dict[str, int] | None]:
    """:func:`_unit_counts` of many chunks with one analysis (each analysis has a fixed
    cost larger than a chunk's): the chunks, heading-less ones first, each after a
    one-word paragraph that no category can reach (too short). A chunk whose passage the
    decision put on that paragraph (it has no sentence of its own to carry a category)
    is analysed alone."""
    if len(units) < 2:
        return {key: _unit_counts(unit) for key, unit in units.items()}
    ordered = sorted(units.items(),
                     key=lambda item: _HEADING_CHUNK.match(item[1].lstrip()) is not None)
    analysis = analyze_body(f"\n\n{UNIT_BREAK}\n\n".join(unit for _, unit in ordered))
    breaks = [p for p in analysis.paragraphs if p.text.strip() == UNIT_BREAK]
    if len(breaks) != len(ordered) - 1:  # a chunk did not end where it was cut
        return {key: _unit_counts(unit) for key, unit in units.items()}
    starts = [p.start for p in breaks]
    on_break = {p.index for p in breaks}
    found: list[dict[str, int] | None] = [{} for _ in ordered]
    alone: set[int] = set()
    for span in analysis.spans:
        number = bisect.bisect_right(starts, span.start)
        if span.paragraph in on_break:
            alone.update((number - 1, number))
            continue
        part = found[number]
        for category_id in span.categories:
            part[category_id] = part.get(category_id, 0) + 1
    for number in alone:
        found[number] = _unit_counts(ordered[number][1])
    return {key: part for (key, _), part in zip(ordered, found, strict=True)}


def cache_folder() -> tuple[Path | None, str | None]:
    """Where analysed versions are kept, or ``None`` and why not (an unusable user data
    folder: a file, or not writable): the history then works without a cache."""
    try:
        return user_data_dir() / "history" / "versions" / _analysis_digest(), None
    except OSError as exc:
        return None, (f"Analyses of versions are not kept for next time: "
                      f"{folder_problem(exc)}.")


class VersionStore:
    """Analysed versions, in memory and on disk (when the user data folder can be used):
    whole versions for diffs, passage counts per version for timelines.

    The numbers are those of :func:`analyze_policy` (the one decision) on the whole
    version. For a timeline a version is counted chunk by chunk (see :func:`_units`: a
    paragraph, list or table read with its section's one-line ``#`` heading), or section
    by section where a chunk might not read alone alike, which the decision reads alike
    alone and inside the policy (tests compare both on real histories); each distinct
    chunk or section is analysed once, however many versions share it. A diff's whole
    version is assembled from sections met before, or analysed whole.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.problem: str | None = None
        if folder is None:
            folder, self.problem = cache_folder()
        self.folder = folder
        self._memory: dict[str, VersionText] = {}
        self._cache: dict[str, dict] | None = None  # see _read_counts
        self._unsaved = False  # counts computed since the file was written
        self._pieces: dict[str, int] = {}  # paragraph -> its words
        self._sections: dict[str, VersionText] = {}  # section digest -> its passages
        self._readable_alone: dict[str, bool] = {}  # section digest -> reads alone alike
        self._section_units: dict[str, list[tuple[str, str]] | None] = {}
        self._lock = threading.Lock()

    def counts(self, history: PolicyHistory, version: Version) -> tuple[int, dict[str, int]]:
        """Words and passages per category of a version; raises :class:`PolicyLoadError`."""
        found = self._prepare(history, version)
        if isinstance(found, _Plan):
            new = self._new_units(found)
            self._sections_counts().update(_batch_unit_counts(new))
            found = self._finish(found)
        return found

    def _sections_counts(self) -> dict[str, dict[str, int] | None]:
        """Chunk key or section digest -> its passages per category (kept on disk)."""
        with self._lock:
            if self._cache is None:
                self._cache = self._read_counts()
        return self._cache["sections"]

    def _prepare(self, history: PolicyHistory, version: Version
                 ) -> tuple[int, dict[str, int]] | _Plan:
        """A version's words and counts when known (from the cache, or another version
        with the same text), else what adding them up needs: its sections and chunks."""
        self._sections_counts()
        versions, contents = self._cache["versions"], self._cache["contents"]
        key, _data = self._key(history, version)
        found = versions.get(key)
        if found is None:
            body = history.read_body(version)
            parts = sections(body)
            words, content = self._words_and_content(body, parts)
            counted = contents.get(content)
            if counted is None:
                return _Plan(key, words, content, body, self._sections_plan(body, parts))
            found = versions[key] = [words, counted]
            self._unsaved = True
        return found[0], dict(found[1])

    def _sections_plan(self, body: str, parts: list[str] | None = None
                       ) -> list[tuple[str, str, list[tuple[str, str]] | None]] | None:
        """(digest, markdown, chunks) of each section, chunks ``None`` where the section
        is analysed whole; ``None`` when the version is analysed whole."""
        keyed = _keyed_sections(body, self._readable_alone, parts)
        if keyed is None:
            return None
        # (The search only where one can be: it reads the whole version.)
        by_units = "]:" not in body or not _REFERENCE_DEFINITION.search(body)
        return [(digest, section, self._units_of(section) if by_units else None)
                for digest, section in keyed]

    def _new_units(self, plan: _Plan) -> dict[str, str]:
        """The chunks of a planned version not analysed yet."""
        known = self._sections_counts()
        return {key: unit for _, _, units in plan.sections or () for key, unit in units or ()
                if key not in known}

    def _finish(self, plan: _Plan) -> tuple[int, dict[str, int]]:
        """Words and passages per category of a planned version whose chunks are known,
        as :func:`analyze_policy` counts them on the whole version (a section whose
        chunks do not read alone, or a version whose sections do not, analysed here)."""
        sections_counts = self._sections_counts()
        total: dict[str, int] = dict.fromkeys(practice_ids(), 0)
        if plan.sections is None:
            total.update(version_text(analyze_body(plan.body)).counts)
        for digest, section, units in plan.sections or ():
            part: dict[str, int] | None = {}
            for key, _unit in units or ():
                counted = sections_counts.get(key)
                if counted is None:
                    part = None
                    break
                for category_id, n in counted.items():
                    part[category_id] = part.get(category_id, 0) + n
            if units is None or part is None:
                part = sections_counts.get(digest)
            if part is None:
                part = sections_counts[digest] = self._section_text(digest, section).counts
            for category_id, n in part.items():
                total[category_id] = total.get(category_id, 0) + n
        self._cache["contents"][plan.content] = total
        self._cache["versions"][plan.key] = [plan.words, total]
        self._unsaved = True
        return plan.words, dict(total)

    def _words_and_content(self, body: str, parts: list[str] | None = None
                           ) -> tuple[int, str]:
        """Words of a version and a digest of its text. Versions share most of their
        paragraphs and sections, so the words of each distinct paragraph (or section,
        ``parts``: the body's :func:`sections`, which leave out only blank lines, where
        no word is, so the counts add up) are counted once."""
        words = 0
        pieces = self._pieces
        for piece in body.split("\n\n") if parts is None else parts:
            known = pieces.get(piece)
            if known is None:
                known = pieces[piece] = count_words(piece)
            words += known
        if len(pieces) > MAX_REMEMBERED:
            pieces.clear()
        digest = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16)
        return words, digest.hexdigest()

    def _section_text(self, digest: str, section: str) -> VersionText:
        """A section's sentences and categories (analysed once)."""
        found = self._sections.get(digest)
        if found is None:
            if len(self._sections) > MAX_REMEMBERED:
                self._sections.clear()
            found = self._sections[digest] = version_text(analyze_body(section))
        return found

    def _units_of(self, section: str) -> list[tuple[str, str]] | None:
        """:func:`_units` of a section (remembered: versions share most sections)."""
        units = self._section_units.get(section, False)
        if units is False:
            if len(self._section_units) > MAX_REMEMBERED:
                self._section_units.clear()
            units = self._section_units[section] = _units(section)
        return units

    def save_counts(self) -> None:
        """Keep the counts computed so far for the next time (one small file)."""
        if self._cache is None or self.folder is None or not self._unsaved:
            return
        self._unsaved = False
        path = self.folder / "counts.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".counts.{os.getpid()}.{threading.get_ident()}")
            with self._lock:
                temp.write_text(json.dumps(self._cache, separators=(",", ":")), "utf-8")
            os.replace(temp, path)
        except OSError as exc:
            log.warning("cannot cache version counts in %s: %s", path, exc)

    def _read_counts(self) -> dict[str, dict]:
        """``versions``: version key -> [words, counts]; ``contents``: text digest ->
        counts; ``sections``: section digest -> counts."""
        empty: dict[str, dict] = {"versions": {}, "contents": {}, "sections": {}}
        if self.folder is None:
            return empty
        try:
            data = json.loads((self.folder / "counts.json").read_text("utf-8"))
        except (OSError, ValueError):
            return empty
        if not isinstance(data, dict) or not all(isinstance(data.get(k), dict)
                                                  for k in empty):
            return empty
        return data

    def _key(self, history: PolicyHistory, version: Version) -> tuple[str, bytes | None]:
        if version.source == "git":
            return version.blob, None
        data = history.read_bytes(version)
        return hashlib.blake2b(data, digest_size=16).hexdigest(), data

    def text(self, history: PolicyHistory, version: Version) -> VersionText:
        """A version's sentences and categories; when most of its sections were met
        before (in a timeline), only the new ones are analysed. Raises
        :class:`PolicyLoadError`."""
        key, _data = self._key(history, version)
        found = self._memory.get(key) or self._read(key)
        if found is None:
            policy = history.load(version)
            # (With no section analysed yet, the version is analysed whole.)
            keyed = _keyed_sections(policy.body, self._readable_alone) if self._sections \
                else None
            known = sum(len(section) for digest, section in keyed or ()
                        if digest in self._sections)
            if keyed is None or known < len(policy.body) / 2:
                # Mostly new text: analysed whole, which is faster than section by section
                # (each analysis has a fixed cost) and gives the same passages.
                found = version_text(analyze_body(policy.body), policy.word_count)
            else:
                parts = [self._section_text(digest, section) for digest, section in keyed]
                total: dict[str, int] = dict.fromkeys(practice_ids(), 0)
                for part in parts:
                    for category_id, n in part.counts.items():
                        total[category_id] = total.get(category_id, 0) + n
                found = VersionText(tuple(p for part in parts for p in part.passages),
                                    policy.word_count, total)
            self._write(key, found)
        self._memory[key] = found
        return found

    def _path(self, key: str) -> Path | None:
        return self.folder / key[:2] / f"{key}.json.z" if self.folder else None

    def _read(self, key: str) -> VersionText | None:
        if self.folder is None:
            return None
        try:
            return VersionText.from_json(json.loads(zlib.decompress(
                self._path(key).read_bytes())))
        except (OSError, ValueError, KeyError, TypeError, zlib.error):
            return None

    def _write(self, key: str, text: VersionText) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{os.getpid()}")
            temp.write_bytes(zlib.compress(json.dumps(text.to_json()).encode("utf-8"), 6))
            os.replace(temp, path)
        except OSError as exc:
            log.warning("cannot cache the analysis of a version in %s: %s", path, exc)


POOL_WORDS = 20_000  # words of new chunks from which worker processes analyse them
MAX_WORKERS = 4


def _worker_count() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class _ChunkAnalyses:
    """The new chunks of each version, analysed together (as :meth:`VersionStore.counts`
    does): in worker processes once they add up to :data:`POOL_WORDS` words (and there
    is more than one core), else in this process. Results go into ``known``."""

    def __init__(self, known: dict[str, dict[str, int] | None], workers: int) -> None:
        self.known = known
        self.workers = workers
        self.words = 0
        self.running: dict[Future, dict[str, str]] = {}
        self.submitted: set[str] = set()
        self.pool: ProcessPoolExecutor | None = None

    def add(self, units: dict[str, str]) -> dict[str, str]:
        """Analyse a version's chunks that no version before it had; returns them all."""
        new = {key: unit for key, unit in units.items()
               if key not in self.known and key not in self.submitted}
        if not new:
            return units
        self.words += sum(unit.count(" ") + 1 for unit in new.values())
        if self.pool is None and self.words >= POOL_WORDS and self.workers > 1:
            # Forking a process that runs Qt threads is unsafe; spawn there.
            method = "fork" if threading.current_thread() is threading.main_thread() \
                else "spawn"
            try:
                self.pool = ProcessPoolExecutor(self.workers,
                                                multiprocessing.get_context(method))
            except (OSError, ValueError) as exc:
                log.warning("analysing versions in this process: %s", exc)
                self.workers = 1
        if self.pool is not None:
            try:
                self.running[self.pool.submit(_batch_unit_counts, new)] = new
                self.submitted.update(new)
                return units
            except RuntimeError as exc:  # the pool broke down: here then
                log.warning("analysing versions in this process: %s", exc)
        self.known.update(_batch_unit_counts(new))
        return units

    def collect(self, timeout: float | None = 0) -> None:
        """Take the results of finished analyses (waiting up to ``timeout`` for one)."""
        if not self.running:
            return
        done, _ = wait(list(self.running), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            batch = self.running.pop(future)
            try:
                self.known.update(future.result())
            except Exception as exc:  # noqa: BLE001 - a worker that failed: here then
                log.warning("a worker could not analyse versions (%s); analysing here", exc)
                self.known.update(_batch_unit_counts(batch))
            self.submitted.difference_update(batch)

    def waiting_for(self, units: dict[str, str]) -> bool:
        return any(key not in self.known for key in units)

    def close(self, cancelled: bool) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=not cancelled, cancel_futures=True)
            self.pool = None


def timeline(history: PolicyHistory, store: VersionStore | None = None,
             progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None,
             on_point: Callable[[int, TimelinePoint], None] | None = None,
             workers: int | None = None) -> list[TimelinePoint]:
    """Words and passages per category of every version, oldest first. A version that
    cannot be read is kept with its problem (shown as a gap, never a crash). ``on_point``
    receives each point as soon as it is known (index, point).

    The versions are read first, and the chunks no version read before had are analysed
    in batches as they are met, in ``workers`` processes (default: the cores, at most
    :data:`MAX_WORKERS`) when there is more than a batch of them."""
    store = store or VersionStore()
    analyses = _ChunkAnalyses(store._sections_counts(), workers or _worker_count())
    points: list[TimelinePoint] = []
    # Versions read, in order: a point, or a plan waiting for its new chunks.
    waiting: deque[tuple[Version, TimelinePoint | _Plan, dict[str, str]]] = deque()
    total = len(history.versions)
    stopped = False

    def emit_ready() -> None:
        while waiting and not analyses.waiting_for(waiting[0][2]):
            version, found, _units = waiting.popleft()
            if isinstance(found, _Plan):
                words, counts = store._finish(found)
                found = TimelinePoint(version, words, counts)
            points.append(found)
            if on_point:
                on_point(len(points) - 1, found)
            if progress:
                progress(len(points), total)
            if len(points) % 50 == 0:
                store.save_counts()

    try:
        for version in history.versions:
            if cancelled and cancelled():
                stopped = True
                break
            try:
                found = store._prepare(history, version)
            except PolicyLoadError as exc:
                found = TimelinePoint(version, problem=f"{exc}; version skipped")
            units: dict[str, str] = {}
            if isinstance(found, _Plan):
                units = analyses.add(store._new_units(found))
            elif isinstance(found, tuple):
                found = TimelinePoint(version, found[0], found[1])
            waiting.append((version, found, units))
            analyses.collect()
            emit_ready()
        while waiting and not stopped:
            if cancelled and cancelled():
                stopped = True
                break
            analyses.collect(timeout=0.1)
            emit_ready()
    finally:
        analyses.close(cancelled=stopped)
    store.save_counts()
    return points


def diff_history(history: PolicyHistory, old: Version, new: Version,
                 store: VersionStore | None = None) -> PolicyDiff:
    """The sentence diff of two versions; raises :class:`PolicyLoadError` when one of them
    cannot be read."""
    store = store or VersionStore()
    return diff_versions(store.text(history, old), store.text(history, new), old.date,
                         new.date)
