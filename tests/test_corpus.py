"""Corpus loading: header parsing, layouts, bad files skipped with warnings."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from reader.sources.corpus import (
    Corpus,
    CorpusError,
    PolicyEntry,
    PolicyLoadError,
    domain_from_filename,
    parse_header,
    preferred_entry,
    read_policy,
    read_policy_text,
)

HEADER = (
    "> *The following text is extracted and transformed from the amazon.com privacy policy "
    "that was archived on 2007-06-06. Please check the [original snapshot on the Wayback "
    "Machine](https://web.archive.org/web/20070606/http://www.amazon.com/privacy) for the "
    "most accurate reproduction.*\n\n# Amazon.com Privacy Notice\n\nWe collect data.\n"
)


def test_parse_header_fields():
    header, body = parse_header(HEADER)
    assert header.domain == "amazon.com"
    assert header.archive_date == "2007-06-06"
    assert header.source_url == "https://web.archive.org/web/20070606/http://www.amazon.com/privacy"
    assert header.title == "Amazon.com Privacy Notice"
    assert body == "We collect data."


def test_header_without_title_and_malformed_header():
    header, body = parse_header("> *from the x.org privacy policy, archived on 2011-01-02*\n\nText")
    assert (header.domain, header.archive_date, header.title) == ("x.org", "2011-01-02", None)
    assert body == "Text"
    header, body = parse_header("> Just an ordinary quote.\n\nBody text.")
    assert header.domain is None and header.archive_date is None
    assert body.startswith("> Just an ordinary quote.")


def test_file_without_header_uses_filename(tmp_path):
    path = tmp_path / "example.org.md"
    path.write_text("Plain policy text with five words.", "utf-8")
    policy = read_policy(path)
    assert policy.domain == "example.org"
    assert policy.title == "example.org"
    assert policy.archive_date is None and policy.source_url is None
    assert policy.word_count == 6
    assert policy.reading_minutes == 1


def test_domain_from_filename():
    assert domain_from_filename(Path("a/am/ama/amazon.com.md")) == "amazon.com"
    assert domain_from_filename(Path("x/shop.co.uk.txt")) == "shop.co.uk"


def test_embedded_corpus_is_the_five_seed_policies(embedded_corpus):
    corpus = Corpus.open(embedded_corpus)
    assert corpus.domains() == [
        "audiomidi.com", "bettymills.com", "bizdesign.com", "bmtmicro.com", "ipmart.com",
    ]
    policy = corpus.load("bmtmicro.com")
    assert policy.title == "Privacy Policy"  # "Privacy Policy |" in the file
    assert policy.raw_title == "Privacy Policy |"
    assert policy.archive_date == "2016-11-26"
    assert policy.source_url == ("https://web.archive.org/web/20161126121537id_/"
                                 "https%3A//www.bmtmicro.com/privacy-policy")
    assert policy.word_count == 548
    assert policy.body.startswith("BMT Micro, Inc., respects the privacy of our partners")
    assert corpus.problems == []


def test_embedded_corpus_is_the_seeds_byte_for_byte(embedded_corpus, shared_seeds):
    seeds = shared_seeds
    ours = sorted(p.name for p in embedded_corpus.iterdir())
    assert ours == sorted(p.name for p in seeds.glob("*.md"))
    for name in ours:
        assert (embedded_corpus / name).read_bytes() == (seeds / name).read_bytes(), name


def test_nested_layout(nested_corpus):
    corpus = Corpus.open(nested_corpus)
    assert corpus.domains() == ["acme-widgets.test", "zorbo.test"]
    policy = corpus.load("zorbo.test")
    assert policy.archive_date == "2016-11-30"
    assert policy.year == 2016
    assert policy.source_url.endswith("zorbo.test/privacy")
    assert corpus.entry("acme-widgets.test").relpath == "a/ac/acm/acme-widgets.test.md"
    assert corpus.find("WWW.Zorbo.test").domain == "zorbo.test"


def test_listing_does_not_read_bodies(tmp_path, monkeypatch):
    for i in range(50):
        (tmp_path / f"site{i}.com.md").write_text("x" * 10, "utf-8")
    opened = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self) or b"")
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self))
    corpus = Corpus.open(tmp_path)
    assert len(corpus) == 50
    assert opened == []


@pytest.fixture
def messy_corpus(tmp_path) -> Path:
    (tmp_path / "good.com.md").write_text("# Good\n\nWe collect your email.", "utf-8")
    (tmp_path / "empty.com.md").write_bytes(b"")
    (tmp_path / "blank.com.md").write_bytes(b"  \n\n ")
    (tmp_path / "binary.com.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "latin1.com.md").write_bytes("Caf\xe9 privacy policy".encode("latin-1"))
    (tmp_path / "bom.com.md").write_bytes("\ufeff# BOM\n\nText".encode())
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    return tmp_path


def test_bad_files_are_skipped_with_warnings_naming_them(messy_corpus, caplog):
    caplog.set_level(logging.WARNING)
    corpus = Corpus.open(messy_corpus)
    assert "notes" not in " ".join(corpus.domains())
    loaded = {p.domain for p in corpus.iter_policies()}
    assert loaded == {"good.com", "bom.com"}
    problems = "\n".join(corpus.problems)
    for name in ("empty.com.md", "blank.com.md", "binary.com.md", "latin1.com.md"):
        assert name in problems
    assert "not UTF-8" in problems and "binary" in problems and "empty" in problems
    assert any("latin1.com.md" in r.getMessage() for r in caplog.records)
    assert corpus.load("bom.com").title == "BOM"


def test_load_raises_clear_error(messy_corpus):
    corpus = Corpus.open(messy_corpus)
    with pytest.raises(PolicyLoadError, match="binary.com.md.*binary"):
        corpus.load("binary.com")


def test_huge_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("reader.sources.corpus.MAX_POLICY_BYTES", 1000)
    path = tmp_path / "huge.com.md"
    path.write_text("word " * 1000, "utf-8")
    with pytest.raises(PolicyLoadError, match="larger than"):
        read_policy(path)


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        Corpus.open(tmp_path / "nope")
    (tmp_path / "file.md").write_text("x", "utf-8")
    with pytest.raises(CorpusError, match="not a folder"):
        Corpus.open(tmp_path / "file.md")


def test_every_shared_policy_header_parses(shared_corpus):
    corpus = Corpus.open(shared_corpus)
    assert len(corpus) > 0
    missing = []
    for policy in corpus.iter_policies():
        if not (policy.archive_date and policy.source_url):
            missing.append(policy.domain)
    assert missing == [], f"headers not parsed: {missing[:10]}"


REAL_POLICY = "# IPMart Privacy Policy\n\n" + "We collect your name and email address. " * 40


def _write_duplicates(folder: Path) -> None:
    (folder / "ipmart.com.txt").write_text("three word file", "utf-8")
    (folder / "ipmart.com.md").write_text(REAL_POLICY, "utf-8")
    (folder / "other.com.txt").write_text(REAL_POLICY, "utf-8")
    nested = folder / "o" / "ot"
    nested.mkdir(parents=True)
    (nested / "other.com.txt").write_text("short", "utf-8")


@pytest.mark.parametrize("listing_order", ["forward", "reversed"])
def test_duplicate_domains_prefer_md_then_larger_whatever_the_scan_order(
        tmp_path, monkeypatch, listing_order):
    _write_duplicates(tmp_path)
    real_scandir = os.scandir

    class Listing:
        def __init__(self, folder):
            with real_scandir(folder) as it:
                self.items = sorted(it, key=lambda item: item.name,
                                    reverse=listing_order == "reversed")

        def __enter__(self):
            return iter(self.items)

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr("reader.sources.corpus.os.scandir", Listing)
    corpus = Corpus.open(tmp_path)
    assert corpus.domains() == ["ipmart.com", "other.com"]
    assert corpus.entry("ipmart.com").relpath == "ipmart.com.md"
    assert corpus.load("ipmart.com").title == "IPMart Privacy Policy"
    assert corpus.entry("other.com").relpath == "other.com.txt"  # the larger of two .txt
    problems = "\n".join(corpus.problems)
    assert "ipmart.com.txt: a second policy for ipmart.com; ipmart.com.md is shown" in problems
    assert f"{Path('o/ot/other.com.txt')}: a second policy for other.com" in problems


def test_preferred_entry_order():
    def entry(name: str, size: int) -> PolicyEntry:
        return PolicyEntry("x.com", Path(name), size, 0.0, name)

    candidates = [entry("x.com.txt", 900), entry("x.com.markdown", 50), entry("x.com.md", 10)]
    assert preferred_entry(candidates).relpath == "x.com.md"
    assert preferred_entry(candidates[:2]).relpath == "x.com.markdown"
    assert preferred_entry([entry("b/x.com.md", 5), entry("a/x.com.md", 5)]).relpath == \
        "a/x.com.md"


def test_find_broken_and_discard_keep_them_out_until_they_change(messy_corpus):
    corpus = Corpus.open(messy_corpus)
    assert "binary.com" in corpus  # listing only stats files
    found = corpus.find_broken()
    broken = {entry.domain: message for entry, message in found}
    assert set(broken) == {"blank.com", "binary.com", "latin1.com"}
    assert "binary" in broken["binary.com"] and "not UTF-8" in broken["latin1.com"]
    for entry, message in found:
        assert corpus.discard(entry, message)
    assert not corpus.discard(found[0][0], "again")
    assert corpus.domains() == ["bom.com", "good.com"]
    assert corpus.rescan().added == []  # still broken: still skipped
    assert corpus.domains() == ["bom.com", "good.com"]
    assert any("latin1.com.md" in p and p.endswith("skipped") for p in corpus.problems)
    (messy_corpus / "latin1.com.md").write_text("Café privacy policy", "utf-8")
    changes = corpus.rescan()
    assert changes.added == ["latin1.com"]
    assert corpus.load("latin1.com").body == "Café privacy policy"


def test_the_file_check_reads_without_repairing(tmp_path, monkeypatch):
    # The check only needs to know that a file can be shown: the repair (its regular
    # expressions) is left to opening the policy.
    from reader.sources import corpus as corpus_module

    (tmp_path / "mojibake.com.md").write_text("We donâ€™t sell your data.", "utf-8")
    repaired = []
    monkeypatch.setattr(corpus_module, "repair_text",
                        lambda text, utf8=None: repaired.append(text) or text)
    corpus = Corpus.open(tmp_path)
    assert corpus.find_broken() == [] and repaired == []
    assert read_policy_text(tmp_path / "mojibake.com.md", repair=False) == (
        "We donâ€™t sell your data.")
    corpus.load("mojibake.com")
    assert repaired == ["We donâ€™t sell your data."]


def test_rescan_reports_added_removed_changed(tmp_path):
    (tmp_path / "a.com.md").write_text("alpha policy", "utf-8")
    (tmp_path / "b.com.md").write_text("beta policy", "utf-8")
    corpus = Corpus.open(tmp_path)
    assert not corpus.rescan()
    (tmp_path / "a.com.md").unlink()
    (tmp_path / "c.com.md").write_text("gamma policy", "utf-8")
    (tmp_path / "b.com.md").write_text("beta policy, now longer", "utf-8")
    changes = corpus.rescan()
    assert (changes.added, changes.removed, changes.changed) == (["c.com"], ["a.com"],
                                                                 ["b.com"])
    assert corpus.domains() == ["b.com", "c.com"]
    assert "a.com" not in corpus
    assert corpus.folders == [corpus.root]
    shutil.rmtree(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        corpus.rescan()


def test_discard_ignores_an_entry_replaced_since_the_check(messy_corpus):
    corpus = Corpus.open(messy_corpus)
    [(entry, message)] = [b for b in corpus.find_broken() if b[0].domain == "latin1.com"]
    (messy_corpus / "latin1.com.md").write_text("Café policy, fixed and longer", "utf-8")
    assert corpus.rescan().changed == ["latin1.com"]
    assert not corpus.discard(entry, message)
    assert corpus.load("latin1.com").body == "Café policy, fixed and longer"


def test_listing_cache_reused_while_folders_are_unchanged(tmp_path):
    folder = tmp_path / "policies"
    nested = folder / "a" / "ac" / "acm"
    nested.mkdir(parents=True)
    (nested / "acme.com.md").write_text("# Acme\n\nWe collect names.\n", "utf-8")
    (folder / "beta.org.md").write_text("# Beta\n\nWe sell nothing.\n", "utf-8")
    (folder / "empty.net.md").write_text("", "utf-8")
    cache = tmp_path / "cache"
    first = Corpus.open(folder, cache_dir=cache)
    assert not first.from_cache and first.domains() == ["acme.com", "beta.org"]
    again = Corpus.open(folder, cache_dir=cache)
    assert again.from_cache
    assert again.entries == first.entries and again.problems == first.problems
    assert again.load("acme.com").title == "Acme"
    assert again.folders == first.folders
    (nested / "acme.com.md").write_text("# Acme\n\nWe collect names and emails.\n", "utf-8")
    edited = Corpus.open(folder, cache_dir=cache)  # an edit in place keeps folder times
    assert edited.from_cache and edited.stale() == ["acme.com"]
    (nested / "acne.com.md").write_text("# Acne\n\nWe collect skin.\n", "utf-8")
    added = Corpus.open(folder, cache_dir=cache)  # a new file changes its folder's time
    assert not added.from_cache and added.domains() == ["acme.com", "acne.com", "beta.org"]
    assert added.stale() == []
    (folder / "beta.org.md").unlink()
    assert Corpus.open(folder, cache_dir=cache).domains() == ["acme.com", "acne.com"]


def test_the_kept_listing_keeps_its_digest(tmp_path, monkeypatch):
    # The search index compares the listing's digest with the one it recorded: a corpus
    # opened from the kept listing has it without making it again, and any change to the
    # entries makes a new one.
    from reader.sources import corpus as corpus_module

    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "acme.com.md").write_text("# Acme\n\nWe collect names.\n", "utf-8")
    (folder / "beta.org.md").write_text("# Beta\n\nWe sell nothing.\n", "utf-8")
    cache = tmp_path / "cache"
    walked = Corpus.open(folder).listing_digest()
    assert Corpus.open(folder, cache_dir=cache).listing_digest() == walked
    made = []
    real_hashlib = corpus_module.hashlib

    class CountingHashlib:
        @staticmethod
        def blake2b(*args, **kwargs):
            made.append(1)
            return real_hashlib.blake2b(*args, **kwargs)

    monkeypatch.setattr(corpus_module, "hashlib", CountingHashlib)
    kept = Corpus.open(folder, cache_dir=cache)
    assert kept.from_cache and kept.listing_digest() == walked and made == []
    (folder / "acme.com.md").write_text("# Acme\n\nWe collect names and more.\n", "utf-8")
    kept.rescan()
    assert kept.listing_digest() != walked
    assert kept.listing_digest() == Corpus.open(folder).listing_digest()
    assert Corpus.open(folder, cache_dir=cache).listing_digest() == kept.listing_digest()
    before = len(made)
    assert kept.discard(kept.entry("beta.org"), "unreadable")
    assert len(made) == before  # a discard (GUI thread) keeps the listing without digest
    assert kept.listing_digest() == Corpus.open(folder, cache_dir=cache).listing_digest()
    assert len(kept.entries) == 1


def test_listing_cache_that_is_damaged_or_unwritable_is_ignored(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "beta.org.md").write_text("# Beta\n\nWe sell nothing.\n", "utf-8")
    cache = tmp_path / "cache"
    Corpus.open(folder, cache_dir=cache)
    [stored] = cache.iterdir()
    stored.write_bytes(b"\x00garbage")
    corpus = Corpus.open(folder, cache_dir=cache)
    assert not corpus.from_cache and corpus.domains() == ["beta.org"]
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert Corpus.open(folder, cache_dir=blocked).domains() == ["beta.org"]
