"""Full-text search with tantivy (Rust, embedded): the engine for large corpora.

Same interface, fields, query syntax, ranking model (BM25, Whoosh's field boosts) and
snippets as the Whoosh index (see :mod:`reader.search.engine`); the query is parsed by
:func:`reader.search.query.parse_words` and translated here into tantivy's query objects.
Words are tokenised in Python exactly as for Whoosh (``\\w+``, lowercased) and handed to
tantivy joined by spaces, so both engines index the same words. Phrases use tantivy's
word positions. The stored fields of a policy are kept as one JSON value. tantivy merges
segments in the background (its log merge policy), so their count stays bounded.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import math
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import tantivy
from whoosh import query

from reader.analysis.facts import FACT_IDS, search_term
from reader.analysis.taxonomy import categories
from reader.search.engine import (
    Ranked,
    SearchIndex,
    by_strength,
)
from reader.search.fields import BY_NAME, FIELDS, STORED
from reader.search.index import SCHEMA_VERSION as DOCUMENT_VERSION
from reader.search.index import make_schema, policy_documents
from reader.search.query import (
    MatchFinder,
    SearchError,
    expand_multiterm,
    parse_words,
    spelling_suggestion,
)
from reader.sources.corpus import Corpus

# of this engine's layout; the index records it with DOCUMENT_VERSION
# 2: a fast field per category and fact term with each policy's strength of it
SCHEMA_VERSION = 2
WORDS_TOKENIZER = "reader_words"  # words already split and lowercased in Python
STORED_FIELD = "stored"
COMMIT_EVERY = 2000  # policies per commit after the first (a build is searchable early)
FIRST_COMMIT = 250
WRITER_HEAP = 96_000_000
_WORD = re.compile(r"\w+")
STRENGTH_COLUMN = "strength_"
GROUP_LOADED = 200  # a page's group with more hits: only its newest are loaded
DATES_AT_ONCE = 8  # dates asked for in the first step (then twice as many each step)
KEPT_LETTERS = 4  # spelling suggestions: the words of this many first letters are kept


@lru_cache(maxsize=1)
def strength_columns() -> dict[str, str]:
    """Search term (``category:data_security``, ``collects:contact``) -> the fast field
    that holds each policy's strength of it (0 when it does not state it): a query made
    of one such term is ranked by that column, without loading every hit."""
    terms = [f"category:{c.id}" for c in categories()]
    terms += ["{}:{}".format(*search_term(fact_id)) for fact_id in FACT_IDS]
    return {term: STRENGTH_COLUMN + re.sub(r"\W", "_", term) for term in terms}


def make_tantivy_schema() -> tantivy.Schema:
    """The tantivy schema of :data:`reader.search.fields.FIELDS`."""
    builder = tantivy.SchemaBuilder()
    for spec in FIELDS:
        if spec.kind == "id":
            builder.add_text_field(spec.name, tokenizer_name="raw")
        elif spec.kind in {"words", "body"}:
            builder.add_text_field(spec.name, tokenizer_name=WORDS_TOKENIZER,
                                   index_option="position")
        elif spec.kind == "keyword":
            builder.add_text_field(spec.name, tokenizer_name="raw", fast=True)
        elif spec.kind == "number":
            builder.add_integer_field(spec.name, indexed=True, fast=True)
    for column in strength_columns().values():
        builder.add_float_field(column, fast=True)
    builder.add_bytes_field(STORED_FIELD, stored=True)
    return builder.build()


def words_of(value: object) -> str:
    return " ".join(_WORD.findall(str(value).lower()))


def tantivy_document(doc: dict) -> tantivy.Document:
    """The tantivy document of :func:`reader.search.index.policy_document`'s fields."""
    values: dict[str, object] = {}
    for spec in FIELDS:
        value = doc.get(spec.name)
        if value is None or spec.kind == "stored":
            continue
        if spec.kind == "id":
            values[spec.name] = str(value)
        elif spec.kind == "words":
            values[spec.name] = words_of(value)
        elif spec.kind == "body":
            values[spec.name] = value  # already words joined by spaces
        elif spec.kind == "keyword":
            values[spec.name] = [v.strip().lower() for v in str(value).split(",")
                                 if v.strip()]
        elif spec.kind == "number":
            values[spec.name] = int(value)
    held = doc.get("strength") or {}
    for term, column in strength_columns().items():
        values[column] = float(held.get(term, 0.0))
    stored = {name: doc.get(name) for name in STORED}
    values[STORED_FIELD] = json.dumps(stored).encode("utf-8")
    return tantivy.Document(**values)


