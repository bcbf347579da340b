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
import sys
import threading
import zlib
from collections import Counter, deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reader.analysis.diff import (
    _SPACE,
    Passage,
    PolicyDiff,
    VersionText,
    add_file_differences,
    diff_versions,
    version_text,
)
from reader.analysis.language import ENGLISH, function_word_hits, language_of_hits
from reader.analysis.practices import _BLANK_LINES as _CHUNK_BREAK  # policy_words() cuts
from reader.analysis.practices import _HEADING as _HEADING_CHUNK  # and heads as these
from reader.analysis.practices import Analysis, analyze_policy, decision_digest
from reader.analysis.taxonomy import practice_ids
from reader.paths import folder_problem, user_data_dir
from reader.sources.corpus import Policy, PolicyLoadError, count_words
from reader.sources.history import PolicyHistory, Version

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
MAX_REMEMBERED = 20_000  # paragraphs or sections kept in memory by one store


def analyze_body(body: str) -> Analysis:
    """The policy's practice analysis, as every view computes it, without its privacy
    facts: the history's chart and diff show its passages alone (the same with facts)."""
    return analyze_policy(body, facts=False)


@dataclass(frozen=True)
class TimelinePoint:
    """One version on the timeline: its words and passages per category, or why not."""

    version: Version
    words: int = 0
    counts: dict[str, int] | None = None
    problem: str | None = None
    language: str = ENGLISH  # as the viewer's analysis reads it: another one, counts mislead


@dataclass
class _Plan:
    """A version whose counts wait for its new chunks to be analysed: its key, words,
    text digest and markdown, and its sections (see :meth:`VersionStore._sections_plan`)."""

    key: str
    words: int
    content: str
    body: str
    sections: list[tuple[str, str, list[tuple[str, str]] | None]] | None
    language: str = ENGLISH


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
    return ["\n\n".join(part) for part in _section_chunks(body)]


