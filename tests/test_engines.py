"""Whoosh and tantivy behind one interface: the same answers to the benchmark's queries over
policies built from real ones, the same counts and facets; the engine choice."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from reader.paths import embedded_corpus_dir
from reader.search.engine import ENGINE_VARIABLE, TANTIVY_FROM, chosen_engine, open_index
from reader.sources.corpus import Corpus
from tests.conftest import shared_folder

BENCH = Path(__file__).resolve().parents[1] / "bench"
POLICIES = 300


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    """Both engines' indexes of 300 policies built from ../shared/corpus (as
    bench_search.py builds its corpora) plus the five seed policies; the bench's queries."""
    pytest.importorskip("tantivy")
    shared_folder("corpus")
    sys.path.insert(0, str(BENCH))
    try:
        from bench_search import make_queries
        from common import make_real_corpus
    finally:
        sys.path.remove(str(BENCH))
    folder = tmp_path_factory.mktemp("real-derived")
    _, facts = make_real_corpus(folder, POLICIES)
    for seed in embedded_corpus_dir().glob("*.md"):
        shutil.copy(seed, folder / seed.name)
    corpus = Corpus.open(folder)
    indexes = {}
    for engine in ("whoosh", "tantivy"):
        indexes[engine] = open_index(corpus, engine,
                                     folder=tmp_path_factory.mktemp(f"index-{engine}"))
        assert indexes[engine].update(workers=2).added == POLICIES + 5
    yield indexes, make_queries(facts)
    for policy_index in indexes.values():
        policy_index.close()


def test_both_engines_return_the_same_top_10_on_the_bench_queries(both_engines):
    """Same totals for every query; the top 10 agree but for BM25's two idf formulas
    (Whoosh: 1 + log(N / (n + 1)); tantivy: log(1 + (N - n + 0.5) / (n + 0.5))) and
    tantivy's one-byte field lengths, which reorder near-ties at the 10th place: every
    policy of one top 10 is in the other's top 20, and 8 of 10 at least are shared."""
    indexes, mix = both_engines
    assert len(mix) >= 100
    shares = []
    for kind, text in mix:
        whoosh = indexes["whoosh"].search(text, limit=20, snippets=False)
        tantivy = indexes["tantivy"].search(text, limit=20, snippets=False)
        assert whoosh.total == tantivy.total, (kind, text)
        assert whoosh.total_is_exact and tantivy.total_is_exact
        first = [h.domain for h in whoosh.hits]
        second = [h.domain for h in tantivy.hits]
        assert set(first[:10]) <= set(second), (kind, text, first, second)
        assert set(second[:10]) <= set(first), (kind, text, first, second)
        if first or second:
            share = len(set(first[:10]) & set(second[:10])) / max(len(first[:10]),
                                                                   len(second[:10]))
            assert share >= 0.8, (kind, text, first[:10], second[:10])
            shares.append(share)
    assert sum(shares) / len(shares) >= 0.9


def test_same_rare_word_and_filter_hits_in_the_same_order(both_engines):
    indexes, mix = both_engines
    for kind, text in mix:
        if kind in {"rare word", "company: filter"}:
            answers = [[h.domain for h in indexes[e].search(text, snippets=False).hits]
                       for e in ("whoosh", "tantivy")]
            assert answers[0] == answers[1], text


def test_prefix_queries_are_ranked_with_exact_counts(both_engines):
    """``encrypt*`` ranks by the words it stands for (no longer every hit 1.0), the same
    way in both engines, and counts every policy holding one of them."""
    indexes, _ = both_engines
    for policy_index in indexes.values():
        results = policy_index.search("encrypt*", limit=10, snippets=False)
        scores = [h.score for h in results.hits]
        assert len(set(scores)) > 1 and scores == sorted(scores, reverse=True)
        expected = policy_index.count("encrypt OR encrypted OR encryption OR encrypts "
                                      "OR encrypting OR encrypt*")
        assert results.total == expected == policy_index.count("encrypt*")
    best = {e: indexes[e].search("encrypt*", limit=1).hits[0] for e in indexes}
    assert best["whoosh"].domain == best["tantivy"].domain
    assert best["whoosh"].snippets == best["tantivy"].snippets  # from the same text
    assert "<b>encrypt" in best["tantivy"].snippets[0].lower()


