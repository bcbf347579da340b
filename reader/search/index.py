"""Full-text search over a corpus with Whoosh: incremental, crash-safe index; ranked hits.

One index per corpus folder, under the user data dir (see :func:`reader.paths.index_dir_for`).
Fields: company (domain or service, and the snapshot's site when it differs, tokenised),
domain, title, type (Privacy Policy, Terms of Service...), date, year, body, category (the
practice categories found in the policy), one keyword field per privacy-fact group
(``collects``, ``shares``, ... see :data:`reader.analysis.facts.SEARCH_FIELDS`); words,
size, mtime, digest, site and facts are stored only (the fields are defined once, in
:mod:`reader.search.fields`). Two-word phrases are answered from a field of word pairs,
which avoids Whoosh reading positions of every document that holds both words. Worker
processes read, classify and count each policy; the body and pair fields are written by
:mod:`reader.search.postings`.

The index repairs itself: each commit records its files' sizes, times and digests; a file
missing, resized or rewritten since, or any failure to read the index, clears it and the
next update rebuilds it (:class:`IndexDamagedError` tells a searcher so).

Snippets come from each hit's source text, read again for the hits shown, so they cover
the whole policy; the viewer finds match positions in its own text with the hit's
MatchFinder.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path

from whoosh import fields, index, query, scoring
from whoosh.analysis import LowercaseFilter, RegexTokenizer, ShingleFilter
from whoosh.writing import MERGE_SMALL, LockError

from reader.analysis.classifier import TOKEN
from reader.analysis.facts import search_fields, search_term
from reader.analysis.practices import (
    Analysis,
    PolicyWords,
    decide_policies,
    lowercase,
    policy_words,
)
from reader.search.engine import (  # noqa: F401 - re-exported: the app imports them here
    BUILD_MARKER,
    FILES_RECORD,
    VERSION_FILE,
    CancelCheck,
    Hit,
    IndexDamagedError,
    Progress,
    ProgressCallback,
    Ranked,
    SearchIndex,
    SearchResults,
    UpdateReport,
    file_digest,
    fill_matches,
    model_digest,
)
from reader.search.fields import FIELDS
from reader.search.postings import (
    CountedSegmentWriter,
    CountedTerms,
    CountedText,
    field_lengths,
    postings_arrays,
)
from reader.search.query import (
    MatchFinder,
    expand_multiterm,
    parse_query,
    spelling_suggestion,
)
from reader.sources.corpus import Corpus, PolicyLoadError, read_policy
from reader.sources.layouts import PRIVACY_POLICY

log = logging.getLogger(__name__)

SCHEMA_VERSION = 15  # 9: clean titles, valid dates only; 10: privacy fact fields;
# 11: strength (field-only queries are ranked by it); 12: language; 13: git-dated policies;
# 14: breadcrumb titles read from their last step ("Help > Privacy Notice" -> "Privacy Notice")
# 15: text in composed form ("u" + U+0308 read as "ü": one word)
SEGMENT_LIMIT = 1500  # policies per segment written at once (memory: ~100 KB each)
FIRST_BATCH = 250
# Batches of 8 policies the workers may run ahead of the writer: enough to keep them busy
# while a commit of SEGMENT_LIMIT policies is written (~40 KB each waiting).
AHEAD_BATCHES = 128
EXACT_COUNT_UP_TO = 5000  # above this many policies, hit totals are Whoosh's estimate

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
    """The Whoosh schema of :data:`reader.search.fields.FIELDS` (plus ``pairs``: the
    body's word pairs, which answer phrases)."""
    built: dict[str, fields.FieldType] = {}
    for spec in FIELDS:
        if spec.kind == "id":
            built[spec.name] = fields.ID(stored=spec.stored, unique=spec.name == "path")
        elif spec.kind == "words":
            built[spec.name] = fields.TEXT(analyzer=_WORDS, stored=spec.stored,
                                           phrase=spec.phrases, field_boost=spec.boost)
        elif spec.kind == "keyword":
            built[spec.name] = fields.KEYWORD(stored=spec.stored, commas=True,
                                              lowercase=True)
        elif spec.kind == "number":
            built[spec.name] = fields.NUMERIC(int, stored=spec.stored)
        elif spec.kind == "stored":
            built[spec.name] = fields.STORED()
        elif spec.kind == "body":
            built[spec.name] = CountedText(analyzer=_WORDS)
            built["pairs"] = CountedText(analyzer=_PAIRS)
        else:
            raise ValueError(f"unknown field kind {spec.kind!r}")
    return fields.Schema(**built)


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
                    doc_type: str = PRIVACY_POLICY, counted: bool = True) -> dict:
    """Everything the index stores about one policy file (runs in worker processes), for
    every engine. The arguments are those of :func:`reader.sources.corpus.entry_reading`;
    ``counted``: the body as word and word-pair counts (Whoosh), else as its words in
    order, lowercased, joined by spaces (engines that keep positions)."""
    return policy_documents([(entry_path, domain, company, doc_type)], counted)[0]


