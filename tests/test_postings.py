"""The fast segment writer writes what Whoosh writes, and Whoosh reads it as its own."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import fields, index
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.qparser import QueryParser
from whoosh.writing import SegmentWriter

import reader.search.postings as postings
from reader.search.postings import CountedSegmentWriter, CountedTerms, CountedText

WORDS = RegexTokenizer(r"\w+") | LowercaseFilter()


def schema() -> fields.Schema:
    return fields.Schema(
        path=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True),
        body=CountedText(WORDS),
        boosted=CountedText(WORDS, field_boost=2.0),
        year=fields.NUMERIC(int, stored=True),
    )


def documents(count: int = 400) -> list[dict]:
    """Documents with common terms (many blocks), rare ones, repeated counts, unicode and
    an empty counted field."""
    rng = random.Random(4)
    vocabulary = [f"w{i}" for i in range(2000)] + ["é", "zeta", "naïve", "a b", "ä b"]
    docs = []
    for number in range(count):
        tokens = [rng.choice(vocabulary[:rng.randint(3, len(vocabulary))])
                  for _ in range(rng.randint(0, 300))]
        docs.append({"path": f"/p/{number}", "title": " ".join(tokens[:4]) or "none",
                     "body": CountedTerms.from_tokens(tokens),
                     "boosted": CountedTerms.from_tokens(tokens[:5]),
                     "year": 2000 + number % 20})
    return docs


def build(folder: Path, writer_class, docs: list[dict]) -> Path:
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    writer = writer_class(ix, compound=False)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    ix.close()
    return folder


def file_digests(folder: Path) -> dict[str, str]:
    """Digest per file, keyed without the random segment name."""
    digests = {}
    for path in folder.iterdir():
        if path.suffix == ".toc" or path.name.endswith("WRITELOCK"):
            continue  # the table of contents holds the random segment id
        key = path.name.split(".", 1)[1]
        digests[key] = hashlib.md5(path.read_bytes()).hexdigest()
    return digests


def test_same_bytes_as_whoosh_with_whooshs_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(postings, "COMPRESS_FROM", 0)
    monkeypatch.setattr(postings, "COMPRESS_WINDOW_BITS", 15)
    monkeypatch.setattr(postings, "COMPRESSION", 3)
    monkeypatch.setattr(postings, "BLOCKS_PER_WINDOW", 7)  # several windows per field
    docs = documents()
    whoosh_files = file_digests(build(tmp_path / "whoosh", SegmentWriter, docs))
    ours = file_digests(build(tmp_path / "ours", CountedSegmentWriter, docs))
    assert {"pst", "trm", "_body_len.col", "_stored.col"} <= set(whoosh_files)
    assert ours == whoosh_files


def postings_of(folder: Path) -> dict:
    """Every term's term info and postings (ids, weights, values), read by Whoosh."""
    ix = index.open_dir(str(folder))
    found = {}
    with ix.reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            found[fieldname, text] = (info.doc_frequency(), info.weight(), info.min_length(),
                                      info.max_length(), info.max_weight(), info.min_id(),
                                      info.max_id(), items)
    ix.close()
    return found


def test_default_settings_read_back_as_whoosh_writes(tmp_path):
    docs = documents()
    expected = postings_of(build(tmp_path / "whoosh", SegmentWriter, docs))
    ours = postings_of(build(tmp_path / "ours", CountedSegmentWriter, docs))
    assert ours == expected
    assert max(info[0] for info in ours.values()) > 3 * postings.BLOCK_LIMIT


def test_searches_merges_and_deletions(tmp_path):
    docs = documents(300)
    folder = build(tmp_path / "ours", CountedSegmentWriter, docs[:150])
    ix = index.open_dir(str(folder))
    writer = CountedSegmentWriter(ix, compound=False)
    for doc in docs[150:]:
        writer.add_document(**doc)
    writer.delete_by_term("path", "/p/3")
    writer.commit()
    parser = QueryParser("body", ix.schema)
    expected = {d["path"] for d in docs if "zeta" in d["body"].terms.split("\n")} - {"/p/3"}
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        found = {hit["path"] for hit in searcher.search(parser.parse("zeta"), limit=None)}
    assert found == expected
    ix.optimize()  # Whoosh merges our segments through its own reader and writer
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1
        found = {hit["path"] for hit in searcher.search(parser.parse("zeta"), limit=None)}
    assert found == expected
    ix.close()


def test_counted_terms_round_trip():
    counted = CountedTerms.from_tokens(["b", "a", "b", "ü ß", "b"])
    assert dict(counted.items()) == {"b": 3, "a": 1, "ü ß": 1}
    assert counted.total == 5
    assert CountedTerms.from_tokens([]).items() == []


@pytest.mark.parametrize("high", [300, 70_000, 5_000_000_000])
def test_stable_argsort_matches_numpy(high):
    keys = np.random.default_rng(1).integers(0, high, 50_000).astype(np.int64)
    assert np.array_equal(postings._stable_argsort(keys), np.argsort(keys, kind="stable"))


def build_in_commits(folder: Path, writer_class, docs: list[dict], deleted: set[str],
                     commits: int = 7) -> Path:
    """Commits of a few documents each (deleting some on the way), the last one merging
    every segment with ``writer_class`` itself, as Whoosh's merge policies do."""
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    size = len(docs) // commits + 1
    for start in range(0, len(docs), size):
        writer = writer_class(ix, compound=False)
        for doc in docs[start:start + size]:
            writer.add_document(**doc)
        for path in deleted:
            writer.delete_by_term("path", path)
        writer.commit(merge=False, optimize=start + size >= len(docs))
    ix.close()
    return folder


@pytest.mark.parametrize("deleted", [set(), {"/p/3", "/p/40", "/p/41", "/p/150"}])
def test_merging_writes_what_whoosh_writes(tmp_path, deleted):
    """A commit that merges segments (the fast writer's own and Whoosh's) writes the
    counted fields once, with the postings Whoosh writes (issue 11: it wrote them twice
    and failed with "Keys must increase")."""
    docs = documents(200)
    expected = postings_of(build_in_commits(tmp_path / "whoosh", SegmentWriter, docs, deleted))
    ours = build_in_commits(tmp_path / "ours", CountedSegmentWriter, docs, deleted)
    assert postings_of(ours) == expected
    ix = index.open_dir(str(ours))
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1
        assert searcher.doc_count() == 200 - len(deleted)
        parser = QueryParser("body", ix.schema)
        found = {hit["path"] for hit in searcher.search(parser.parse("zeta"), limit=None)}
    ix.close()
    assert found == {d["path"] for d in docs if "zeta" in d["body"].terms.split("\n")} - deleted


def test_documents_added_after_a_merge_keep_their_order(tmp_path):
    docs = documents(120)
    first = build(tmp_path / "first", CountedSegmentWriter, docs[:60])
    expected = postings_of(build(tmp_path / "whoosh", SegmentWriter, docs))
    (tmp_path / "ours").mkdir()
    ix = index.create_in(str(tmp_path / "ours"), schema())
    writer = CountedSegmentWriter(ix, compound=False)
    source = index.open_dir(str(first))
    with source.reader() as reader:
        writer.add_reader(reader)  # merged documents first, then new ones
    for doc in docs[60:]:
        writer.add_document(**doc)
    writer.commit()
    source.close()
    ix.close()
    assert postings_of(tmp_path / "ours") == expected