def _section_chunks(body: str) -> list[list[str]]:
    """The chunks of each of the body's :func:`sections`."""
    found: list[list[str]] = [[]]
    for chunk in _CHUNK_BREAK.split(body):
        if "#" in chunk and _is_heading_chunk(chunk) and found[-1]:
            found.append([])
        found[-1].append(chunk)
    return [part for part in found if any(c and not c.isspace() for c in part)]


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
    which never cross a heading: each section is checked for them (with the rest of
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


def _only_tables_flattened(section: str) -> bool:
    """Whether the renderer's steps change a section only by flattening table remnants."""
    from reader.analysis import document

    flattened = document._flatten_table_remnants(section)
    return document._comments_as_text(section) == section and \
        document._rejoin_wrapped_lines(flattened) == flattened


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


def _units(section: str, chunks: list[str] | None = None) -> list[tuple[str, str]] | None:
    """(key, markdown) of each chunk of a section read with the section's heading (a
    setext heading with the chunk before it), or ``None`` when a chunk might not read
    alone as it reads in the policy (then the section is analysed whole). The key leaves
    out link targets (see :data:`_LINK_TARGET`). ``chunks``: the section's chunks when
    known (see :func:`_section_chunks`; cut again from the section they come out alike)."""
    chunks = [c for c in (_CHUNK_BREAK.split(section) if chunks is None else chunks)
              if c and not c.isspace()]
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


_INDENTED = re.compile(r"\A(?: {4}|\t)")


def _grouped_units(section: str) -> list[tuple[str, str]] | None:
    """:func:`_units` of a section where an indented chunk (a list item's continuation, or
    code) is read with the chunk before it, as markdown reads it; ``None`` when a chunk
    might still not read alone (a fenced block or raw HTML may span blank lines)."""
    chunks = [c for c in _CHUNK_BREAK.split(section) if c.strip()]
    heading = chunks[0] if chunks and _HEADING_CHUNK.match(chunks[0].strip()) else ""
    groups: list[list[str]] = []
    for chunk in chunks[1:] if heading else chunks:
        joined = _INDENTED.match(chunk) is not None
        if _joins_neighbours(chunk) and (not joined or _joins_neighbours(chunk.lstrip())):
            return None
        if joined or _is_setext_heading(chunk):
            if not groups:
                return None
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    return [(_unit_key(unit), unit) for unit in
            ("\n\n".join([heading, *group] if heading else group) for group in groups)]


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


SHARED_ENOUGH = 0.7  # texts are read in parts when their new chunks are at most this share
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


_WORD = re.compile(r"\w")  # a word, as the decision's words are read (classifier.TOKEN)


def _has_heading(unit: str) -> bool:
    """Whether a chunk (see :func:`_units`) is read with its section's ``#`` heading."""
    return _HEADING_CHUNK.match(_CHUNK_BREAK.split(unit, 1)[0].strip()) is not None


@dataclass(frozen=True)
class UnitText:
    """A chunk's sentences as the decision reads them inside its policy: ``heading`` the
    passages of its section's ``#`` heading (read with it), ``own`` its own, ``counts``
    passages per category."""

    heading: tuple[Passage, ...]
    own: tuple[Passage, ...]
    counts: dict[str, int]


def _batch_unit_texts(units: dict[str, str]) -> dict[str, UnitText | None] | None:
    """The sentences and categories of many chunks (see :func:`_units`) with one analysis,
    cut as :func:`_batch_unit_counts` cuts them. A chunk is ``None`` where it does not read
    alone alike (the decision put a passage on a heading or on the paragraph between
    chunks); all are ``None`` (the call returns ``None``) when the chunks did not end where
    they were cut."""
    ordered = sorted(units.items(), key=lambda item: _has_heading(item[1]))
    if not ordered:
        return {}
    analysis = analyze_body(f"\n\n{UNIT_BREAK}\n\n".join(unit for _, unit in ordered))
    paragraphs = analysis.paragraphs
    breaks = [p.index for p in paragraphs if p.text.strip() == UNIT_BREAK]
    if len(breaks) != len(ordered) - 1:
        return None
    bounds = [-1, *breaks, len(paragraphs)]
    by_bounds = {(span.start, span.end): span.categories for span in analysis.spans}
    unit_of_paragraph = {}
    for number, (first, last) in enumerate(zip(bounds, bounds[1:], strict=False)):
        for index in range(first + 1, last):
            unit_of_paragraph[index] = number
    counts: list[dict[str, int]] = [{} for _ in ordered]
    alone = [True] * len(ordered)
    for span in analysis.spans:
        paragraph = paragraphs[span.paragraph]
        number = unit_of_paragraph.get(span.paragraph)
        if number is None or paragraph.is_heading:
            for near in (bisect.bisect_left(breaks, span.paragraph) - 1,
                         bisect.bisect_left(breaks, span.paragraph)):
                if 0 <= near < len(ordered):
                    alone[near] = False
            if number is not None:
                alone[number] = False
            continue
        for category_id in span.categories:
            counts[number][category_id] = counts[number].get(category_id, 0) + 1
    found: dict[str, UnitText | None] = {}
    for number, ((key, unit), first, last) in enumerate(zip(ordered, bounds, bounds[1:],
                                                              strict=False)):
        inside = paragraphs[first + 1:last]
        has_heading = _has_heading(unit)
        if not alone[number] or not inside or (has_heading and not inside[0].is_heading):
            found[key] = None
            continue
        passages: list[list[Passage]] = [[], []]
        for position, paragraph in enumerate(inside):
            part = passages[0 if has_heading and position == 0 else 1]
            for sentence in paragraph.sentences:
                text = _SPACE.sub(" ", analysis.text[sentence.start:sentence.end]).strip()
                if text:
                    part.append(Passage(text, by_bounds.get((sentence.start, sentence.end),
                                                            ())))
        if any(not _WORD.search(passage.text) for passage in passages[1]):
            # A sentence without words ("=====") is read with its neighbour in the
            # section, which may carry its passage: the section is read whole.
            found[key] = None
            continue
        found[key] = UnitText(tuple(passages[0]), tuple(passages[1]), counts[number])
    return found


def cache_folder() -> tuple[Path | None, str | None]:
    """Where analysed versions are kept, or ``None`` and why not (an unusable user data
    folder: a file, or not writable): the history then works without a cache."""
    try:
        return user_data_dir() / "history" / "versions" / _analysis_digest(), None
    except OSError as exc:
        return None, (f"Analyses of versions are not kept for next time: "
                      f"{folder_problem(exc)}.")


def _function_word_hits(markdown: str) -> Counter:
    """Language code -> function words among the words shown of ``markdown``."""
    from reader.analysis.classifier import TOKEN
    from reader.search.query import index_text

    return function_word_hits(TOKEN.findall(index_text(markdown).lower()))


_MARKUP_ENDS = (("[", "]"), ("<", ">"), ("](", ")"))  # what _markup_inside looks at


@lru_cache(maxsize=MAX_REMEMBERED)
def _markup_inside(chunk: str) -> bool:
    """Whether each link and tag that :func:`index_text` may take out of a chunk of a
    section ends inside the chunk: every ``[`` and ``<`` has a ``]`` and a ``>`` after
    it, every ``](`` a ``)``. Then the words it shows are the same alone and in its
    section (a mark at a line's start takes only marks and numbers, no word)."""
    return all(opening not in chunk or chunk.rfind(opening) < chunk.rfind(closing)
               for opening, closing in _MARKUP_ENDS)


def _markup_groups(chunks: list[str]) -> list[str]:
    """A section's chunks, those a link or tag spans joined (as in the section: by a blank
    line) until the group holds the whole of its markup (see :func:`_markup_inside`): the
    words shown of the section are those of its groups, one after the other. Most chunks
    are a group alone; a link card spanning blank lines (Facebook's) is one group. (Whether
    a group is open is decided by the last chunk that has an opening or closing mark, as
    :func:`_markup_inside` would decide on the joined text.)"""
    groups: list[str] = []
    group: list[str] = []
    still_open = [False] * len(_MARKUP_ENDS)
    for chunk in chunks:
        if not group and _markup_inside(chunk):
            groups.append(chunk)
            continue
        group.append(chunk)
        for number, (opening, closing) in enumerate(_MARKUP_ENDS):
            last_opening, last_closing = chunk.rfind(opening), chunk.rfind(closing)
            if last_opening >= 0 or last_closing >= 0:
                still_open[number] = last_opening > last_closing
        if not any(still_open):
            groups.append("\n\n".join(group))
            group = []
    if group:
        groups.append("\n\n".join(group))
    return groups


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
        self._part_words: dict[str, int] = {}  # section -> its words
        # Section digest -> passages per category, once each of its chunks is counted
        # (versions share most sections: their chunks are added up once).
        self._section_totals: dict[str, dict[str, int]] = {}
        self._piece_hits: dict[str, Mapping[str, int]] = {}  # section -> function words
        self._sections: dict[str, VersionText] = {}  # section digest -> its passages
        self._readable_alone: dict[str, bool] = {}  # section digest -> reads alone alike
        self._section_units: dict[str, list[tuple[str, str]] | None] = {}
        self._unit_texts: dict[str, UnitText | None] = {}  # chunk key -> its passages
        self._section_parts: dict[str, VersionText | None] = {}  # see _section_part
        self._texts_lock = threading.Lock()
        self._lock = threading.Lock()

    def counts(self, history: PolicyHistory, version: Version) -> tuple[int, dict[str, int]]:
        """Words and passages per category of a version; raises :class:`PolicyLoadError`."""
        found = self._prepare(history, version)
        if isinstance(found, _Plan):
            new = self._new_units(found)
            self._sections_counts().update(_batch_unit_counts(new))
            return self._finish(found)
        return found[0], found[1]

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
            chunked = _section_chunks(body)
            parts = ["\n\n".join(part) for part in chunked]
            words, content = self._words_and_content(body, chunked=(parts, chunked))
            language = self._language(parts, chunked)
            counted = contents.get(content)
            if counted is None:
                return _Plan(key, words, content, body,
                             self._sections_plan(body, parts, chunked), language)
            found = versions[key] = [words, counted, language]
            self._unsaved = True
        elif len(found) < 3:  # kept before languages were
            found.append(self._language(sections(history.read_body(version))))
            self._unsaved = True
        return found[0], dict(found[1]), found[2]

    def _sections_plan(self, body: str, parts: list[str] | None = None,
                       chunked: list[list[str]] | None = None
                       ) -> list[tuple[str, str, list[tuple[str, str]] | None]] | None:
        """(digest, markdown, chunks) of each section, chunks ``None`` where the section
        is analysed whole; ``None`` when the version is analysed whole. ``parts`` and
        ``chunked``: the body's sections and their chunks, when known."""
        keyed = _keyed_sections(body, self._readable_alone, parts)
        if keyed is None:
            return None
        # (The search only where one can be: it reads the whole version.)
        by_units = "]:" not in body or not _REFERENCE_DEFINITION.search(body)
        chunks_of = chunked if chunked is not None else [None] * len(keyed)
        return [(digest, section, self._units_of(section, chunks) if by_units else None)
                for (digest, section), chunks in zip(keyed, chunks_of, strict=True)]

    def _new_units(self, plan: _Plan) -> dict[str, str]:
        """The chunks of a planned version not analysed yet."""
        known = self._sections_counts()
        totals = self._section_totals
        return {key: unit for digest, _, units in plan.sections or () if digest not in totals
                for key, unit in units or () if key not in known}

    def _finish(self, plan: _Plan) -> tuple[int, dict[str, int]]:
        """Words and passages per category of a planned version whose chunks are known,
        as :func:`analyze_policy` counts them on the whole version (a section whose
        chunks do not read alone, or a version whose sections do not, analysed here)."""
        sections_counts = self._sections_counts()
        total: dict[str, int] = dict.fromkeys(practice_ids(), 0)
        if plan.sections is None:
            total.update(version_text(analyze_body(plan.body)).counts)
        totals = self._section_totals
        if len(totals) > MAX_REMEMBERED:
            totals.clear()
        for digest, section, units in plan.sections or ():
            part: dict[str, int] | None = totals.get(digest) if units else None
            if part is not None:
                for category_id, n in part.items():
                    total[category_id] = total.get(category_id, 0) + n
                continue
            part = {}
            for key, _unit in units or ():
                counted = sections_counts.get(key)
                if counted is None:
                    part = None
                    break
                for category_id, n in counted.items():
                    part[category_id] = part.get(category_id, 0) + n
            if units and part is not None:
                totals[digest] = part
            if units is None or part is None:
                part = sections_counts.get(digest)
            if part is None:
                part = sections_counts[digest] = self._section_text(digest, section).counts
            for category_id, n in part.items():
                total[category_id] = total.get(category_id, 0) + n
        self._cache["contents"][plan.content] = total
        self._cache["versions"][plan.key] = [plan.words, total, plan.language]
        self._unsaved = True
        return plan.words, dict(total)

    def _words_and_content(self, body: str, chunks: list[str] | None = None,
                           chunked: tuple[list[str], list[list[str]]] | None = None
                           ) -> tuple[int, str]:
        """Words of a version and a digest of its text. Versions share most of their
        paragraphs, so the words of each distinct paragraph (or chunk, ``chunks``: those
        of the body's :func:`sections`, which leave out only blank lines, where no word
        is, so the counts add up: words are cut at spaces) are counted once; ``chunked``:
        the body's sections and the chunks of each, each distinct section added up once."""
        if chunked is None:
            words = self._chunk_words(body.split("\n\n") if chunks is None else chunks)
        else:
            words = 0
            part_words = self._part_words
            for part, part_chunks in zip(*chunked, strict=True):
                known = part_words.get(part)
                if known is None:
                    known = part_words[part] = self._chunk_words(part_chunks)
                words += known
            if len(part_words) > MAX_REMEMBERED:
                part_words.clear()
        digest = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16)
        return words, digest.hexdigest()

    def _chunk_words(self, chunks: list[str]) -> int:
        """The words of ``chunks``, each distinct one counted once."""
        words = 0
        pieces = self._pieces
        for piece in chunks:
            known = pieces.get(piece)
            if known is None:
                known = pieces[piece] = count_words(piece)
            words += known
        if len(pieces) > MAX_REMEMBERED:
            pieces.clear()
        return words

    def _language(self, parts: list[str], chunked: list[list[str]] | None = None) -> str:
        """The language a version reads as, from its :func:`sections` (the rule of
        :attr:`Analysis.language`: function words of the shown text; each distinct section
        counted once, as versions share most of them). ``chunked``: the sections' chunks,
        when known: a section's words are those of its chunks, each distinct chunk (or
        group of chunks a link spans, see :func:`_markup_groups`) counted once. (Counts are
        added up in plain dicts: Counter.update cost 0.25 s of a 492-version chart.)"""
        hits: dict[str, int] = {}
        known = self._piece_hits
        for number, part in enumerate(parts):
            found = known.get(part)
            if found is None:
                chunks = chunked[number] if chunked is not None else None
                if chunks is not None:
                    found = {}
                    for group in _markup_groups(chunks):
                        counted = known.get(group)
                        if counted is None:
                            counted = known[group] = _function_word_hits(group)
                        for language, n in counted.items():
                            found[language] = found.get(language, 0) + n
                else:
                    found = _function_word_hits(part)
                known[part] = found
            for language, n in found.items():
                hits[language] = hits.get(language, 0) + n
        if len(known) > MAX_REMEMBERED:
            known.clear()
        return language_of_hits(Counter(hits))

    def _section_text(self, digest: str, section: str) -> VersionText:
        """A section's sentences and categories (analysed once)."""
        found = self._sections.get(digest)
        if found is None:
            if len(self._sections) > MAX_REMEMBERED:
                self._sections.clear()
            found = self._sections[digest] = version_text(analyze_body(section))
        return found

    def _units_of(self, section: str, chunks: list[str] | None = None
                  ) -> list[tuple[str, str]] | None:
        """:func:`_units` of a section (remembered: versions share most sections)."""
        units = self._section_units.get(section, False)
        if units is False:
            if len(self._section_units) > MAX_REMEMBERED:
                self._section_units.clear()
            units = self._section_units[section] = _units(section, chunks)
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
        """A version's sentences and categories (see :meth:`texts`). Raises
        :class:`PolicyLoadError`."""
        return self.texts(history, [version])[0]

    def texts(self, history: PolicyHistory, versions: list[Version]) -> list[VersionText]:
        """Versions' sentences and categories, as :func:`analyze_policy` decides them on
        each whole version: read from the cache, or assembled chunk by chunk (see
        :func:`_units`; section by section where a chunk might not read alone alike), each
        distinct chunk analysed once (versions share most of their text: a diff analyses
        the text they share once), the new chunks of all versions in one analysis. A
        version that might not read alike in parts (see :meth:`_parts_plan`), and versions
        sharing too little (see :data:`SHARED_ENOUGH`), are analysed whole. Raises
        :class:`PolicyLoadError`."""
        found: dict[int, VersionText] = {}
        pending: list[tuple[int, str, Policy]] = []
        for number, version in enumerate(versions):
            key, _data = self._key(history, version)
            known = self._memory.get(key) or self._read(key)
            if known is not None:
                found[number] = self._memory[key] = known
                continue
            pending.append((number, key, history.load(version)))
        with self._texts_lock:  # (two diffs at once share the chunks analysed)
            analysed = self.analysed([policy.body for _, _, policy in pending])
        for (number, key, policy), text in zip(pending, analysed, strict=True):
            text = VersionText(text.passages, policy.word_count, text.counts)
            self._write(key, text)
            found[number] = self._memory[key] = text
        return [found[number] for number in range(len(versions))]

    def analysed(self, bodies: list[str]) -> list[VersionText]:
        """The sentences and categories of policy texts (see :meth:`texts`; word counts
        left at 0)."""
        plans = [self._parts_plan(body) for body in bodies]
        new_units = self._new_chunks(plans)
        # In parts only when the texts share enough (versions of one policy mostly do):
        # otherwise analysing each whole costs less (the chunks repeat their heading).
        in_parts = sum(len(body) for body, plan in zip(bodies, plans, strict=True) if plan)
        if sum(len(unit) for unit in new_units.values()) > SHARED_ENOUGH * in_parts:
            plans, new_units = [None] * len(bodies), {}
        # Sections read alone first: a text with one that may not read alike is read whole.
        plans = [plan if plan is None or all(
            self._section_part(digest, section) is not None
            for digest, section, units in plan if units is None) else None
            for plan in plans]
        new_units = self._new_chunks(plans)
        if new_units:
            if len(self._unit_texts) > MAX_REMEMBERED:
                self._unit_texts.clear()
            batch = _batch_unit_texts(new_units)
            if batch is None:  # the chunks did not end where cut: read the texts whole
                plans = [None] * len(bodies)
            else:
                self._unit_texts.update(batch)
        out = []
        for body, plan in zip(bodies, plans, strict=True):
            text = self._assembled(plan) if plan is not None else None
            if text is None:
                text = version_text(analyze_body(body))
            out.append(VersionText(text.passages, 0, text.counts))
        return out

    def _new_chunks(self, plans: list) -> dict[str, str]:
        """The chunks of texts read in parts (see :meth:`_parts_plan`) not analysed yet."""
        return {key: unit for plan in plans for _, _, units in plan or ()
                for key, unit in units or () if key not in self._unit_texts}

    def _parts_plan(self, body: str) -> list[tuple[str, str, list[tuple[str, str]] | None]] | None:
        """How a version is read in parts: (digest, markdown, chunks) of each section, the
        chunks ``None`` where the section is read whole; ``None``: the version is read
        whole. A section holding the remnant of a layout table is read whole: its pipe rows
        become paragraphs alike alone (a run of them never crosses a heading)."""
        if not _unchanged_by_whole_policy_steps(body):
            return None
        by_units = not _REFERENCE_DEFINITION.search(body)
        plan = []
        for section in sections(body):
            digest = _section_digest(section)
            alone = self._readable_alone.get(digest)
            if alone is None:
                alone = self._readable_alone[digest] = _prepared(section) == section
            if alone:
                units = (self._units_of(section) or _grouped_units(section) or None) \
                    if by_units else None
            elif _only_tables_flattened(section):
                units = None
            else:
                return None
            plan.append((digest, section, units))
        return plan

    def _assembled(self, plan: list) -> VersionText | None:
        """A version's passages put together from its chunks and sections, or ``None`` when
        a section read alone may not read alike (see :meth:`_section_part`)."""
        passages: list[Passage] = []
        total: dict[str, int] = dict.fromkeys(practice_ids(), 0)
        for digest, section, units in plan:
            texts = [self._unit_texts.get(key) for key, _ in units or ()]
            if texts and all(texts):
                passages += texts[0].heading
                parts = [(text.own, text.counts) for text in texts]
            else:
                part = self._section_part(digest, section)
                if part is None:
                    return None
                parts = [(part.passages, part.counts)]
            for own, counts in parts:
                passages += own
                for category_id, n in counts.items():
                    total[category_id] = total.get(category_id, 0) + n
        return VersionText(tuple(passages), 0, total)

    def _section_part(self, digest: str, section: str) -> VersionText | None:
        """A section read alone (analysed once), or ``None`` when the words it shows are
        not the words it is classified by (autolinks shown, say): then which of its
        sentences carries a passage depends on how they are matched up, which may come
        out differently inside the whole policy."""
        if digest not in self._section_parts:
            from reader.analysis.classifier import TOKEN
            from reader.analysis.practices import lowercase, policy_words

            analysis = analyze_body(section)
            shown = lowercase([m.group() for m in TOKEN.finditer(analysis.text)])
            # (An ordered list's numbers are words of the markdown, not of what is shown.)
            alike = [w for w in shown if not w.isdigit()] == \
                [w for w in policy_words(section).words if not w.isdigit()]
            self._section_parts[digest] = version_text(analysis) if alike else None
        return self._section_parts[digest]

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
CROWDED_LOAD_ABOVE_CORES = 1.5  # see _worker_count


