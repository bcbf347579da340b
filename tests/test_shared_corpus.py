"""Every real policy of ``../shared/corpus`` (221 Princeton-Leuven files) through the whole
pipeline: list, header, render, classify, index, search, PDF export, and the company list.

Skipped when the folder is absent. One pass over the corpus serves all checks (module-scoped
fixture); the PDF export of all 221 policies takes about 15 s of CPU.
"""

from __future__ import annotations

import csv
import logging
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import (
    expected_pdf_characters,
    pdf_policy_characters,
    shown_words,
    source_words,
)

from reader.cli import main
from reader.output.export import write_pdf
from reader.output.highlight import HighlightedPolicy, header_html
from reader.search.index import PolicyIndex
from reader.sources.corpus import Corpus, domain_from_filename

# The 34 files whose snapshot was taken on another site than the one they are named after
# (parked domains on their registrar's, youtube.com on google.com...). A subdomain of the
# file's site (support.bettymills.com) counts as the same site.
OTHER_SITE = {
    "007.com": "foxprivacy.com", "03m.info": "godaddy.com", "0460.us": "godaddy.com",
    "07ksa.org": "privacypolicy.news", "0day.today": "pastebin.com",
    "0url.in": "privacypolicy.news", "1-2-3.com": "customersupport.networksolutions.com",
    "224la.com": "whoisprivacyprotect.com", "51g.la": "www.la", "6wav.es": "bitly.com",
    "7news.com.au": "info.yahoo.com", "8k.com": "freeservers.com",
    "delicious.com": "info.yahoo.com", "heimatfreunde.info": "godaddy.com",
    "k24tv.co.ke": "mediamaxnetwork.co.ke", "kadal.club": "safelinkreview.com",
    "lescahiersfm.com": "hover.com", "lesentrepreneursduweb.com": "whoisprivacyprotect.com",
    "oath.com": "privacy.aol.com", "qe.pe": "101domain.com", "si.edu": "blackbaud.com",
    "vodafone.co.ug": "vodafone.com", "vodafonelive.com.eg": "vodafone.com.eg",
    "vogue.it": "style.com", "wikipedia.org": "meta.wikimedia.org",
    "wordpress.com": "automattic.com", "x10.mx": "x10hosting.com", "x383.com": "godaddy.com",
    "yaarinews.ir": "google.com", "yahoo.com.cn": "privacy.yahoo.com",
    "yamaha-motor.co.id": "global.yamaha-motor.com", "yamoney.ru": "money.yandex.ru",
    "youtube.com": "google.com", "za10groszy.pl": "blogen.wellbid.com",
}


@dataclass
class Pass:
    """What one pass of the pipeline over the shared corpus saw."""

    corpus: Corpus
    manifest: dict[str, dict]
    items: dict[str, HighlightedPolicy] = field(default_factory=dict)
    pdfs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pass:
    from conftest import shared_folder

    root = shared_folder("corpus")
    with (root / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        manifest = {row["domain"]: row for row in csv.DictReader(handle, delimiter="\t")}
    seen: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    out = tmp_path_factory.mktemp("pdfs")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpus = Corpus.open(root)
            run = Pass(corpus, manifest)
            for domain in corpus.domains():
                item = HighlightedPolicy.of(corpus.load(domain))
                item.body_html()
                header_html(item.policy)
                run.items[domain] = item
                run.pdfs[domain] = write_pdf(item, out / f"{domain}.pdf")
        seen += [str(w.message) for w in caught]
    finally:
        logging.getLogger().removeHandler(handler)
    run.warnings = seen
    return run


def test_every_file_is_listed_read_and_exported_without_a_warning(pipeline):
    corpus, manifest = pipeline.corpus, pipeline.manifest
    assert len(manifest) == 221
    assert sorted(corpus.domains()) == sorted(manifest)
    assert corpus.problems == [] and pipeline.warnings == []
    for entry in corpus.entries:
        row = manifest[entry.domain]
        assert entry.relpath == row["path"]
        assert entry.domain == domain_from_filename(entry.path)
    for domain, pdf in pipeline.pdfs.items():
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), domain


def test_viewer_and_pdf_show_every_word(pipeline):
    """The viewer's document holds the rendered text word for word; each PDF prints every
    character of it on its pages (none cut off at a page's edge, none twice)."""
    from PySide6.QtGui import QTextDocument

    from reader.output.fonts import characters_without_a_font

    for domain, item in pipeline.items.items():
        shown = QTextDocument()
        shown.setHtml(item.body_html())
        assert shown_words(shown.toPlainText()) == shown_words(item.document.text), domain
        # a character no font draws prints as a box pdftotext cannot read back
        assert characters_without_a_font(item.document.text) == "", (
            f"{domain}: no font on this computer; run packaging/system-deps.sh")
        printed, pages = pdf_policy_characters(pipeline.pdfs[domain])
        assert printed == expected_pdf_characters(item.document, pages), domain


