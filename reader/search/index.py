"""Full-text search over a corpus with Whoosh: incremental, crash-safe index; ranked hits.

One index per corpus folder, under the user data dir (see :func:`reader.paths.index_dir_for`).
Fields: company (domain or service, and the snapshot's site when it differs, tokenised),
domain, title, type (Privacy Policy, Terms of Service...), date, year, body, category (the
practice categories found in the policy), one keyword field per privacy-fact group
(``collects``, ``shares``, ... see :data:`reader.analysis.facts.SEARCH_FIELDS`); words,
size, mtime, digest, site and facts are stored only. Two-word phrases are answered from a
field of word pairs, which avoids Whoosh reading positions of every document that holds
both words. Worker processes read, classify and
count each policy; the body and pair fields are written by :mod:`reader.search.postings`.

The index repairs itself: each commit records its files' sizes, times and digests; a file
missing, resized or rewritten since, or any failure to read the index, clears it and the
next update rebuilds it (:class:`IndexDamagedError` tells a searcher so).

Snippets come from each hit's source text, read again for the hits shown, so they cover
the whole policy; the viewer finds match positions in its own text with the hit's
MatchFinder.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from whoosh import fields, index, query, scoring
from whoosh.analysis import LowercaseFilter, RegexTokenizer, ShingleFilter
from whoosh.writing import LockError

from reader.analysis.classifier import TOKEN
from reader.analysis.facts import SEARCH_FIELDS, search_fields
from reader.analysis.practices import (
    PolicyWords,
    decide,
    decision_digest,
    lowercase,
    policy_words,
)
from reader.analysis.taxonomy import categories
from reader.paths import index_dir_for
from reader.search.postings import (
    CountedSegmentWriter,
    CountedTerms,
    CountedText,
    field_lengths,
    postings_arrays,
)
from reader.search.query import (
    MatchFinder,
    SearchError,
    category_suggestion,
    fact_suggestion,
    index_text,
    make_snippets,
    opening,
    parse_query,
    spelling_suggestion,
)
from reader.sources.corpus import (
    Corpus,
    PolicyEntry,
    PolicyLoadError,
    entry_reading,
    read_policy,
)
from reader.sources.layouts import PRIVACY_POLICY

log = logging.getLogger(__name__)

SCHEMA_VERSION = 10  # 9: clean titles, valid dates only; 10: privacy fact fields
BUILD_MARKER = "BUILDING"
VERSION_FILE = "reader-index.json"
FILES_RECORD = "reader-files.json"  # size and digest of each index file after a commit
SEGMENT_LIMIT = 1500  # policies per segment written at once (memory: ~100 KB each)
FIRST_BATCH = 250
# Batches of 8 policies the workers may run ahead of the writer: enough to keep them busy
# while a commit of SEGMENT_LIMIT policies is written (~40 KB each waiting).
AHEAD_BATCHES = 128
EXACT_COUNT_UP_TO = 5000  # above this many policies, hit totals are Whoosh's estimate
DEFAULT_LIMIT = 20

_WORDS = RegexTokenizer(r"\w+") | LowercaseFilter()
_PAIRS = RegexTokenizer(r"\w+") | LowercaseFilter() | ShingleFilter(size=2, sep=" ")


class CachedLengthBM25F(scoring.BM25F):
    """BM25F that reads document field lengths from an in-memory array per segment.

    Whoosh looks each length up through its column reader for every scored document,
    a large share of the time of queries whose words occur in most policies.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lengths: dict[tuple[int, str], array] = {}

    def lengths(self, searcher, fieldname: str) -> array:
        reader = searcher.reader()
        key = (id(reader), fieldname)
        cached = self._lengths.get(key)
        if cached is None:
            cached = array("I", field_lengths(reader, fieldname, 1))
            self._lengths[key] = cached
        return cached

    def forget(self) -> None:
        self._lengths.clear()

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            lengths = self.lengths(searcher, fieldname)
            scorer.dfl = lengths.__getitem__
        return scorer