def _worker_count() -> int:
    """One worker process per core (at most :data:`MAX_WORKERS`), or none (1: here) when
    the cores are crowded: a load average above :data:`CROWDED_LOAD_ABOVE_CORES` more than
    the cores. Measured on 2 cores (Facebook's 492-version chart, one process / workers):
    quiet 9.5 / 6.0 s; one other busy process 9.3-9.8 / 7.6-7.9 s; two, load 2.2-3.0,
    14.5-15.7 / 10.7-10.8 s; at load 4.5-6 workers gained nothing (15-20 / 17-21 s)."""
    cores = max(1, min(MAX_WORKERS, os.cpu_count() or 1))
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): the cores
        return cores
    return cores if load <= (os.cpu_count() or 1) + CROWDED_LOAD_ABOVE_CORES else 1


WARM_UP = "We collect your email address."  # analysed once to load the models


def _pool_context() -> multiprocessing.context.BaseContext:
    """How worker processes start. Forked from the main thread, with the models loaded
    first (shared by the workers). Forking a process that runs Qt threads is unsafe, so
    from another thread (the History window's) they are forked from a fork server that
    loaded the models once (see :mod:`reader.analysis.warm_models`) and stays for the next
    charts; spawned where there is no fork server (Windows) and in the app bundle (a frozen
    program starts its fork server through PyInstaller's hook, untested there; spawned
    workers are what the bundle's own tests run)."""
    if threading.current_thread() is threading.main_thread():
        analyze_body(WARM_UP)
        return multiprocessing.get_context("fork")
    frozen = getattr(sys, "frozen", False)
    if not frozen and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["reader.analysis.warm_models"])
        return context
    return multiprocessing.get_context("spawn")