def policy_documents(readings: Sequence[tuple], counted: bool = True) -> list[dict]:
    """:func:`policy_document` of each entry reading, the policies decided together
    (:func:`reader.analysis.practices.decide_policies`: the same decisions, less work
    per policy); a file that cannot be read gives ``{"error": ..., "path": ...}``."""
    documents: list[dict] = []
    read: list[tuple] = []  # (its number in documents, path, policy, stat, digest, words)
    for reading in readings:
        entry_path, domain, company, doc_type = _reading(*reading)
        path = Path(entry_path)
        try:
            policy = read_policy(path, domain, company, doc_type)
            stat = path.stat()
            digest = file_digest(path)
        except (PolicyLoadError, OSError) as exc:
            documents.append({"error": str(exc), "path": entry_path})
            continue
        read.append((len(documents), entry_path, policy, stat, digest,
                     policy_words(policy.body)))
        documents.append({})
    decided = decide_policies([words for *_, words in read])
    for (number, entry_path, policy, stat, digest, body), analysis in zip(read, decided,
                                                                         strict=True):
        site = policy.snapshot_site or ""
        company = " ".join(f"{policy.company} {site}".replace(".", " ").replace("-", " ")
                           .split())
        stated = analysis.stated_facts()
        head = f"{company}\n{policy.title}"
        if counted:
            words, pairs = count_words(head, body)
            text = {"body": words, "pairs": pairs}
        else:
            text = {"body": " ".join(lowercase(TOKEN.findall(head)) + body.words)}
        documents[number] = {
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
            "language": analysis.language,
            "type": policy.doc_type,
            "site": site,
            **text,
            "facts": ",".join(stated),
            **search_fields(stated, analysis.denied_facts()),
            "strength": field_strengths(analysis),
        }
    return documents


def _reading(entry_path: str, domain: str, company: str | None = None,
             doc_type: str = PRIVACY_POLICY) -> tuple[str, str, str | None, str]:
    return entry_path, domain, company, doc_type


def field_strengths(analysis: Analysis) -> dict[str, float]:
    """How strongly the policy states each category and fact it has, keyed by the search
    term that finds it: ``category:data_security`` -> the paragraphs the decision gives
    that practice plus its best paragraph probability (below 1: it breaks ties),
    ``collects:financial`` -> the fact's best evidence score."""
    strengths: dict[str, float] = {
        f"category:{c}": round(n + min(analysis.scores.get(c, 0.0), 0.9999), 4)
        for c, n in analysis.paragraph_counts.items()}
    for fact_id, score in analysis.fact_scores.items():
        name, value = search_term(fact_id)
        strengths[f"{name}:{value}"] = score
    return strengths


def _policy_documents(batch: list[tuple]) -> list[dict]:
    """Index documents of a batch of entry readings (runs in worker processes)."""
    return policy_documents(batch)