def _documents_batch(batch: list[tuple]) -> list[dict]:
    """Index documents of a batch of entry readings (runs in worker processes)."""
    return policy_documents(batch, counted=False)


class TantivyIndex(SearchIndex):
    """The tantivy index of one corpus folder."""

    engine = "tantivy"
    schema_version = DOCUMENT_VERSION * 100 + SCHEMA_VERSION  # either changed: rebuilt

    def __init__(self, corpus: Corpus, folder: Path | None = None) -> None:
        super().__init__(corpus, folder)
        self._index: tantivy.Index | None = None
        self._schema = make_tantivy_schema()
        self._whoosh_schema = make_schema()  # the query parser's fields
        self._meta_time = 0
        # the body words of the index by first letter (spelling suggestions), newest last;
        # cleared when the searcher is reloaded
        self._words_by_letter: dict[str, list[str]] = {}

    # -- the engine's files ---------------------------------------------------------------

    def _load(self, create: bool) -> tantivy.Index:
        ix = tantivy.Index(self._schema, path=str(self.folder), reuse=not create)
        ix.register_tokenizer(WORDS_TOKENIZER,
                              tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        return ix

    def _create(self) -> None:
        self._index = self._load(create=True)

    def _open_existing(self) -> None:
        self._index = self._load(create=False)
        self._index.reload()

    def _exists(self) -> bool:
        return (self.folder / "meta.json").exists()

    def _readable(self) -> str | None:
        try:
            ix = self._load(create=False)
            searcher = ix.searcher()
            found = searcher.search(tantivy.Query.all_query(), 3).hits
            for _, address in found:
                searcher.doc(address)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - Rust panics are BaseExceptions
            return f"is damaged ({type(exc).__name__})"
        return None

    def _close_engine(self) -> None:
        self._index = None

    @property
    def ix(self) -> tantivy.Index:
        if self._index is None:
            self.open()
        assert self._index is not None
        return self._index

    def _searcher(self) -> tantivy.Searcher:
        """A searcher on the last commit (of this or another process)."""
        try:
            changed = (self.folder / "meta.json").stat().st_mtime_ns
        except OSError:
            changed = 0
        if changed != self._meta_time:
            self.ix.reload()
            self._meta_time = changed
            self._words_by_letter = {}
        return self.ix.searcher()

    def _words_from(self, searcher: tantivy.Searcher, letter: str) -> list[str]:
        """The body words that start with ``letter`` (a spelling suggestion's candidates).
        Listing them takes ~30 ms at 100,000 policies, so those of the last few letters
        asked for are kept until the index changes."""
        kept = self._words_by_letter  # (replaced, not changed, when the index changes)
        words = kept.pop(letter, None)
        if words is None:
            words = [term for term, _ in searcher.terms_with_prefix("body", letter)]
            while len(kept) >= KEPT_LETTERS:
                kept.pop(next(iter(kept)))
        kept[letter] = words  # the newest last
        return words

    def _stored(self) -> Iterator[dict]:
        searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return
        for _, address in searcher.search(tantivy.Query.all_query(), total, count=False).hits:
            yield json.loads(searcher.doc(address)[STORED_FIELD][0])

    def _count_docs(self) -> int:
        return self._searcher().num_docs

    # -- writing -------------------------------------------------------------------------

    first_batch = FIRST_COMMIT
    make_documents = staticmethod(_documents_batch)

    def _new_writer(self) -> tantivy.IndexWriter:
        return self.ix.writer(heap_size=WRITER_HEAP, num_threads=1)

    @staticmethod
    def _is_locked(exc: Exception) -> bool:
        return isinstance(exc, ValueError) and "lock" in str(exc).lower()

    def _delete(self, writer: tantivy.IndexWriter, path: str) -> None:
        writer.delete_documents_by_term("path", path)

    def _add(self, writer: tantivy.IndexWriter, doc: dict) -> None:
        writer.add_document(tantivy_document(doc))

    def _commit(self, writer: tantivy.IndexWriter, final: bool) -> None:
        writer.commit()
        if final:
            writer.wait_merging_threads()

    def _abort(self, writer: tantivy.IndexWriter) -> None:
        writer.rollback()

    def _next_batch(self, batch: int) -> int:
        return COMMIT_EVERY

    # -- searching ---------------------------------------------------------------------

    def parse(self, text: str) -> query.Query:
        return parse_words(self._whoosh_schema, text)

    def _query(self, searcher: tantivy.Searcher, parsed: query.Query) -> tantivy.Query:
        def terms(fieldname: str, prefix: str) -> list[tuple[str, int]]:
            if fieldname not in BY_NAME or BY_NAME[fieldname].kind in {"number", "stored"}:
                return []
            return searcher.terms_with_prefix(fieldname, prefix)

        return self._translate(expand_multiterm(parsed, terms), searcher)

    def _translate(self, node: query.Query, searcher: tantivy.Searcher) -> tantivy.Query:
        """A Whoosh query tree (from :func:`parse_words`) as a tantivy query."""
        schema, Q, Occur = self._schema, tantivy.Query, tantivy.Occur  # noqa: N806
        boost = node.boost if hasattr(node, "boost") else 1.0

        def boosted(q: tantivy.Query, fieldname: str) -> tantivy.Query:
            spec = BY_NAME.get(fieldname)
            weight = boost * (spec.boost if spec else 1.0)
            return q if weight == 1.0 else Q.boost_query(q, weight)

        if node is query.NullQuery or isinstance(node, type(query.NullQuery)):
            return Q.empty_query()
        if isinstance(node, query.Every):
            return Q.all_query()
        if isinstance(node, query.Term):
            spec = BY_NAME.get(node.fieldname)
            if spec is None:
                return Q.empty_query()
            if spec.kind == "number":
                value = node.text
                if isinstance(value, bytes):
                    value = self._whoosh_schema[node.fieldname].from_bytes(value)
                return Q.range_query(schema, node.fieldname, tantivy.FieldType.Integer,
                                     int(value), int(value))
            text = str(node.text)
            if spec.kind in {"words", "body"}:
                weight = idf_ratio(searcher.num_docs, searcher.doc_freq(node.fieldname, text))
                return boosted(Q.boost_query(Q.term_query(schema, node.fieldname, text),
                                             weight), node.fieldname)
            # Exact values are not ranked by BM25 (in Whoosh they are not "scorable"):
            # a match adds the query's weight.
            if spec.kind == "keyword":
                text = text.lower()
            return Q.const_score_query(Q.term_query(schema, node.fieldname, text),
                                       float(boost))
        if isinstance(node, query.Phrase):
            words = [str(w) for w in node.words if w]
            if len(words) == 1:
                return boosted(Q.term_query(schema, node.fieldname, words[0]), node.fieldname)
            return boosted(Q.phrase_query(schema, node.fieldname, words,
                                          slop=max(0, node.slop - 1)), node.fieldname)
        if isinstance(node, query.Prefix | query.Wildcard):  # weightless, for the count
            text = str(node.text)
            pattern = (re.escape(text) + ".*" if isinstance(node, query.Prefix) else
                       re.escape(text).replace(r"\*", ".*").replace(r"\?", "."))
            return Q.const_score_query(Q.regex_query(schema, node.fieldname, pattern),
                                       float(boost))
        if isinstance(node, query.NumericRange):
            return Q.range_query(schema, node.fieldname, tantivy.FieldType.Integer,
                                 node.start, node.end,
                                 include_lower=not node.startexcl or node.start is None,
                                 include_upper=not node.endexcl or node.end is None)
        if isinstance(node, query.TermRange):
            start, end = node.start or "", node.end
            found = [t for t, _ in searcher.terms_with_prefix(node.fieldname, "")
                     if (t > start or (t == start and not node.startexcl))
                     and (end is None or t < end or (t == end and not node.endexcl)
)]
            return Q.term_set_query(schema, node.fieldname, found) if found else Q.empty_query()
        if isinstance(node, query.Not):
            return Q.boolean_query([(Occur.Must, Q.all_query()),
                                    (Occur.MustNot, self._translate(node.query, searcher))])
        if isinstance(node, query.AndNot):
            return Q.boolean_query([(Occur.Must, self._translate(node.a, searcher)),
                                    (Occur.MustNot, self._translate(node.b, searcher))])
        if isinstance(node, query.AndMaybe):
            return Q.boolean_query([(Occur.Must, self._translate(node.a, searcher)),
                                    (Occur.Should, self._translate(node.b, searcher))])
        if isinstance(node, query.And | query.Or):
            occur = Occur.Must if isinstance(node, query.And) else Occur.Should
            clauses = []
            for child in node.children():
                if isinstance(child, query.Not):
                    clauses.append((Occur.MustNot, self._translate(child.query, searcher)))
                else:
                    clauses.append((occur, self._translate(child, searcher)))
            if all(o == Occur.MustNot for o, _ in clauses):
                clauses.append((Occur.Must, Q.all_query()))
            return Q.boolean_query(clauses)
        raise SearchError(f"This kind of query is not supported: {node!r}")

    @contextlib.contextmanager
    def _searching(self, text: str
                   ) -> Iterator[tuple[query.Query, MatchFinder, tantivy.Searcher | None]]:
        """The parsed query, its match finder and, while reading under the search lock,
        the index's searcher (``None`` when the index holds no policy)."""
        parsed = self.parse(text)
        finder = MatchFinder.from_query(parsed)
        with self._reading(), self._search_lock:
            searcher = self._searcher()
            yield parsed, finder, (searcher if searcher.num_docs else None)

    def _rank(self, text: str, limit: int | None, offset: int
              ) -> tuple[Ranked | None, MatchFinder]:
        with self._searching(text) as (parsed, finder, searcher):
            if searcher is None:
                return None, finder
            wanted = searcher.num_docs if limit is None else limit
            result = searcher.search(self._query(searcher, parsed), max(1, wanted),
                                     count=True, offset=offset)
            found = [(json.loads(searcher.doc(address)[STORED_FIELD][0]), score)
                     for score, address in result.hits[:wanted]]
            suggestion = None
            if result.count == 0 or len(found) < 3:
                suggestion = self.category_suggestion(text) or self._suggest(
                    searcher, parsed, text)
        return Ranked(found, result.count, True, suggestion), finder

    def _rank_by_strength(self, text: str, terms: list[str], limit: int | None,
                          offset: int) -> tuple[Ranked | None, MatchFinder]:
        """One category or fact term: the hits come ranked by its strength column; only
        those asked for (and any tied with the last of them, for :func:`by_strength`'s
        order of ties) are loaded. Several terms add up: every hit is loaded."""
        columns = [strength_columns().get(term) for term in terms]
        if None in columns:
            return super()._rank_by_strength(text, terms, limit, offset)
        if len(columns) != 1:
            return self._rank_by_columns(text, terms, columns, limit, offset)
        column = columns[0]
        with self._searching(text) as (parsed, finder, searcher):
            if searcher is None:
                return None, finder
            matching = self._query(searcher, parsed)
            wanted = searcher.num_docs if limit is None else offset + limit
            result = searcher.search(matching, max(1, wanted), count=True,
                                     order_by_field=column)
            addresses = {(a.segment_ord, a.doc): a for _, a in result.hits}
            if result.hits and len(result.hits) >= wanted and result.count > wanted:
                # Policies as strong as the last one asked for: by_strength orders ties.
                last = float(result.hits[-1][0])
                Q = tantivy.Query  # noqa: N806
                tied = Q.boolean_query([
                    (tantivy.Occur.Must, matching),
                    (tantivy.Occur.Must, Q.range_query(self._schema, column,
                                                       tantivy.FieldType.Float, last, last))])
                for _, a in searcher.search(tied, searcher.num_docs, count=False).hits:
                    addresses[(a.segment_ord, a.doc)] = a
            found = [(json.loads(searcher.doc(a)[STORED_FIELD][0]), 0.0)
                     for a in addresses.values()]
            suggestion = None
            if result.count < 3:
                suggestion = self.category_suggestion(text) or self._suggest(
                    searcher, parsed, text)
        end = None if limit is None else offset + limit
        found = by_strength(found, terms)[offset:end]
        return Ranked(found, result.count, True, suggestion), finder

    def _rank_by_columns(self, text: str, terms: list[str], columns: list[str],
                         limit: int | None, offset: int
                         ) -> tuple[Ranked | None, MatchFinder]:
        """Several category and fact terms (their strengths add up), or none (year-only
        and type-only queries: the score, then newest first), ranked from fast fields:
        every hit's sort key (the sum of its strength columns, or its score) and year
        come from columns, and only the hits of the (key, year) groups the page asked for
        falls in are loaded and put in :func:`by_strength`'s order (within a group by
        date, then domain). Same order as loading and sorting every hit."""
        with self._searching(text) as (parsed, finder, searcher):
            if searcher is None:
                return None, finder
            matching = self._query(searcher, parsed)
            hits = searcher.search(matching, max(1, searcher.num_docs), count=False).hits
            total = len(hits)
            end = total if limit is None else min(total, offset + limit)
            addresses = [address for _, address in hits]
            keys: list = [float(score) for score, _ in hits]
            complete = True  # every column has a value for every hit
            if columns:
                keys = [0] * total  # summed in strength()'s order: the same floats
                for column in columns:
                    values = searcher.fast_field_values(column, addresses)
                    complete = complete and None not in values
                    if complete:
                        keys = [key + value for key, value in zip(keys, values, strict=True)]
            years = searcher.fast_field_values("year", addresses)
            before = 0
            if limit is None or not complete or None in years:
                wanted: list[int] | range = range(total)  # every hit
            elif offset >= end:
                wanted = []
            else:
                # A group's dates all lie below those of groups with a higher key or year
                # (a policy's year is its date's), so groups are whole in the ranking.
                groups = list(zip(keys, years, strict=True))
                top = heapq.nlargest(end, groups)
                high, low = top[offset], top[end - 1]
                before = sum(1 for group in groups if group > high)
                wanted = [i for i, group in enumerate(groups) if low <= group <= high]
                if high == low and high[1] > 0 and len(wanted) > GROUP_LOADED:
                    # The page lies in one group (one year of a year-only query: 5,000
                    # policies at 100,000): its newest policies, found by date terms.
                    wanted = self._newest(searcher, matching, high[1], end - before,
                                          {(addresses[i].segment_ord, addresses[i].doc): i
                                           for i in wanted})
            found = [(json.loads(searcher.doc(addresses[i])[STORED_FIELD][0]),
                      float(hits[i][0])) for i in wanted]
            suggestion = None
            if total < 3:
                suggestion = self.category_suggestion(text) or self._suggest(
                    searcher, parsed, text)
        ranked = by_strength(found, terms)
        last = None if limit is None else end - before
        return Ranked(ranked[offset - before:last], total, True, suggestion), finder

    def _newest(self, searcher: tantivy.Searcher, matching: tantivy.Query, year: int,
                most: int, group: dict[tuple[int, int], int]) -> list[int]:
        """The ``most`` newest hits of a ``group`` of one ``year`` (its hits' addresses ->
        their numbers), and every hit of the same date as the last of them; newer dates
        first, a few at a time."""
        # (listed in no particular order)
        dates = sorted(date for date, _ in searcher.terms_with_prefix("date", f"{year:04d}-"))
        Q = tantivy.Query  # noqa: N806
        found: list[int] = []
        newest, step = len(dates), DATES_AT_ONCE
        while newest > 0 and len(found) < most:
            chunk = dates[max(0, newest - step):newest]
            newest, step = newest - len(chunk), step * 2
            dated = Q.boolean_query([
                (tantivy.Occur.Must, matching),
                (tantivy.Occur.Must, Q.term_set_query(self._schema, "date", chunk))])
            for _, a in searcher.search(dated, searcher.num_docs, count=False).hits:
                number = group.get((a.segment_ord, a.doc))
                if number is not None:
                    found.append(number)
        return found

    def count(self, text: str) -> int:
        parsed = self.parse(text)
        with self._reading(), self._search_lock:
            searcher = self._searcher()
            return searcher.search(self._query(searcher, parsed), 1, count=True).count

    def facets(self, text: str, field_name: str = "category") -> dict[str, int]:
        parsed = self.parse(text)
        with self._reading(), self._search_lock:
            searcher = self._searcher()
            answer = searcher.aggregate(
                self._query(searcher, parsed),
                {"facet": {"terms": {"field": field_name, "size": 10_000}}})
        return {b["key"]: b["doc_count"] for b in answer["facet"]["buckets"]}

    def _suggest(self, searcher: tantivy.Searcher, parsed: query.Query,
                 text: str) -> str | None:
        """A spelling correction of the query from the index's words, as Whoosh's engine
        makes it (:func:`spelling_suggestion`; word pairs are counted as phrases)."""
        schema = self._schema

        def frequency(word: str) -> int:
            return searcher.doc_freq("body", word)

        def near(word: str) -> list[str]:
            return self._words_from(searcher, word[:1])

        def pair_frequency(first: str, second: str) -> int:
            phrase = tantivy.Query.phrase_query(schema, "body", [first, second])
            return searcher.search(phrase, 1, count=True).count

        try:
            return spelling_suggestion(text, frequency, near, pair_frequency)
        except Exception:  # noqa: BLE001 - a suggestion is optional
            return None


def idf_ratio(documents: int, holding: int) -> float:
    """Whoosh's idf of a word over tantivy's: a word's query weight, so both engines rank
    alike. (BM25's idf is 1 + ln(N / (n + 1)) in Whoosh, ln(1 + (N - n + 0.5) / (n + 0.5))
    in tantivy; the rest of the formula is the same. Without this, OR and prefix queries
    weigh rare words against common ones twice as much in tantivy.)"""
    if not holding or not documents:
        return 1.0
    tantivy_idf = math.log(1 + (documents - holding + 0.5) / (holding + 0.5))
    whoosh_idf = 1 + math.log(documents / (holding + 1))
    return whoosh_idf / tantivy_idf if tantivy_idf > 0 else 1.0

