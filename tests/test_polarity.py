"""A fact whose sentences say the company does NOT do it ("no cookies are used") is "says
it does not", in the one decision and every view: card, CLI text and JSON, Compare and its
PDF, the policy PDF's facts card, and search (``collects:not_cookies``)."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from reader.analysis.compare import compare_companies
from reader.analysis.facts import (
    ALSO_SAYS_NOT,
    DOES_NOT,
    NOT_STATED,
    STATED,
    card_rows,
    default_facts_model,
)
from reader.analysis.polarity import (
    NEGATION_MARK,
    default_polarity_model,
    negation_cue,
    polarity_tokens,
    says_not,
)
from reader.cli import main
from reader.output.compare_export import comparison_html
from reader.output.export import facts_card_html
from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus
from reader.ui.facts_card import SAYS_NOT, FactsCard

DOES_NOT_CORPUS = FIXTURES / "does_not"
NO_COOKIES = "At Example, no cookies are used."
NO_SHARING = "We do not sell or share your information with third parties."


def _analysis(root, domain: str):
    return HighlightedPolicy.of(Corpus.open(root).load(domain)).analysis


def _quoted(analysis, evidence) -> list[str]:
    return [" ".join(analysis.text[e.start:e.end].split()) for e in evidence]


def test_negation_words_and_their_scope():
    assert negation_cue(["we", "don", "t", "sell", "it"])
    assert negation_cue(["no", "cookies", "are", "used"])
    assert not negation_cue(["we", "use", "cookies"])
    assert not negation_cue(["we", "sell", "tickets", "to", "the", "event"])
    words = ["we", "do", "not", "sell", "your", "data", "unless", "you", "agree"]
    assert polarity_tokens(words) == [
        "we", "do", NEGATION_MARK, "neg_sell", "neg_your", "neg_data", "unless", "you",
        "agree"]


def test_without_a_negation_word_a_sentence_says_it_does():
    model = default_polarity_model()
    assert model is not None and model.labels == ("collects", "purpose", "shares_with")
    sentences = [s.lower().split() for s in (
        "we send offers to customers on behalf of third party partners",
        "we do not share your information with third parties",
        "we do not share your information with third parties",
        "we will not share it unless required by law")]
    facts = ["purpose:marketing", "shares_with:third_party", "choice:opt_in",
             "purpose:legal"]
    # opt-in has no polarity; a legal requirement is the exception, never "does not"
    assert says_not(model, sentences, facts).tolist() == [False, True, False, False]


def test_the_fixture_policy_says_it_uses_no_cookies_and_shares_nothing():
    analysis = _analysis(DOES_NOT_CORPUS, "example.com")
    facts = {fact.id: fact for fact in analysis.facts}
    assert facts["collects:cookies"].state == DOES_NOT
    assert _quoted(analysis, facts["collects:cookies"].evidence) == [NO_COOKIES]
    assert facts["shares_with:third_party"].state == DOES_NOT
    assert _quoted(analysis, facts["shares_with:third_party"].evidence) == [NO_SHARING]
    assert facts["collects:contact"].state == STATED
    assert facts["collects:financial"].state == NOT_STATED
    assert analysis.denied_facts() == ["collects:cookies", "shares_with:third_party"]
    assert "collects:cookies" not in analysis.stated_facts()
    assert "collects:cookies" not in analysis.fact_scores  # search ranks stated facts only
    row = next(row for row in card_rows(analysis.facts) if row.title == "Collects")
    assert [f.id for f in row.does_not] == ["collects:cookies"]
    assert "collects:cookies" not in {f.id for f in row.stated + row.not_stated}


def test_the_other_fixture_policy_states_them():
    analysis = _analysis(DOES_NOT_CORPUS, "cookies.example")
    facts = {fact.id: fact for fact in analysis.facts}
    assert facts["collects:cookies"].state == STATED
    assert facts["shares_with:third_party"].state == STATED
    assert not facts["collects:cookies"].denials


def test_cli_facts_json_and_text(capsys):
    assert main(["facts", "example.com", "--json", "--corpus", str(DOES_NOT_CORPUS)]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert facts["collects:cookies"] == {"state": "does_not", "stated": False,
                                         "evidence": [NO_COOKIES], "denials": [],
                                         "category_note": None}
    assert facts["shares_with:third_party"]["state"] == "does_not"
    assert facts["collects:contact"]["state"] == "stated"
    assert facts["collects:financial"] == {"state": "not_stated", "stated": False,
                                           "evidence": [], "denials": [],
                                           "category_note": None}
    assert main(["facts", "example.com", "--corpus", str(DOES_NOT_CORPUS)]) == 0
    lines = capsys.readouterr().out.splitlines()
    cookies = next(i for i, line in enumerate(lines) if "Cookies and tracking" in line)
    assert lines[cookies].split()[-4:] == ["says", "it", "does", "not"]
    assert lines[cookies + 1].strip() == f'"{NO_COOKIES}"'


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_search_finds_a_does_not_fact_only_by_its_own_term(engine):
    from reader.search.engine import open_index

    if engine == "tantivy":
        pytest.importorskip("tantivy")
    policy_index = open_index(Corpus.open(DOES_NOT_CORPUS), engine)
    policy_index.open()
    policy_index.update(workers=1)
    try:
        def found(text: str) -> set[str]:
            return {hit.domain for hit in policy_index.search(text, limit=10).hits}

        assert found("collects:cookies") == {"cookies.example"}
        assert found("collects:not_cookies") == {"example.com"}
        assert found("shares:third_party") == {"cookies.example"}
        assert found("shares:not_third_party") == {"example.com"}
        assert found("collects:contact") == {"example.com", "cookies.example"}
        assert found("collects:not_contact") == set()
        hit = policy_index.search("collects:not_cookies").hits[0]
        assert "collects:cookies" not in hit.facts  # its stored facts are the stated ones
        assert policy_index.search("collects:not_cookies").suggestion is None
    finally:
        policy_index.close()


def test_compare_and_its_pdf_say_it_does_not():
    comparison = compare_companies(Corpus.open(DOES_NOT_CORPUS),
                                   ["example.com", "cookies.example"])
    row = comparison.row("collects:cookies")
    assert [cell.value for cell in row.cells] == ["says it does not", "stated"]
    assert [cell.state for cell in row.cells] == ["does_not", "stated"]
    assert row.differs
    assert row.cells[0].evidence[0].text == NO_COOKIES
    contact = comparison.row("collects:contact")
    assert not contact.differs
    data = comparison.to_json()
    cookies = next(f for f in data["facts"] if f["id"] == "collects:cookies")
    assert cookies["companies"]["example.com"] == {
        "state": "does_not", "stated": False, "evidence": [NO_COOKIES], "denials": []}
    assert "✗ says it does not" in comparison_html(comparison)


def test_the_policy_pdf_facts_card_quotes_the_does_not_sentence():
    analysis = _analysis(DOES_NOT_CORPUS, "example.com")
    html = facts_card_html(analysis.facts, analysis.text)
    assert "<i>says it does not:</i> <b>Cookies and tracking</b>" in html
    assert "no cookies are used." in html


def test_the_card_lists_and_links_a_does_not_fact(qtbot):
    card = FactsCard()
    qtbot.addWidget(card)
    card.show_policy(HighlightedPolicy.of(Corpus.open(DOES_NOT_CORPUS).load("example.com")))
    text = " ".join(card.toPlainText().split())
    assert f"{SAYS_NOT}: Cookies and tracking" in text
    assert f"{SAYS_NOT}: Third parties" in text
    assert "Contact details" in text
    with qtbot.waitSignal(card.evidence_activated) as signal:
        assert card.activate("collects:cookies")
    assert signal.args[0] == NO_COOKIES


@pytest.mark.parametrize(("domain", "fact_id", "sentence"), [
    ("va.gov", "shares_with:third_party",
     "We do not give, sell or transfer any personal information to a third party."),
    ("wikipedia.org", "purpose:marketing",
     "We do not share your data with third parties for marketing purposes."),
    ("af.mil", "purpose:marketing",
     "AF.mil never collects information for commercial marketing."),
])
def test_real_policies_that_say_they_do_not(shared_corpus, domain, fact_id, sentence):
    analysis = _analysis(shared_corpus, domain)
    fact = next(f for f in analysis.facts if f.id == fact_id)
    assert fact.state == DOES_NOT
    assert _quoted(analysis, fact.evidence)[0] == sentence


def test_duckduckgo_uses_cookies_somewhere_and_says_no_cookies_by_default(
        shared_corpus):
    # The policy's "no cookies are used by default" is a denial of a stated fact: another
    # of its sentences states it, and the positive one wins.
    analysis = _analysis(shared_corpus, "duckduckgo.com")
    cookies = next(f for f in analysis.facts if f.id == "collects:cookies")
    assert cookies.state == STATED
    assert _quoted(analysis, cookies.denials) == [
        "At DuckDuckGo, no cookies are used by default."]
    assert "collects:cookies" in default_facts_model().shown


def test_the_card_marks_a_stated_fact_that_also_says_not(qtbot, shared_corpus):
    card = FactsCard()
    qtbot.addWidget(card)
    card.show_policy(HighlightedPolicy.of(Corpus.open(shared_corpus)
                                          .load("duckduckgo.com")))
    text = " ".join(card.toPlainText().split())
    assert f"Cookies and tracking {ALSO_SAYS_NOT}" in text
    cookies = next(f for f in card.facts if f.id == "collects:cookies")
    said = []
    card.evidence_activated.connect(lambda passage, _: said.append(passage))
    for _ in range(len(cookies.evidence) + 1):
        card.activate("collects:cookies")
    assert " ".join(said[-1].split()) == "At DuckDuckGo, no cookies are used by default."


def test_the_training_script_on_a_few_policies(tmp_path):
    import subprocess
    import sys

    from conftest import PROJECT, shared_folder

    from reader.analysis.classifier import load_model

    pytest.importorskip("sklearn")
    opp115 = shared_folder("opp115")
    out, report = tmp_path / "polarity.npz", tmp_path / "EVALUATION.md"
    report.write_text("# E\n\nkept\n", "utf-8")
    run = [sys.executable, str(PROJECT / "scripts" / "train_polarity.py"), "--opp115",
           str(opp115), "--limit", "10", "--folds", "2", "--out", str(out),
           "--write", str(report), "--corpus", str(DOES_NOT_CORPUS)]
    result = subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    written = report.read_text("utf-8")
    assert written.startswith("# E\n\nkept\n")
    assert "| baseline: every fact found is stated | 0.000 | 0.000 | 0 / " in written
    assert "| polarity model and a negation word (shipped) |" in written
    assert load_model(out).labels == ("collects", "purpose", "shares_with")
    assert "On `does_not/` (2 policies): " in written
    assert "facts found (stated before) are \"says it does not\"" in written


def test_classify_jsonl_lists_the_facts_it_says_it_does_not_do(capsys, monkeypatch):
    import io

    text = (DOES_NOT_CORPUS / "example.com.md").read_text("utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"text": text}) + "\n"))
    assert main(["classify", "--jsonl"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["does_not"] == ["collects:cookies", "shares_with:third_party"]
    assert "collects:cookies" not in result["facts"] and "collects:contact" in result["facts"]


def test_the_compare_window_shows_the_third_state(qtbot):
    from PySide6.QtCore import Qt
    from test_compare_view import row_of, wait_compared

    from reader.ui.compare_view import CompareDialog

    dialog = CompareDialog(Corpus.open(DOES_NOT_CORPUS), ["example.com", "cookies.example"])
    qtbot.addWidget(dialog)
    dialog.show()
    wait_compared(qtbot, dialog)
    model = dialog.model
    cookies = row_of(dialog, "collects:cookies")
    assert (model.headerData(cookies, Qt.Orientation.Vertical)
            == "≠ Collects: Cookies and tracking")
    assert [model.index(cookies, c).data() for c in range(2)] == [
        "✗ says it does not", "✓ stated"]
    tip = model.index(cookies, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "example.com: says it does not; cookies.example: stated." in tip
    assert "example.com says it does not:" in tip and NO_COOKIES in tip
    assert "said not done" in dialog.legend.text()


IPMART_DENIAL = "WorldPay does not share credit card information with IPmart Network."


def pdf_text(path) -> str:
    """A PDF's text, its words joined by single spaces."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return " ".join(" ".join(pdf[n].get_textpage().get_text_range().split())
                        for n in range(len(pdf)))
    finally:
        pdf.close()