def test_header_date_and_domain_match_the_manifest(pipeline):
    for domain, item in pipeline.items.items():
        policy = item.policy
        assert policy.domain == domain
        assert policy.archive_date == pipeline.manifest[domain]["archive_date"], domain
        assert policy.year == int(pipeline.manifest[domain]["archive_date"][:4])
        assert policy.source_url.startswith("https://web.archive.org/web/"), domain
        assert policy.title.strip(), domain


def test_snapshot_sites_that_differ_from_the_domain(pipeline):
    found = {d: i.policy.snapshot_site for d, i in pipeline.items.items()
             if i.policy.snapshot_site}
    assert found == OTHER_SITE
    youtube = pipeline.items["youtube.com"].policy
    assert youtube.company_label == "youtube.com (snapshot from google.com)"
    assert "snapshot from google.com" in header_html(youtube)


def test_every_policy_renders_and_is_classified(pipeline):
    without_practices = []
    for domain, item in pipeline.items.items():
        # Rendering drops markup (link targets, tags, list numbers), never a word, and keeps
        # their order (an indented block is text, not a code block cut off at the edge).
        assert shown_words(item.document.text) == source_words(item.policy.body), domain
        assert "<pre" not in item.body_html(), domain
        if not item.analysis.categories:
            without_practices.append(domain)
        for span in item.analysis.spans:
            assert 0 <= span.start < span.end <= len(item.document.text)
    # A few parked or near-empty pages state no practice at all; real policies do.
    assert len(without_practices) < 10, without_practices
    amazon = pipeline.items["amazon.com"].analysis
    assert {"first_party_collection", "third_party_sharing"} <= set(amazon.categories)


def test_index_and_search_find_every_policy(pipeline):
    policy_index = PolicyIndex(pipeline.corpus)
    report = policy_index.update(workers=2)
    try:
        assert report.failed == [] and policy_index.doc_count() == 221
        metadata = policy_index.metadata()
        for domain, item in pipeline.items.items():
            stored = metadata[domain]
            assert (stored["title"], stored["date"]) == (item.policy.title,
                                                         item.policy.archive_date)
            assert stored["site"] == (item.policy.snapshot_site or "")
            words = " ".join(re.findall(r"\w+", domain))
            hits = policy_index.search(f'company:"{words}"', limit=50, snippets=False).hits
            assert domain in [h.domain for h in hits], domain
        google = policy_index.search("company:google", limit=50, snippets=False)
        assert {"google.com", "youtube.com", "yaarinews.ir"} <= {h.domain for h in google.hits}
        years = policy_index.search("year:1999..2004 privacy", limit=300, snippets=False)
        assert {h.domain for h in years.hits} == {
            d for d, i in pipeline.items.items() if i.policy.year <= 2004
            and "privacy" in (i.policy.title + " " + i.policy.body).lower()}
    finally:
        policy_index.close()


def test_cli_list_on_real_data(pipeline, capsys):
    assert main(["list", "--corpus", str(pipeline.corpus.root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("221 policies in")
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert len(rows) == 221
    youtube = rows["youtube.com"].split()
    manifest = pipeline.manifest["youtube.com"]
    assert youtube[1] == manifest["archive_date"]
    assert int(youtube[2]) == pipeline.items["youtube.com"].policy.word_count
    assert rows["youtube.com"].endswith("[snapshot from google.com]")
    assert sum("[snapshot from" in line for line in rows.values()) == len(OTHER_SITE)


def test_company_list_shows_domain_year_length_title(qtbot, pipeline):
    from reader.ui.main_window import MainWindow
    from reader.ui.models import DomainRole, SiteRole, TitleRole

    window = MainWindow(str(pipeline.corpus.root), restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=180000)
    model = window.company_model
    assert model.rowCount() == 221
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        domain = index.data(DomainRole)
        policy = pipeline.items[domain].policy
        name, year, length, title = (index.siblingAtColumn(c).data() for c in range(4))
        assert (name, year, length) == (domain, str(policy.year), f"{policy.word_count:,}")
        assert index.data(TitleRole) == policy.title
        assert title.startswith(" ".join(policy.title.split()))
        assert index.data(SiteRole) == (policy.snapshot_site or "")
    window.company_filter.setText("google.com")
    window._apply_company_filter()
    shown = {window.company_proxy.index(i, 0).data(DomainRole)
             for i in range(window.company_proxy.rowCount())}
    assert {"google.com", "youtube.com", "yaarinews.ir"} <= shown
    window.pool.waitForDone(10000)
