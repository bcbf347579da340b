"""Real policies: the snapshot's site beside the domain, and Open Terms Archive collections."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from conftest import clone_history_bundle

from reader.cli import main
from reader.output.export import write_pdf
from reader.output.highlight import HighlightedPolicy, header_html
from reader.search.index import PolicyIndex
from reader.sources.corpus import Corpus, read_policy
from reader.sources.history import CorpusHistory
from reader.sources.layouts import (
    PRIVACY_POLICY,
    Layout,
    corpus_layout,
    document_identity,
)
from reader.sources.sites import other_snapshot_site, snapshot_host

BIZSECURE_URL = ("https://web.archive.org/web/20100622233011id_/"
                 "http%3A//www.bizsecure.com/policies/privacy")


def test_snapshot_host_is_the_archived_page_host():
    assert snapshot_host(BIZSECURE_URL) == "bizsecure.com"
    assert snapshot_host("https://web.archive.org/web/2019/http://www.la/privacy") == "www.la"
    assert snapshot_host("http://www.example.org/p") == "example.org"
    assert snapshot_host(None) is None and snapshot_host("") is None
    assert other_snapshot_site("bizdesign.com", BIZSECURE_URL) == "bizsecure.com"
    assert other_snapshot_site("bizsecure.com", BIZSECURE_URL) is None
    support = ("https://web.archive.org/web/20150315030240id_/http%3A//support.bettymills.com/"
               "customer/portal/articles/347006-privacy-security")
    assert other_snapshot_site("bettymills.com", support) is None  # a subdomain: same site


def test_document_identity_of_each_layout():
    assert document_identity("amazon.com.md") == document_identity("amazon.com.md")
    flat = document_identity("amazon.com.md")
    assert (flat.key, flat.company, flat.doc_type, flat.layout) == (
        "amazon.com", "amazon.com", PRIVACY_POLICY, Layout.FLAT)
    nested = document_identity("a/am/ama/amazon.com.md")
    assert (nested.key, nested.layout) == ("amazon.com", Layout.NESTED)
    ota = document_identity("Facebook/Privacy Policy.md")
    assert (ota.key, ota.company, ota.doc_type, ota.layout) == (
        "Facebook", "Facebook", "Privacy Policy", Layout.OPEN_TERMS_ARCHIVE)
    terms = document_identity("Facebook/Terms of Service.md")
    assert (terms.key, terms.company, terms.doc_type) == (
        "Facebook (Terms of Service)", "Facebook", "Terms of Service")
    assert not terms.is_privacy_policy
    assert document_identity("shop/shop.co.uk.md").key == "shop.co.uk"  # a domain, not a type
    assert corpus_layout(["X/Privacy Policy.md", "X/Terms of Service.md", "README.md"]) is \
        Layout.OPEN_TERMS_ARCHIVE


def test_title_from_a_first_heading_when_there_is_no_header(tmp_path):
    (tmp_path / "underlined.org.md").write_text("**Spotify Privacy Policy**\n======\n\nText.")
    policy = read_policy(tmp_path / "underlined.org.md")
    assert policy.title == "Spotify Privacy Policy" and policy.body == "Text."
    (tmp_path / "late.org.md").write_text("Some text first.\n\n# A heading later\n")
    assert read_policy(tmp_path / "late.org.md").title == "late.org"


# -- bizdesign.com is BizSecure's policy -------------------------------------------------


def test_bizdesign_shows_its_snapshot_site(embedded_corpus, capsys):
    policy = Corpus.open(embedded_corpus).load("bizdesign.com")
    assert (policy.domain, policy.title) == ("bizdesign.com", "Privacy Policy")
    assert policy.raw_title == "BizSecure : Privacy Policy"
    assert policy.snapshot_site == "bizsecure.com"
    assert policy.company_label == "bizdesign.com (snapshot from bizsecure.com)"
    assert "snapshot from bizsecure.com" in header_html(policy)
    others = [Corpus.open(embedded_corpus).load(d) for d in
              ("audiomidi.com", "bettymills.com", "bmtmicro.com", "ipmart.com")]
    assert [p.snapshot_site for p in others] == [None] * 4

    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    biz = next(line for line in lines if line.startswith("bizdesign.com"))
    assert biz.split()[:3] == ["bizdesign.com", "2010-06-22", "1475"]
    assert biz.endswith("  Privacy Policy  [snapshot from bizsecure.com]")
    assert sum("snapshot from" in line for line in lines) == 1
    assert main(["show", "bizdesign.com"]) == 0
    assert "Snapshot: bizsecure.com" in capsys.readouterr().out


def test_bizdesign_found_by_bizsecure_in_search_and_pdf(embedded_corpus, tmp_path):
    corpus = Corpus.open(embedded_corpus)
    policy_index = PolicyIndex(corpus)
    policy_index.update(workers=1)
    try:
        assert [h.domain for h in policy_index.search("company:bizsecure").hits] == [
            "bizdesign.com"]
        assert policy_index.metadata()["bizdesign.com"]["site"] == "bizsecure.com"
        assert policy_index.metadata()["ipmart.com"]["site"] == ""
    finally:
        policy_index.close()
    path = write_pdf(HighlightedPolicy.of(corpus.load("bizdesign.com")), tmp_path / "b.pdf")
    with pdfplumber.open(path) as pdf:
        first = pdf.pages[0].extract_text()
    assert "Company bizdesign.com (snapshot from bizsecure.com)" in first


def test_company_list_filter_finds_bizdesign_by_bizsecure(qtbot, embedded_corpus):
    from reader.ui.main_window import MainWindow
    from reader.ui.models import DomainRole, SiteRole

    window = MainWindow(str(embedded_corpus), restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.company_filter.setText("bizsecure")
    window._apply_company_filter()
    assert window.company_proxy.rowCount() == 1
    row = window.company_proxy.index(0, 0)
    assert row.data(DomainRole) == "bizdesign.com" and row.data(SiteRole) == "bizsecure.com"
    assert [row.siblingAtColumn(c).data() for c in range(4)] == [
        "bizdesign.com", "2010", "1,475", "Privacy Policy  (snapshot from bizsecure.com)"]
    window.select_company("bizdesign.com")
    assert "snapshot from bizsecure.com" in window.header.text()
    window.pool.waitForDone(10000)


# -- Open Terms Archive collections ------------------------------------------------------


@pytest.fixture(scope="module")
def pga_collection(tmp_path_factory) -> Path:
    return clone_history_bundle("pga-versions.bundle", tmp_path_factory.mktemp("ota") / "pga")


@pytest.fixture(scope="module")
def dating_collection(tmp_path_factory) -> Path:
    return clone_history_bundle("dating-versions.bundle",
                                tmp_path_factory.mktemp("ota") / "dating")


def test_collection_lists_services_privacy_policies_first(pga_collection):
    corpus = Corpus.open(pga_collection)
    assert corpus.problems == []
    files = [p for p in pga_collection.glob("*/*.md")]
    assert len(corpus) == len(files) == 132
    types = [e.doc_type for e in corpus.entries]
    policies = types.count("Privacy Policy")
    assert policies == 25 and set(types[:policies]) == {"Privacy Policy"}
    assert types.count("Terms of Service") == 25
    assert corpus.domains()[:3] == ["BeReal", "Bluesky", "Facebook"]
    facebook = corpus.load("Facebook")
    assert (facebook.company, facebook.doc_type) == ("Facebook", "Privacy Policy")
    # No header: dated by its newest version, as `privacy-reader history` dates it.
    newest = CorpusHistory(corpus).history("Facebook").versions[-1].date
    assert facebook.archive_date == newest and facebook.source_url is None
    assert facebook.title == "How to manage the info we use"  # its first heading
    assert corpus.load("X").title == "X Privacy Policy"
    assert corpus.load("Spotify").title == "Spotify Privacy Policy"  # ** dropped
    snapchat = corpus.load("Snapchat (Terms of Service)")  # no heading at its top
    assert (snapchat.title, snapchat.company, snapchat.doc_type) == (
        "Snapchat Terms of Service", "Snapchat", "Terms of Service")
    assert corpus.find("facebook").domain == "Facebook"
    assert "README" not in " ".join(corpus.domains())


def test_collection_list_type_filter_and_search(pga_collection, capsys):
    assert main(["list", "--corpus", str(pga_collection), "--type", "terms of service"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("25 policies of type 'terms of service' in")
    assert all("(Terms of Service)" in line for line in lines[1:-1])
    policy_index = PolicyIndex(Corpus.open(pga_collection))
    policy_index.update(workers=1)
    try:
        hits = policy_index.search("type:terms company:snapchat").hits
        assert [h.domain for h in hits] == ["Snapchat (Terms of Service)"]
        assert {h.domain for h in policy_index.search('company:facebook type:"privacy policy"')
                .hits} == {"Facebook"}
        assert policy_index.search('type:"privacy policy"', limit=100).total == 25
    finally:
        policy_index.close()


def test_second_collection_in_other_languages(dating_collection):
    corpus = Corpus.open(dating_collection)
    assert corpus.problems == []
    bumble = corpus.load("Bumble")
    assert bumble.doc_type == "Privacy Policy" and bumble.word_count > 1000
    finya = corpus.load("Finya")
    assert finya.title == "Datenschutzerklärung"
    assert corpus.entries[0].doc_type == "Privacy Policy"
    assert {e.doc_type for e in corpus.entries} >= {"Privacy Policy", "Terms of Service",
                                                     "Imprint"}


def test_collection_in_the_company_list(qtbot, pga_collection):
    from reader.ui.main_window import MainWindow
    from reader.ui.models import DomainRole, TypeRole

    window = MainWindow(str(pga_collection), restore=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=120000)
    first = window.company_proxy.index(0, 0)
    assert first.data(TypeRole) == "Privacy Policy"
    window.company_filter.setText("terms of service")
    window._apply_company_filter()
    shown = [window.company_proxy.index(i, 0) for i in range(window.company_proxy.rowCount())]
    types = [row.data(TypeRole) for row in shown]
    assert types.count("Terms of Service") == 25  # and a few whose title says so
    assert all("terms of service" in (row.data() + row.siblingAtColumn(3).data()).lower()
               for row in shown)
    window.select_company("TikTok (Terms of Service)")
    qtbot.waitUntil(lambda: window.current.policy.domain == "TikTok (Terms of Service)")
    assert "Terms of Service" in window.header.text()
    assert window.company_list.currentIndex().data(DomainRole) == "TikTok (Terms of Service)"
    window.pool.waitForDone(10000)