def make_schema() -> fields.Schema:
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        domain=fields.ID(stored=True),
        company=fields.TEXT(analyzer=_WORDS, phrase=True, field_boost=3.0),
        title=fields.TEXT(analyzer=_WORDS, stored=True, field_boost=2.0),
        date=fields.ID(stored=True),
        year=fields.NUMERIC(int, stored=True),
        words=fields.STORED(),  # stored only: listings and change detection
        size=fields.STORED(),
        mtime=fields.STORED(),
        digest=fields.STORED(),
        category=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        type=fields.TEXT(analyzer=_WORDS, stored=True),  # Privacy Policy, Terms of Service...
        site=fields.STORED(),  # the snapshot's site when it is not the domain
        body=CountedText(analyzer=_WORDS),
        pairs=CountedText(analyzer=_PAIRS),
        facts=fields.STORED(),  # ids of the privacy facts the policy states, comma-joined
        # collects:contact, shares:third_party...: one keyword field per fact group
        **{name: fields.KEYWORD(commas=True, lowercase=True) for name in SEARCH_FIELDS},
    )


class IndexDamagedError(SearchError):
    """The index could not be read: it was cleared and is rebuilt by the next
    :meth:`PolicyIndex.update` (the message says so)."""


@dataclass
class Progress:
    """Build progress reported to the GUI and the CLI."""

    done: int
    total: int
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool]


@dataclass
class UpdateReport:
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    rebuilt_because: str | None = None
    cancelled: bool = False
    seconds: float = 0.0
    indexed_paths: list[str] = field(default_factory=list)

    @property
    def indexed(self) -> int:
        return self.added + self.changed


@dataclass
class Hit:
    domain: str
    title: str
    date: str | None
    score: float
    path: str
    categories: list[str]
    facts: list[str] = field(default_factory=list)  # ids of the facts the policy states
    match_count: int = 0
    snippets: list[str] = field(default_factory=list)  # HTML: matched terms in <b>
    finder: MatchFinder | None = None  # finds the query's words in the policy's text

    def as_json(self) -> dict:
        return {"domain": self.domain, "title": self.title, "date": self.date,
                "score": round(self.score, 4), "categories": self.categories,
                "facts": self.facts, "match_count": self.match_count, "snippets": self.snippets}


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    seconds: float = 0.0
    total_is_exact: bool = True  # large indexes report an estimate rather than count all
    index_empty: bool = False  # nothing indexed yet (first build still running)
    finder: MatchFinder | None = None  # finds the query's words (snippets, viewer marks)


@lru_cache(maxsize=1)
def model_digest() -> str:
    """Digest of the practice decision (rule and models): an index records it with its
    categories."""
    return decision_digest()


def file_digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=12).hexdigest()


def count_words(prefix: str, body: PolicyWords) -> tuple[CountedTerms, CountedTerms]:
    """Word and word-pair counts of ``prefix`` followed by the body's words, tokenised
    as the schema's analyzers do (``\\w+``, lowercased)."""
    head = lowercase(TOKEN.findall(prefix))
    words = head + body.words
    pairs = list(map(" ".join, pairwise(head)))
    if head and body.words:
        pairs.append(f"{head[-1]} {body.words[0]}")
    return CountedTerms.from_tokens(words), CountedTerms.from_tokens(pairs + body.pairs)


def policy_document(entry_path: str, domain: str, company: str | None = None,
                    doc_type: str = PRIVACY_POLICY) -> dict:
    """Everything the index stores about one policy file (runs in worker processes).
    The arguments are those of :func:`reader.sources.corpus.entry_reading`."""
    path = Path(entry_path)
    try:
        policy = read_policy(path, domain, company, doc_type)
        stat = path.stat()
        digest = file_digest(path)
    except (PolicyLoadError, OSError) as exc:
        return {"error": str(exc), "path": entry_path}
    site = policy.snapshot_site or ""
    company = " ".join(f"{policy.company} {site}".replace(".", " ").replace("-", " ").split())
    body = policy_words(policy.body)
    words, pairs = count_words(f"{company}\n{policy.title}", body)
    analysis = decide(body)
    stated = analysis.stated_facts()
    return {
        "path": entry_path,
        "domain": policy.domain,
        "company": company,
        "title": policy.title,
        "date": policy.archive_date or "",
        "year": policy.year or 0,
        "words": policy.word_count,
        "size": stat.st_size,
        "mtime": stat.st_mtime,
        "digest": digest,
        "category": ",".join(analysis.categories),
        "type": policy.doc_type,
        "site": site,
        "body": words,
        "pairs": pairs,
        "facts": ",".join(stated),
        **search_fields(stated),
    }