def test_a_stated_fact_with_a_denial_says_so_in_the_comparison_and_the_pdfs(
        embedded_corpus, tmp_path, qtbot):
    """ipmart.com states it collects financial data and also that WorldPay does not share
    card numbers with it: the card marks that (also a "not"); so do the comparison's
    table, JSON, window and PDF, and the policy PDF's facts table."""
    from PySide6.QtCore import Qt

    from reader.cli import comparison_table
    from reader.output.compare_export import write_comparison_pdf
    from reader.output.export import write_pdf
    from reader.output.highlight import HighlightedPolicy
    from reader.ui.compare_view import CompareModel, EvidenceRole

    corpus = Corpus.open(embedded_corpus)
    comparison = compare_companies(corpus, ["ipmart.com", "bmtmicro.com"])
    cell = comparison.row("collects:financial").cells[0]
    assert cell.state == STATED
    assert [e.text for e in cell.denials] == [IPMART_DENIAL]
    assert cell.value == f"stated {ALSO_SAYS_NOT}"
    financial = next(f for f in comparison.to_json()["facts"] if f["id"] == "collects:financial")
    assert financial["companies"]["ipmart.com"]["denials"] == [IPMART_DENIAL]
    assert financial["companies"]["bmtmicro.com"]["denials"] == []
    assert f"stated {ALSO_SAYS_NOT}" in comparison_table(comparison)

    model = CompareModel()
    model.set_comparison(comparison)
    row = [r.id for r in comparison.rows].index("collects:financial")
    index = model.index(row, 0)
    assert index.data() == f"✓ stated {ALSO_SAYS_NOT}"
    assert "ipmart.com also says it does not:" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(EvidenceRole)[-1].text == IPMART_DENIAL

    compare_pdf = pdf_text(write_comparison_pdf(comparison, tmp_path / "compare.pdf"))
    assert ALSO_SAYS_NOT in compare_pdf
    policy_pdf = pdf_text(write_pdf(HighlightedPolicy.of(corpus.load("ipmart.com")),
                                    tmp_path / "ipmart.pdf"))
    assert f"{ALSO_SAYS_NOT} — “WorldPay does not share credit card" in policy_pdf
