"""Companies side by side (reader.analysis.compare), the ``compare`` command and its PDF,
on the seed policies; the expected values were checked by reading the policies."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtCore import Qt

from reader.analysis.compare import (
    FACT_ROW,
    PRACTICE_ROW,
    CompareError,
    compare_companies,
    resolve_companies,
)
from reader.analysis.facts import STATED_MEANS
from reader.cli import main
from reader.sources.corpus import Corpus

SEEDS = Path(__file__).resolve().parents[1] / "corpus"
BMT_CONTACT = ("When ordering from BMT Micro, Inc., we must collect the purchaser’s name, "
               "email address, mailing address, phone number and credit card information.")
AUDIOMIDI_BROWSER = ("The Help portion of the toolbar on most browsers will tell you how to "
                     "prevent your browser from accepting new cookies, how to have the browser "
                     "notify you when you receive a new cookie, or how to disable cookies "
                     "altogether.")


@pytest.fixture(scope="module")
def comparison():
    return compare_companies(Corpus.open(SEEDS), ["bmtmicro.com", "audiomidi.com"])


def test_rows_per_fact_and_practice(comparison):
    assert [c.domain for c in comparison.companies] == ["bmtmicro.com", "audiomidi.com"]
    facts = comparison.rows_of(FACT_ROW)
    practices = comparison.rows_of(PRACTICE_ROW)
    assert len(practices) == 9 and practices[0].id == "first_party_collection"
    assert facts[0].id == "collects:contact" and facts[0].title == "Collects: Contact details"
    assert all(len(row.cells) == 2 for row in comparison.rows)


def test_facts_both_state_with_evidence(comparison):
    # Both collect contact details; BMT Micro says so when it lists what an order needs.
    contact = comparison.row("collects:contact")
    assert [c.value for c in contact.cells] == ["stated", "stated"]
    assert not contact.differs
    assert contact.cells[0].evidence[0].text == BMT_CONTACT
    # Both release information to comply with the law.
    legal = comparison.row("purpose:legal")
    assert [c.stated for c in legal.cells] == [True, True]
    assert "law enforcement" in legal.cells[0].evidence[0].text
    assert "comply with the law" in legal.cells[1].evidence[0].text


def test_facts_that_differ(comparison):
    # audiomidi.com tells readers how to refuse cookies in their browser; bmtmicro.com
    # only says what its cookies are.
    browser = comparison.row("choice:browser_controls")
    assert [c.value for c in browser.cells] == ["not stated", "stated"]
    assert browser.differs
    assert browser.cells[0].evidence == ()
    assert browser.cells[1].evidence[0].text == AUDIOMIDI_BROWSER
    # BMT Micro collects credit card information (audiomidi.com only says card numbers are
    # passed to the card company).
    assert [c.value for c in comparison.row("collects:financial").cells] == [
        "stated", "not stated"]
    # Neither says a word about Do Not Track.
    dnt = comparison.row("dnt:not_honored")
    assert [c.stated for c in dnt.cells] == [False, False] and not dnt.differs


def test_passages_per_practice(comparison):
    choice = comparison.row("user_choice")
    # audiomidi.com: once, you may choose not to provide information ("What Choices Do I
    # Have?"); twice (the policy repeats it), the browser's cookie help. Known miss since
    # the paragraph model reads lexicon terms (issue 13): the same choice said inside the
    # "Information You Give Us" paragraph, which now reads as collection only.
    assert [c.count for c in choice.cells] == [0, 3]
    assert choice.differs  # passages in one policy, none in the other
    assert AUDIOMIDI_BROWSER in [e.text for e in choice.cells[1].evidence]
    security = comparison.row("data_security")
    # bmtmicro.com: 10 sentences on SSL, encryption and audits, and (known miss since the
    # lexicon model, issue 13) its SSL paragraph's sentence on keeping the data "for a
    # certain period of time inside our private network", which states retention: the
    # paragraph is no longer read as retention, so the sentence counts as security. Less
    # its two headings in bold ("SSL (Secure Socket Layers)", "How does BMT Micro, Inc.
    # protect customer information?"), read as headings since DECISION_VERSION 12.
    assert [c.count for c in security.cells] == [9, 6]
    # Retention: none for bmtmicro.com (that miss); audiomidi.com keeps what it stores.
    assert [c.count for c in comparison.row("data_retention").cells] == [0, 2]
    # audiomidi.com's most confident security passage is its SSL sentence; the sharing
    # list the paragraph model also reads as security keeps only its sentence on staff
    # access (the sentence model's second head knows sentences that state sharing).
    assert security.cells[1].evidence[0].text.startswith(
        "Your information is protected during transmission by Secure Sockets Layer")
    assert not security.differs  # both have passages: counts alone do not mark a row
    assert [c.count for c in comparison.row("do_not_track").cells] == [0, 0]
    # Evidence offsets point into each policy's rendered text.
    first = choice.cells[1].evidence[0]
    assert first.end > first.start


def test_company_names_are_checked():
    corpus = Corpus.open(SEEDS)
    assert resolve_companies(corpus, ["www.bmtmicro.com", "IPMART.COM"]) == [
        "bmtmicro.com", "ipmart.com"]
    with pytest.raises(CompareError, match="2 to 4 companies, not 1"):
        resolve_companies(corpus, ["bmtmicro.com"])
    with pytest.raises(CompareError, match="2 to 4 companies, not 5"):
        resolve_companies(corpus, [p.stem for p in SEEDS.glob("*.md")])
    with pytest.raises(CompareError, match="no policy for 'example.org'"):
        resolve_companies(corpus, ["bmtmicro.com", "example.org"])
    with pytest.raises(CompareError, match="named twice"):
        resolve_companies(corpus, ["bmtmicro.com", "www.bmtmicro.com"])


def test_cli_table(capsys):
    assert main(["compare", "bmtmicro.com", "audiomidi.com", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["bmtmicro.com", "audiomidi.com"]
    assert "Collects" in lines
    row = next(line for line in lines if "Browser or device controls" in line)
    assert row.startswith("*") and row.split()[-3:] == ["not", "stated", "stated"]
    row = next(line for line in lines if "Contact details" in line)
    assert row.startswith(" ") and row.split()[-2:] == ["stated", "stated"]
    row = next(line for line in lines if "Your choices" in line)
    assert row.split() == ["*", "Your", "choices", "0", "3"]
    assert "* the companies differ (8 rows)" in out


def test_cli_json_contract(capsys):
    assert main(["compare", "bmtmicro.com", "audiomidi.com", "ipmart.com", "--json",
                 "--corpus", str(SEEDS)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["company"] for c in data["companies"]] == [
        "bmtmicro.com", "audiomidi.com", "ipmart.com"]
    assert data["companies"][0]["archived"] == "2016-11-26"
    financial = next(f for f in data["facts"] if f["id"] == "collects:financial")
    assert financial["label"] == "Financial data" and financial["group"] == "Collects"
    assert financial["differs"] is True
    assert financial["companies"]["bmtmicro.com"] == {
        "state": "stated", "stated": True,
        "evidence": financial["companies"]["bmtmicro.com"]["evidence"], "denials": []}
    assert financial["companies"]["bmtmicro.com"]["evidence"][0] == BMT_CONTACT
    assert financial["companies"]["audiomidi.com"] == {
        "state": "not_stated", "stated": False, "evidence": [], "denials": []}
    choice = next(p for p in data["practices"] if p["id"] == "user_choice")
    assert choice["companies"]["bmtmicro.com"] == {"passages": 0, "note": None, "evidence": []}
    assert choice["companies"]["audiomidi.com"]["passages"] == 3
    assert len(choice["companies"]["audiomidi.com"]["evidence"]) == 3
    assert [p["id"] for p in data["practices"]][-1] == "international_audiences"


@pytest.mark.parametrize("names, message", [
    (["bmtmicro.com"], "compare needs 2 to 4 companies, not 1"),
    (["a", "b", "c", "d", "e"], "compare needs 2 to 4 companies, not 5"),
    (["bmtmicro.com", "nosuch.example"], "no policy for 'nosuch.example'"),
])
def test_cli_errors_exit_2(capsys, names, message):
    assert main(["compare", *names, "--corpus", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("privacy-reader: error: ") and message in err


def test_cli_pdf(capsys, tmp_path):
    out = tmp_path / "compared.pdf"
    assert main(["compare", "bmtmicro.com", "audiomidi.com", "-o", str(out),
                 "--corpus", str(SEEDS)]) == 0
    assert capsys.readouterr().err.strip() == f"wrote {out}"
    with pdfplumber.open(out) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        assert pdf.metadata["Title"] == "Compared: bmtmicro.com, audiomidi.com"
    flat = " ".join(text.split())
    assert "Compared: bmtmicro.com, audiomidi.com" in flat
    assert "≠ marks the 8 rows where the companies differ" in flat
    assert "≠ Financial data ✓ stated – not stated" in flat
    assert "≠ Opt-in – not stated ✓ stated" in flat
    assert "Contact details ✓ stated ✓ stated" in flat
    assert "Your choices 0 passages 3 passages" in flat
    # The evidence, quoted in full after the tables.
    assert f"bmtmicro.com: “{BMT_CONTACT}”" in flat
    assert f"audiomidi.com: “{AUDIOMIDI_BROWSER}”" in flat


def test_fact_groups_have_one_title_in_the_card_the_comparison_and_the_cli(capsys):
    # They were "Purposes" / "Shared with" / "Audiences" on the card, "Uses data for" /
    # "Shares with" / "Speaks to" in the comparison and the raw ids ("shares_with") in
    # `facts`: a reader matching the views could not tell they were the same rows.
    from reader.analysis.facts import card_rows, group_title
    from reader.output.highlight import HighlightedPolicy

    policy = Corpus.open(SEEDS).load("bmtmicro.com")
    rows = card_rows(HighlightedPolicy.of(policy).analysis.facts)
    card = [row.title for row in rows if row.shown]
    compared = compare_companies(Corpus.open(SEEDS), ["bmtmicro.com", "audiomidi.com"])
    groups = list(dict.fromkeys(row.group for row in compared.rows_of(FACT_ROW)))
    assert groups == card
    assert group_title("shares_with") == "Shared with" and "Shared with" in groups
    assert main(["facts", "bmtmicro.com", "--corpus", str(SEEDS)]) == 0
    lines = capsys.readouterr().out.splitlines()
    headings = [line for line in lines[1:] if line and not line.startswith(" ")]
    # Every group of the card, a group with no fact shown said so (it was left out).
    assert headings[:-1] == [row.title for row in rows] and headings[-1] == STATED_MEANS
    assert lines[lines.index("Retention") + 1] == "  no fact reliable enough to show"


def test_every_view_of_facts_says_stated_may_be_a_does_not(capsys, qtbot, tmp_path):
    # "At DuckDuckGo, no cookies are used by default." states collects:cookies (the model
    # learnt OPP-115's "does not" statements too): a card reading "Collects: Cookies"
    # without saying so misled. The card, the PDF card, the Compare window and PDF and
    # both commands say what "stated" means.
    from reader.output.compare_export import comparison_html
    from reader.output.highlight import HighlightedPolicy
    from reader.ui.compare_view import CompareDialog
    from reader.ui.facts_card import card_html

    assert "does not do it" in STATED_MEANS
    policy = Corpus.open(SEEDS).load("bmtmicro.com")
    facts = HighlightedPolicy.of(policy).analysis.facts
    assert html.escape(STATED_MEANS) in card_html(facts)
    compared = compare_companies(Corpus.open(SEEDS), ["bmtmicro.com", "audiomidi.com"])
    assert html.escape(STATED_MEANS) in comparison_html(compared)
    dialog = CompareDialog(Corpus.open(SEEDS), ["bmtmicro.com", "audiomidi.com"])
    qtbot.addWidget(dialog)
    assert STATED_MEANS in dialog.legend.text()
    qtbot.waitUntil(lambda: not dialog.is_busy())
    for command in (["facts", "bmtmicro.com"], ["compare", "bmtmicro.com", "audiomidi.com"]):
        assert main([*command, "--corpus", str(SEEDS)]) == 0
        assert capsys.readouterr().out.rstrip().endswith(STATED_MEANS)


def test_pdf_column_headers_break_company_names_after_a_dot(capsys, tmp_path):
    # Four companies on A4: "tiktok.com" was broken "tiktok.co" / "m" and
    # "qbcc.qld.gov.au" "qbcc.qld." / "gov.au" only by chance; a break now falls after a dot.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["020.co.uk", "tiktok.com", "qbcc.qld.gov.au", "bizdesign.com"]
    for name, seed in zip(names, ["bmtmicro.com", "audiomidi.com", "ipmart.com",
                                  "bettymills.com"], strict=True):
        (corpus / f"{name}.md").write_bytes((SEEDS / f"{seed}.md").read_bytes())
    out = tmp_path / "compared.pdf"
    assert main(["compare", *names, "-o", str(out), "--corpus", str(corpus)]) == 0
    with pdfplumber.open(out) as pdf:
        words = pdf.pages[0].extract_words()
    fact = next(w["top"] for w in words if w["text"] == "Fact")
    collects = next(w["top"] for w in words if w["text"] == "Collects" and w["top"] > fact)
    header = [w["text"] for w in words if fact - 2 <= w["top"] < collects]
    assert "tiktok." in header and "tiktok.co" not in header
    assert all(not word.startswith("tiktok") or word in ("tiktok.", "tiktok.com")
               for word in header)


FRENCH_POLICY = """# Politique de confidentialité