def _start_fork_server() -> None:
    """Start the fork server (see :func:`_pool_context`) now, if it will be used and is not
    running: it loads the models while the first versions are read, instead of holding up
    the first analysis sent to a worker."""
    if threading.current_thread() is threading.main_thread():
        return
    context = _pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        try:
            forkserver.ensure_running()
        except OSError as exc:
            log.warning("no fork server for the worker processes: %s", exc)


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
            try:
                self.pool = ProcessPoolExecutor(self.workers, _pool_context())
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

    The versions are read first to last; the chunks no version before had are analysed
    as they are met, in ``workers`` processes (default: :func:`_worker_count`) once they
    add up to :data:`POOL_WORDS` words."""
    store = store or VersionStore()
    analyses = _ChunkAnalyses(store._sections_counts(), workers or _worker_count())
    points: list[TimelinePoint] = []
    # Versions read, in order: a point, or a plan waiting for its new chunks.
    waiting: deque[tuple[Version, TimelinePoint | _Plan, dict[str, str]]] = deque()
    total = len(history.versions)
    stopped = False
    server_started = False

    def emit_ready() -> None:
        while waiting and not analyses.waiting_for(waiting[0][2]):
            version, found, _units = waiting.popleft()
            if isinstance(found, _Plan):
                words, counts = store._finish(found)
                found = TimelinePoint(version, words, counts, language=found.language)
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
                if not server_started and analyses.workers > 1:
                    _start_fork_server()  # (a version to analyse: workers may be needed)
                    server_started = True
                units = analyses.add(store._new_units(found))
            elif isinstance(found, tuple):
                found = TimelinePoint(version, found[0], found[1], language=found[2])
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


LOOK_BACK = 40  # versions read to find the last text change (a few seconds, uncached)


def last_text_change(history: PolicyHistory, new: int, before: int,
                     store: VersionStore | None = None) -> int | None:
    """The newest version older than ``before`` (indexes, oldest first) whose sentences
    differ from version ``new``'s: what to compare ``new`` with when ``before`` and
    ``new`` differ only in formatting, links or their header. ``None`` when no version of
    the last :data:`LOOK_BACK` does (or one cannot be read)."""
    store = store or VersionStore()
    versions = history.versions
    try:
        newest = store.texts(history, [versions[new]])[0]
        for index in range(before - 1, max(-1, before - 1 - LOOK_BACK), -1):
            older = store.texts(history, [versions[index]])[0]
            if [p.text for p in older.passages] != [p.text for p in newest.passages]:
                return index
    except PolicyLoadError:
        return None
    return None


def diff_history(history: PolicyHistory, old: Version, new: Version,
                 store: VersionStore | None = None) -> PolicyDiff:
    """The sentence diff of two versions; raises :class:`PolicyLoadError` when one of them
    cannot be read."""
    store = store or VersionStore()
    old_text, new_text = store.texts(history, [old, new])
    diff = diff_versions(old_text, new_text, old.date, new.date)
    diff = add_file_differences(diff, history.read_bytes(old), history.read_bytes(new))
    same = history.earlier_same_text()
    labels = [history.versions[earlier].date if earlier is not None else None
              for earlier in (same[history.versions.index(v)] for v in (old, new))]
    diff.same_text_as = (labels[0], labels[1])
    return diff