class PolicyIndex:
    """The Whoosh index of one corpus folder."""

    def __init__(self, corpus: Corpus, folder: Path | None = None) -> None:
        self.corpus = corpus
        self.folder = folder or index_dir_for(corpus.root)
        self._index: index.Index | None = None
        self._searcher = None
        self._weighting = CachedLengthBM25F()
        self._search_lock = threading.Lock()
        self.messages: list[str] = []
        self.damaged: str | None = None  # why the index was cleared, until rebuilt
        self._updating = False
        self._failed_during_update: str | None = None

    # -- opening, validating, rebuilding -------------------------------------------------

    def _note(self, message: str) -> None:
        self.messages.append(message)
        log.warning("%s", message)

    def _fresh(self) -> index.Index:
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / VERSION_FILE).write_text(
            json.dumps({"schema": SCHEMA_VERSION, "corpus": str(self.corpus.root),
                        "model": model_digest()}), "utf-8")
        created = index.create_in(str(self.folder), make_schema())
        self._record_files()
        return created

    def open(self) -> str | None:
        """Open (or create) the index. Returns why it had to be rebuilt, or ``None``."""
        if not self.folder.exists() or not any(self.folder.iterdir()):
            self._index = self._fresh()
            return None
        problem = self._check()
        if problem:
            self._reset(problem)
            return problem
        self._index = index.open_dir(str(self.folder))
        return None

    def _reset(self, problem: str) -> None:
        """Clear a damaged index (``problem`` says how); the next update rebuilds it."""
        self._note(f"The search index {problem}; it will be rebuilt from the policy files.")
        self.damaged = problem
        self.close()
        self._index = self._fresh()

    def _unreadable(self, exc: Exception) -> IndexDamagedError:
        """Clear the index after a failed read; the error to raise (its message says the
        index is rebuilt). An update under way rebuilds it when it has finished."""
        problem = f"is damaged ({type(exc).__name__}: {exc})"
        if self._updating:
            self._failed_during_update = problem
            return IndexDamagedError(
                f"The search index {problem}. It will be rebuilt from the policy files "
                "when the indexing under way has finished; search again then.")
        self._reset(problem)
        return IndexDamagedError(
            f"The search index {problem}. It was cleared and is being rebuilt from the "
            "policy files; search again when indexing has finished.")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Any failure to read the index (not a bad query) clears it for a rebuild."""
        try:
            yield
        except SearchError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged index fails in many ways
            raise self._unreadable(exc) from exc

    def rebuild(self, progress: ProgressCallback | None = None,
                cancelled: CancelCheck | None = None, workers: int | None = None
                ) -> UpdateReport:
        """Build the index again from nothing (File > Rebuild Index, ``index --rebuild``)."""
        self._reset("was cleared on request")
        return self.update(progress, cancelled, workers)

    def _record_files(self) -> None:
        """Remember each index file's size and digest (checked on open and update)."""
        old = self._recorded_files() or {}
        record = {}
        for path in self.folder.iterdir():
            if path.name in _NOT_RECORDED or path.name.endswith(".lock") or not path.is_file():
                continue
            stat = path.stat()
            known = old.get(path.name)
            if known and known[0] == stat.st_size and known[2] == stat.st_mtime_ns:
                record[path.name] = known
            else:
                record[path.name] = [stat.st_size, _file_hash(path), stat.st_mtime_ns]
        (self.folder / FILES_RECORD).write_text(json.dumps(record), "utf-8")

    def _recorded_files(self) -> dict[str, list] | None:
        try:
            return json.loads((self.folder / FILES_RECORD).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def verify(self, full: bool = False) -> str | None:
        """Why the index files differ from those last committed (a file missing, of
        another size, or rewritten with other content), or ``None``. Files not modified
        since (same size and time) are trusted unless ``full``: a check then costs
        microseconds; a failed read catches what it misses."""
        record = self._recorded_files()
        if not record:
            return None  # made before files were recorded
        for name, (size, digest, mtime_ns) in sorted(record.items()):
            path = self.folder / name
            try:
                stat = path.stat()
                if stat.st_size != size:
                    return f"is damaged (the file {name} has changed size)"
                if (full or stat.st_mtime_ns != mtime_ns) and _file_hash(path) != digest:
                    return f"is damaged (the file {name} has changed)"
            except FileNotFoundError:
                return f"is damaged (the file {name} is missing)"
        return None

    def _check(self) -> str | None:
        try:
            if not index.exists_in(str(self.folder)):
                return "is missing or incomplete"
        except Exception as exc:  # noqa: BLE001 - unreadable table of contents
            return f"is damaged ({type(exc).__name__})"
        try:
            meta = json.loads((self.folder / VERSION_FILE).read_text("utf-8"))
            if meta.get("schema") != SCHEMA_VERSION:
                return "was made by another version of the app"
            if meta.get("model") != model_digest():
                return "holds categories from another practice model"
        except (OSError, ValueError):
            return "has no version record"
        problem = self.verify()
        if problem:
            return problem
        marker = self.folder / BUILD_MARKER
        if marker.exists():
            try:
                pid = int(marker.read_text().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if not _process_alive(pid):
                marker.unlink(missing_ok=True)
                self._note("The last indexing run stopped before it finished; "
                           "the index is brought up to date from the policy files.")
        try:
            ix = index.open_dir(str(self.folder))
            with ix.searcher() as searcher:
                searcher.doc_count()
                for _ in zip(range(3), searcher.all_stored_fields(), strict=False):
                    pass
            ix.close()
        except Exception as exc:  # noqa: BLE001 - any failure here means a corrupt index
            return f"is damaged ({type(exc).__name__})"
        return None

    @property
    def ix(self) -> index.Index:
        if self._index is None:
            self.open()
        assert self._index is not None
        return self._index

    def close(self) -> None:
        with self._search_lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def doc_count(self) -> int:
        with self._reading(), self.ix.searcher() as searcher:
            return searcher.doc_count()

    # -- incremental update ------------------------------------------------------------

    def plan(self) -> tuple[list[PolicyEntry], list[PolicyEntry], list[str], int]:
        """(new, changed, deleted paths, unchanged count) comparing files with the index."""
        known: dict[str, tuple[int, float, str]] = {}
        with self._reading(), self.ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                known[stored["path"]] = (stored["size"], stored["mtime"], stored["digest"])
        new, changed = [], []
        unchanged = 0
        seen = set()
        for entry in self.corpus.entries:
            key = str(entry.path)
            seen.add(key)
            record = known.get(key)
            if record is None:
                new.append(entry)
            elif record[0] == entry.size and record[1] == entry.mtime:
                unchanged += 1
            elif record[0] == entry.size and _safe_digest(entry.path) == record[2]:
                unchanged += 1  # touched, not changed
            else:
                changed.append(entry)
        deleted = [path for path in known if path not in seen]
        return new, changed, deleted, unchanged

    def update(self, progress: ProgressCallback | None = None,
               cancelled: CancelCheck | None = None, workers: int | None = None,
               lock_timeout: float = 10.0) -> UpdateReport:
        """Bring the index up to date with the corpus folder; commits in batches.

        Policies are read, classified and counted by worker processes (see
        :meth:`_documents`) and written here (see :mod:`reader.search.postings`).
        """
        started = time.perf_counter()
        report = UpdateReport()
        if self._index is None:
            report.rebuilt_because = self.open()
        problem = self.verify()  # garbled, truncated or missing files
        if problem:
            self._reset(problem)
        while True:
            try:
                new, changed, deleted, report.unchanged = self.plan()
            except IndexDamagedError:  # cleared it
                new, changed, deleted, report.unchanged = self.plan()
            report.rebuilt_because = report.rebuilt_because or self.damaged
            todo = new + changed
            if progress:
                progress(Progress(0, len(todo), 0.0))
            if todo or deleted:
                self._updating = True
                try:
                    self._write(report, todo, changed, deleted, progress, cancelled,
                                workers, lock_timeout)
                finally:
                    self._updating = False
            if not self._failed_during_update or report.cancelled:
                break
            # A search failed to read the index meanwhile: clear it and build it again.
            self._reset(self._failed_during_update)
            self._failed_during_update = None
            report = UpdateReport(rebuilt_because=self.damaged)
        self.damaged = None
        report.seconds = time.perf_counter() - started
        return report

    def _write(self, report: UpdateReport, todo: list[PolicyEntry],
               changed: list[PolicyEntry], deleted: list[str],
               progress: ProgressCallback | None, cancelled: CancelCheck | None,
               workers: int | None, lock_timeout: float) -> None:
        """Delete, add and commit (in batches) what :meth:`plan` found."""
        started = time.perf_counter()
        workers = workers if workers is not None else max(1, min(4, os.cpu_count() or 1))
        writer = self._writer(lock_timeout)
        marker = self.folder / BUILD_MARKER
        marker.write_text(str(os.getpid()))
        try:
            # Changed policies leave the index here and come back as new documents.
            for path in deleted + [str(e.path) for e in changed]:
                writer.delete_by_term("path", path)
            report.deleted = len(deleted)
            pending = 0
            # Small first batches make a build searchable within seconds; batches then
            # double up to the normal size (few segments, fast queries).
            batch = FIRST_BATCH
            with self._documents(todo, workers) as documents:
                for done, doc in enumerate(documents, 1):
                    if cancelled and cancelled():
                        report.cancelled = True
                        documents.close()  # cancels what workers have not started
                        break
                    if "error" in doc:
                        report.failed.append(doc["error"])
                        self._note(f"{doc['error']}; not indexed")
                    else:
                        writer.add_document(**doc)
                        report.indexed_paths.append(doc["path"])
                        pending += 1
                    if pending >= batch:
                        writer.commit()
                        self._record_files()
                        writer = self._writer(lock_timeout)
                        pending = 0
                        batch = min(batch * 2, SEGMENT_LIMIT)
                    if progress and (done % 25 == 0 or done == len(todo)):
                        progress(Progress(done, len(todo), time.perf_counter() - started))
            writer.commit()
            self._record_files()
        except BaseException:
            if not writer.is_closed:  # not a writer already committed
                writer.cancel()
            raise
        finally:
            marker.unlink(missing_ok=True)
        changed_paths = {str(e.path) for e in changed}
        report.changed = sum(1 for path in report.indexed_paths if path in changed_paths)
        report.added = len(report.indexed_paths) - report.changed

    @contextmanager
    def _documents(self, todo: list[PolicyEntry], workers: int) -> Iterator[Iterator[dict]]:
        """The index documents of ``todo``, in order. With several workers, worker
        processes read, classify and count the policies; otherwise this process does."""
        if workers <= 1 or len(todo) < 50:
            yield (policy_document(*entry_reading(e)) for e in todo)
            return
        # Forking a process that runs Qt threads is unsafe; spawn there.
        context = multiprocessing.get_context("fork" if _may_fork() else "spawn")
        args = [entry_reading(e) for e in todo]
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield _bounded_map(pool, args, ahead=AHEAD_BATCHES)

    def _writer(self, timeout: float) -> CountedSegmentWriter:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return CountedSegmentWriter(self.ix, limitmb=256, compound=False)
            except LockError:
                if time.monotonic() >= deadline:
                    raise SearchError(
                        "Another Privacy Policy Reader is updating this index; "
                        "try again when it has finished.") from None
                time.sleep(0.2)

    # -- metadata for listings ---------------------------------------------------------

    def metadata(self) -> dict[str, dict]:
        """Stored fields per domain (title, date, words, categories) for fast listings."""
        with self._reading(), self.ix.searcher() as searcher:
            return {s["domain"]: s for s in searcher.all_stored_fields()}

    # -- searching ---------------------------------------------------------------------

    def parse(self, text: str) -> query.Query:
        return parse_query(self.ix.schema, text)

    def _current_searcher(self):
        """One searcher reused across queries (opening segments is costly), opened again
        when the index has changed. (Whoosh's ``Searcher.refresh`` reuses the reader of a
        segment whose deletions changed, so deleted policies stayed found, and keeps
        segments that were merged away.)"""
        if self._searcher is not None and not self._searcher.up_to_date():
            self._weighting.forget()
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self.ix.searcher(weighting=self._weighting)
        return self._searcher

    def search(self, text: str, limit: int | None = DEFAULT_LIMIT, snippets: bool = True,
               offset: int = 0) -> SearchResults:
        """The hits ranked ``offset`` to ``offset + limit`` (``limit`` None: all of them) and
        the total; pages of a long result list are asked for with growing ``offset``."""
        started = time.perf_counter()
        parsed = self.parse(text)
        with self._reading():
            found, total, exact, suggestion = self._ranked(
                parsed, text, None if limit is None else offset + limit)
        if found is None:
            return SearchResults(text, 0, [], None, time.perf_counter() - started,
                                 index_empty=True)
        found = found[offset:]
        hits = [Hit(domain=f["domain"], title=f["title"], date=f["date"] or None,
                    score=float(score), path=f["path"],
                    categories=[c for c in f["category"].split(",") if c],
                    facts=[c for c in f.get("facts", "").split(",") if c])
                for f, score in found]
        finder = MatchFinder.from_query(parsed)
        if snippets:
            for hit in hits:
                fill_matches(hit, finder)
        return SearchResults(text, total, hits, suggestion, time.perf_counter() - started,
                             total_is_exact=exact, finder=finder)

    def _ranked(self, parsed: query.Query, text: str, limit: int | None
                ) -> tuple[list[tuple[dict, float]] | None, int, bool, str | None]:
        """(stored fields and score of the top hits, total, total exact?, suggestion);
        no hits (None) when nothing is indexed yet."""
        with self._search_lock:
            searcher = self._current_searcher()
            if searcher.doc_count() == 0:
                return None, 0, True, None
            fast = conjunction_top(searcher, self._weighting, parsed, limit)
            if fast is not None:
                ranked, total = fast
                exact = True
                found = [(searcher.stored_fields(doc), score) for doc, score in ranked]
            else:
                results = searcher.search(parsed, limit=limit)
                exact = results.has_exact_length() or searcher.doc_count() <= EXACT_COUNT_UP_TO
                total = len(results) if exact else results.estimated_length()
                found = [(r.fields(), r.score) for r in results]
            suggestion = None
            if total == 0 or len(found) < 3:
                suggestion = (category_suggestion(text, {c.id: c.name for c in categories()})
                              or fact_suggestion(text) or self._suggest(searcher, parsed, text))
        return found, total, exact, suggestion

    def _suggest(self, searcher, parsed: query.Query, text: str) -> str | None:
        """A spelling correction of the query from the index's words (see
        :func:`spelling_suggestion`), or None."""
        reader = searcher.reader()

        def frequency(word: str) -> int:
            return reader.doc_frequency("body", word)

        def near(word: str) -> list[str]:
            return list(reader.terms_within("body", word, 2, prefix=1))

        def pair_frequency(first: str, second: str) -> int:
            return reader.doc_frequency("pairs", f"{first} {second}")

        try:
            return spelling_suggestion(text, frequency, near, pair_frequency)
        except Exception:  # noqa: BLE001 - a suggestion is optional
            return None


FAST_FIELDS = frozenset({"body", "pairs"})


def conjunction_top(searcher, weighting: CachedLengthBM25F, parsed: query.Query,
                    limit: int | None) -> tuple[list[tuple[int, float]], int] | None:
    """Top ``limit`` (docnum, score) and the exact total for an AND of plain words.

    Whoosh scores such queries one matching document at a time in Python; when every word
    is common that is most of the corpus. Here each word's postings are read per segment
    as arrays, intersected and scored with the same BM25F formula at once. Returns None
    for any other kind of query (Whoosh's own search is used then).
    """
    terms = list(parsed.children()) if isinstance(parsed, query.And) else []
    if len(terms) < 2 or not all(
            type(t) is query.Term and t.fieldname in FAST_FIELDS and t.boost == 1.0
            for t in terms):
        return None
    import numpy as np

    stats = []
    for term in terms:
        field = term.fieldname
        b = weighting._field_B.get(field, weighting.B)
        stats.append((field, searcher.schema[field].to_bytes(term.text),
                      searcher.idf(field, term.text),
                      searcher.avg_field_length(field) or 1.0, b))
    all_scores, all_docs = [], []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        docs = None
        per_term = []
        for field, text_bytes, _, _, _ in stats:
            if (field, text_bytes) not in reader:
                docs = np.empty(0, dtype=np.int64)
                break
            ids, weights = postings_arrays(reader.postings(field, text_bytes))
            per_term.append((ids, weights))
            docs = ids if docs is None else np.intersect1d(docs, ids, assume_unique=True)
        if docs is None or not len(docs):
            continue
        if reader.has_deletions():
            deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
            docs = docs[~np.isin(docs, deleted)]
        scores = np.zeros(len(docs))
        for (ids, weights), (field, _, idf, avgfl, b) in zip(per_term, stats, strict=True):
            tf = weights[np.searchsorted(ids, docs)].astype(np.float64)
            lengths = np.asarray(weighting.lengths(subsearcher, field), dtype=np.float64)[docs]
            k1 = weighting.K1
            scores += idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avgfl)))
        all_scores.append(scores)
        all_docs.append(docs + offset)
    if not all_scores:
        return [], 0
    scores = np.concatenate(all_scores)
    docs = np.concatenate(all_docs)
    order = np.lexsort((docs, -scores))[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order], len(docs)