Nous collectons les données personnelles que vous nous fournissez lorsque vous créez un
compte, comme votre nom, votre adresse e-mail et votre date de naissance. Nous utilisons ces
informations pour fournir le service et pour vous envoyer des offres.

Nous ne vendons pas vos données à des tiers. Vous pouvez demander la suppression de votre
compte à tout moment en nous contactant.
"""


def test_a_policy_not_in_english_carries_its_caveat_into_the_comparison(capsys, qtbot,
                                                                         tmp_path):
    # The side panel, the PDF, classify and facts warn that the models learnt English; the
    # comparison showed a French policy's "not stated" facts with no warning at all.
    from reader.output.compare_export import comparison_html
    from reader.ui.compare_view import CompareDialog

    (tmp_path / "bmtmicro.com.md").write_bytes((SEEDS / "bmtmicro.com.md").read_bytes())
    (tmp_path / "exemple.fr.md").write_text(FRENCH_POLICY, encoding="utf-8")
    names = ["bmtmicro.com", "exemple.fr"]
    compared = compare_companies(Corpus.open(tmp_path), names)
    english, french = compared.companies
    assert (english.language, english.caveat) == ("en", None)
    assert french.language == "fr" and "reads as French" in french.caveat
    assert [c["language"] for c in compared.to_json()["companies"]] == ["en", "fr"]
    assert f"<b>Note:</b> {html.escape(french.caveat)}" in comparison_html(compared)
    assert main(["compare", *names, "--corpus", str(tmp_path)]) == 0
    assert f"note: exemple.fr: {french.caveat}" in capsys.readouterr().out
    dialog = CompareDialog(Corpus.open(tmp_path), names)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.model.rowCount() > 0)
    header = [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)]
    assert header == ["bmtmicro.com", "⚠ exemple.fr"]
    assert "reads as French" in dialog.title.text()
    assert "reads as French" in dialog.model.headerData(1, Qt.Orientation.Horizontal,
                                                        Qt.ItemDataRole.ToolTipRole)


def test_the_comparison_shows_the_facts_and_evidence_the_card_shows_on_real_policies():
    # Every view decides once: each compared policy's facts, evidence and passage counts
    # are the viewer's (checked on all 221 of ../shared/corpus; every 5th here).
    from conftest import shared_folder

    from reader.output.highlight import HighlightedPolicy

    corpus = Corpus.open(shared_folder("corpus"))
    domains = corpus.domains()[::5]
    for first, second in zip(domains[::2], domains[1::2], strict=False):
        compared = compare_companies(corpus, [first, second])
        for column, domain in enumerate((first, second)):
            analysis = HighlightedPolicy.of(corpus.load(domain)).analysis
            shown = [(f.id, f.stated, [" ".join(analysis.text[e.start:e.end].split())
                                       for e in f.evidence]) for f in analysis.facts]
            compared_facts = [(row.id, row.cells[column].stated,
                               [e.text for e in row.cells[column].evidence])
                              for row in compared.rows_of(FACT_ROW)]
            assert compared_facts == shown, domain
            counts = analysis.passage_counts()
            assert [row.cells[column].count for row in compared.rows_of(PRACTICE_ROW)] == [
                counts.get(row.id, 0) for row in compared.rows_of(PRACTICE_ROW)], domain


def test_pdf_company_table_keeps_each_date_and_length_on_one_line(capsys, tmp_path):
    """Four companies on A4 (google.com, facebook.com, amazon.com, americanexpress.com of
    ../shared/corpus): the dates read "2017-06-3" / "0" and "americanexpress.co" / "m" in
    the table under the title."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["google.com", "facebook.com", "amazon.com", "americanexpress.com"]
    seeds = ["bmtmicro.com", "audiomidi.com", "ipmart.com", "bettymills.com"]
    for name, seed in zip(names, seeds, strict=True):
        (corpus / f"{name}.md").write_bytes((SEEDS / f"{seed}.md").read_bytes())
    out = tmp_path / "compared.pdf"
    assert main(["compare", *names, "-o", str(out), "--corpus", str(corpus)]) == 0
    with pdfplumber.open(out) as pdf:
        words = [w["text"] for w in pdf.pages[0].extract_words()]
    dates = {Corpus.open(corpus).load(n).archive_date for n in names}
    assert dates <= set(words), (dates, words[:60])
    name = [w.replace("\u200b", "") for w in words if w.startswith("americanexpress")][0]
    assert name in ("americanexpress.", "americanexpress.com")  # a break after a dot only