class PolicyIndex(SearchIndex):
    """The Whoosh index of one corpus folder."""

    engine = "whoosh"
    schema_version = SCHEMA_VERSION

    def __init__(self, corpus: Corpus, folder: Path | None = None) -> None:
        super().__init__(corpus, folder)
        self._index: index.Index | None = None
        self._searcher = None
        self._weighting = CachedLengthBM25F()

    # -- the engine's files ---------------------------------------------------------------

    def _create(self) -> None:
        self._index = index.create_in(str(self.folder), make_schema())

    def _open_existing(self) -> None:
        self._index = index.open_dir(str(self.folder))

    def _exists(self) -> bool:
        return index.exists_in(str(self.folder))

    def _readable(self) -> str | None:
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

    def _close_engine(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def _stored(self) -> Iterator[dict]:
        with self.ix.searcher() as searcher:
            yield from searcher.all_stored_fields()

    def _count_docs(self) -> int:
        with self.ix.searcher() as searcher:
            return searcher.doc_count()

    # -- writing -------------------------------------------------------------------------

    first_batch = FIRST_BATCH
    make_documents = staticmethod(_policy_documents)

    def _new_writer(self) -> CountedSegmentWriter:
        return CountedSegmentWriter(self.ix, limitmb=256, compound=False)

    @staticmethod
    def _is_locked(exc: Exception) -> bool:
        return isinstance(exc, LockError)

    def _delete(self, writer: CountedSegmentWriter, path: str) -> None:
        writer.delete_by_term("path", path)

    def _add(self, writer: CountedSegmentWriter, doc: dict) -> None:
        writer.add_document(**doc)

    def _commit(self, writer: CountedSegmentWriter, final: bool) -> None:
        writer.commit(mergetype=tiered_merge)

    def _after_commit(self, writer: CountedSegmentWriter,
                      lock_timeout: float) -> CountedSegmentWriter:
        return self._writer(lock_timeout)  # a Whoosh writer ends with its commit

    def _abort(self, writer: CountedSegmentWriter) -> None:
        if not writer.is_closed:  # not a writer already committed
            writer.cancel()

    def _next_batch(self, batch: int) -> int:
        # Batches double up to the normal size (few segments, fast queries).
        return min(batch * 2, SEGMENT_LIMIT)

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

    def _expanded(self, searcher, parsed: query.Query) -> query.Query:
        """Prefix and wildcard words as the index words they match (ranked)."""
        reader = searcher.reader()

        def terms(fieldname: str, prefix: str) -> list[tuple[str, int]]:
            if fieldname not in searcher.schema:
                return []
            decode = searcher.schema[fieldname].from_bytes
            words = [decode(w) if isinstance(w, bytes) else w
                     for w in reader.expand_prefix(fieldname, prefix)]
            return [(w, reader.doc_frequency(fieldname, w)) for w in words]

        return expand_multiterm(parsed, terms)

    def _rank(self, text: str, limit: int | None, offset: int
              ) -> tuple[Ranked | None, MatchFinder]:
        parsed = self.parse(text)
        finder = MatchFinder.from_query(parsed)
        with self._reading(), self._search_lock:
            searcher = self._current_searcher()
            if searcher.doc_count() == 0:
                return None, finder
            wanted = None if limit is None else limit + offset
            expanded = self._expanded(searcher, parsed)
            fast = conjunction_top(searcher, self._weighting, expanded, wanted)
            if fast is not None:
                ranked, total = fast
                exact = True
                found = [(searcher.stored_fields(doc), score) for doc, score in ranked]
            else:
                results = searcher.search(expanded, limit=wanted)
                exact = results.has_exact_length() or searcher.doc_count() <= EXACT_COUNT_UP_TO
                total = len(results) if exact else results.estimated_length()
                found = [(r.fields(), r.score) for r in results]
            found = found[offset:]
            suggestion = None
            if total == 0 or len(found) < 3:
                suggestion = (self.category_suggestion(text)
                              or self._suggest(searcher, parsed, text))
        return Ranked(found, total, exact, suggestion), finder

    def count(self, text: str) -> int:
        parsed = self.parse(text)
        with self._reading(), self._search_lock:
            searcher = self._current_searcher()
            expanded = self._expanded(searcher, parsed)
            return sum(1 for _ in searcher.docs_for_query(expanded))

    def facets(self, text: str, field_name: str = "category") -> dict[str, int]:
        parsed = self.parse(text)
        counts: dict[str, int] = {}
        with self._reading(), self._search_lock:
            searcher = self._current_searcher()
            for docnum in searcher.docs_for_query(self._expanded(searcher, parsed)):
                stored = searcher.stored_fields(docnum).get(field_name) or ""
                for value in filter(None, str(stored).split(",")):
                    counts[value] = counts.get(value, 0) + 1
        return counts

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


MERGE_FACTOR = 4  # segments of one size tier that are merged into one


def tiered_merge(writer, segments: list) -> list:
    """Whoosh's merge policy for small segments, then a tiered one, so the number of
    segments stays bounded: segments are grouped by size (tier t holds segments of
    SEGMENT_LIMIT x MERGE_FACTOR^t policies or more), and the smallest tier holding
    MERGE_FACTOR segments is merged into the segment being committed. At most
    MERGE_FACTOR - 1 segments per tier remain, so a corpus of n policies has at most
    about (MERGE_FACTOR - 1) x log_MERGE_FACTOR(n / SEGMENT_LIMIT) segments (Whoosh's own
    policy left 69 at 100,000), and each policy is rewritten about once per tier."""
    from whoosh.reading import SegmentReader

    kept = MERGE_SMALL(writer, segments)
    tiers: dict[int, list] = {}
    for segment in kept:
        size = segment.doc_count_all()
        if size >= SEGMENT_LIMIT:  # smaller ones are MERGE_SMALL's
            tiers.setdefault(int(math.log(size / SEGMENT_LIMIT, MERGE_FACTOR)), []).append(
                segment)
    full = [tiers[t] for t in sorted(tiers) if len(tiers[t]) >= MERGE_FACTOR]
    if not full:
        return kept
    for segment in full[0]:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in kept if segment not in full[0]]


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