def _may_fork() -> bool:
    """Worker processes are forked only from the main thread (CLI, scripts)."""
    return threading.current_thread() is threading.main_thread()


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_NOT_RECORDED = frozenset({FILES_RECORD, VERSION_FILE, BUILD_MARKER, "MAIN_WRITELOCK"})


def _file_hash(path: Path) -> str:
    """A digest of an index file (fast: ~1 GB/s), to notice damage."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _safe_digest(path: Path) -> str | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def _policy_documents(batch: list[tuple]) -> list[dict]:
    return [policy_document(*reading) for reading in batch]


def _bounded_map(pool: ProcessPoolExecutor, args: list[tuple], ahead: int,
                 batch: int = 8) -> Iterator[dict]:
    """``policy_document`` of each entry reading, in order, computed by ``pool`` with at
    most ``ahead`` batches waiting: the workers outpace the writer, and unbounded results
    would pile up in memory. Closing the iterator cancels the batches not started."""
    waiting: deque = deque()
    try:
        for start in range(0, len(args), batch):
            waiting.append(pool.submit(_policy_documents, args[start:start + batch]))
            if len(waiting) >= ahead:
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()
    finally:
        for future in waiting:
            future.cancel()


def fill_matches(hit: Hit, matcher: MatchFinder) -> None:
    """Read the hit's policy file; fill its match count and snippets (from the source text,
    which is fast). The viewer finds positions in its own text with ``hit.finder``."""
    hit.finder = matcher
    try:
        policy = read_policy(Path(hit.path), hit.domain)
    except PolicyLoadError as exc:
        hit.snippets = [html_lib.escape(f"(cannot read the policy: {exc})")]
        return
    matches = matcher.find(policy.body)
    hit.match_count = len(matches)
    hit.snippets = make_snippets(policy.body, matches, clean=index_text) or [
        html_lib.escape(opening(index_text(policy.body)))]