def test_same_counts_facets_paging_and_listings(both_engines):
    indexes, _ = both_engines
    whoosh, tantivy = indexes["whoosh"], indexes["tantivy"]
    for text in ["cookies", "sell AND category:third_party_sharing", "year:2005..2010",
                 '"third parties" NOT advertising', "company:ipmart"]:
        assert whoosh.count(text) == tantivy.count(text) == whoosh.search(text).total, text
        assert whoosh.facets(text) == tantivy.facets(text), text
    pages = [[h.domain for h in tantivy.search("cookies", limit=5, offset=o,
                                               snippets=False).hits] for o in (0, 5)]
    top = [h.domain for h in tantivy.search("cookies", limit=10, snippets=False).hits]
    assert pages[0] + pages[1] == top
    assert whoosh.metadata() == tantivy.metadata()
    assert whoosh.doc_count() == tantivy.doc_count() == POLICIES + 5


def test_engine_choice(monkeypatch, tmp_path):
    small = Corpus.open(embedded_corpus_dir())
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert chosen_engine(small) == "whoosh"
    for number in range(TANTIVY_FROM):
        (tmp_path / f"p{number}.test.md").write_text("# P\n\nWe keep logs.", "utf-8")
    large = Corpus.open(tmp_path)
    assert chosen_engine(large) == ("tantivy" if _has_tantivy() else "whoosh")
    monkeypatch.setenv(ENGINE_VARIABLE, "whoosh")
    assert chosen_engine(large) == "whoosh"
    assert type(open_index(large)).__name__ == "PolicyIndex"
    monkeypatch.setenv(ENGINE_VARIABLE, "nonsense")
    assert chosen_engine(small) == "whoosh"
    if _has_tantivy():
        monkeypatch.setenv(ENGINE_VARIABLE, "tantivy")
        chosen = open_index(small)
        assert type(chosen).__name__ == "TantivyIndex"
        assert chosen.folder != open_index(small, "whoosh").folder


def _has_tantivy() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


class FakeSegment:
    def __init__(self, size: int) -> None:
        self.size = size

    def doc_count_all(self) -> int:
        return self.size

    def close(self) -> None:
        pass


class FakeWriter:
    """Collects the segments a merge policy merges into the segment being written."""

    storage = schema = None

    def __init__(self) -> None:
        self.merged = 0

    def add_reader(self, reader) -> None:
        self.merged += reader.size


def simulate_whoosh_build(monkeypatch, policies: int, batch: int) -> tuple[int, int, float]:
    """(most segments at any time, segments at the end, policies rewritten by merges per
    policy) of a Whoosh build committing ``batch`` policies at a time."""
    import whoosh.reading

    from reader.search import index

    monkeypatch.setattr(whoosh.reading, "SegmentReader", lambda storage, schema, seg: seg)
    monkeypatch.setattr(index, "SEGMENT_LIMIT", batch)
    segments: list[FakeSegment] = []
    most, rewritten = 0, 0
    for _ in range(policies // batch):
        writer = FakeWriter()
        kept = index.tiered_merge(writer, segments)
        rewritten += writer.merged
        segments = [*kept, FakeSegment(batch + writer.merged)]
        most = max(most, len(segments))
    assert sum(s.size for s in segments) == policies // batch * batch
    return most, len(segments), rewritten / policies


def test_whoosh_segments_stay_bounded(monkeypatch):
    """Issue 16: Whoosh's own merge policy left 69 segments at 100,000 policies (each
    with its own term dictionary to read). The tiered policy keeps them few, rewriting
    each policy about once per size tier."""
    most, last, rewrites = simulate_whoosh_build(monkeypatch, 100_000, 1500)
    assert most <= 10 and last <= 10
    assert rewrites <= 2
    most, last, rewrites = simulate_whoosh_build(monkeypatch, 1_000_000, 1500)
    assert most <= 14 and rewrites <= 3.5
