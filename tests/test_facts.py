"""Privacy facts at a glance: facts on seed policies a reader can check, the CLI contract,
the model file, and the training/evaluation scripts on a few OPP-115 policies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT, shared_folder

from reader.analysis.classifier import load_model, save_model
from reader.analysis.document import parse_policy
from reader.analysis.facts import (
    FACT_IDS,
    MIN_SHOWN_F1,
    Fact,
    default_facts_model,
    load_facts_model,
    policy_facts,
)
from reader.analysis.practices import analyze_policy, decide, plain_paragraphs, policy_words
from reader.analysis.segment import segment
from reader.cli import main


def _facts(domain: str, shown_only: bool = False) -> tuple[str, dict[str, Fact]]:
    """The facts THE decision finds in a seed policy (as the viewer shows it)."""
    body = (PROJECT / "corpus" / f"{domain}.md").read_text("utf-8")
    document = parse_policy(body)
    analysis = decide(body, document.text, segment(document), all_facts=not shown_only)
    return analysis.text, {fact.id: fact for fact in analysis.facts}


def _evidence(text: str, fact: Fact) -> list[str]:
    return [text[e.start:e.end] for e in fact.evidence]


def test_bmtmicro_collects_contact_and_financial_data_to_process_orders():
    # "we must collect the purchaser's name, email address, mailing address, phone number
    # and credit card information. This allows us to process and fulfill orders"
    text, facts = _facts("bmtmicro.com")
    contact = facts["collects:contact"]
    assert contact.stated
    assert any("email address" in s.lower() or "e-mail address" in s.lower()
               for s in _evidence(text, contact))
    financial = facts["collects:financial"]
    assert financial.stated
    assert any("credit card" in s.lower() or "credit-card" in s.lower()
               for s in _evidence(text, financial))


def test_bmtmicro_uses_the_order_data_to_process_orders():
    # "We use this data only for the purpose of filling an order"; "This allows us to
    # process and fulfill orders".
    text, facts = _facts("bmtmicro.com", shown_only=True)
    service = facts["purpose:basic_service"]
    assert service.stated
    evidence = " ".join(_evidence(text, service))
    assert "filling an order" in evidence or "process and fulfill orders" in evidence
    assert not facts["purpose:advertising"].stated  # it never speaks of advertising


def test_other_seeds_state_what_their_text_says():
    # bettymills.com: "Third-party vendors, including Google, may show our ads on sites
    # across the Internet"; "You can edit your profile to opt out of email newsletters".
    text, facts = _facts("bettymills.com", shown_only=True)
    assert any("show our ads" in s for s in _evidence(text, facts["purpose:advertising"]))
    assert any("opt out of email newsletters" in s
               for s in _evidence(text, facts["choice:opt_out_link"]))
    # ipmart.com: "a user must provide contact information (like name and shipping
    # address) and financial information (like credit card number ...)".
    text, facts = _facts("ipmart.com", shown_only=True)
    for fact_id in ("collects:contact", "collects:financial"):
        assert any("must provide contact information" in s
                   for s in _evidence(text, facts[fact_id])), fact_id
    # bizdesign.com (BizSecure): "BizSecure uses IP addresses to analyze trends".
    text, facts = _facts("bizdesign.com", shown_only=True)
    assert any("uses IP addresses" in s for s in _evidence(text, facts["collects:ip_device"]))
    assert any("uses IP addresses" in s for s in _evidence(text, facts["purpose:analytics"]))


def test_bmtmicro_releases_information_for_legal_reasons_and_encrypts_it():
    # "In order to comply with the law ... We will also release such information to
    # cooperate with law enforcement"; "a secure server, which encrypts ..."
    text, facts = _facts("bmtmicro.com")
    legal = facts["purpose:legal"]
    assert legal.stated
    assert any("release such information to cooperate with law enforcement" in s
               for s in _evidence(text, legal))
    shared = facts["shares_with:third_party"]
    assert shared.stated
    assert any("release personally identifiable information to third parties" in s
               for s in _evidence(text, shared))
    security = facts["security:measures"]
    assert security.stated
    assert any("encrypt" in s.lower() or "ssl" in s.lower() for s in _evidence(text, security))


def test_bmtmicro_says_nothing_about_children_californians_or_do_not_track():
    # The policy never mentions children, California or tracking.
    _, facts = _facts("bmtmicro.com")
    for fact_id in ("audience:children", "audience:californians", "dnt:not_honored",
                    "dnt:honored"):
        assert not facts[fact_id].stated, fact_id
        assert facts[fact_id].evidence == ()


def test_facts_come_in_model_order_with_evidence_best_first():
    text, facts = _facts("ipmart.com")
    assert list(facts) == list(FACT_IDS)
    for fact in facts.values():
        scores = [e.score for e in fact.evidence]
        assert scores == sorted(scores, reverse=True)
        assert (fact.state != "not_stated") == bool(fact.evidence)
        for evidence in fact.evidence:
            assert text[evidence.start:evidence.end].strip()


def test_shown_facts_are_those_recorded_in_the_model():
    model = default_facts_model()
    shown = model.shown
    assert shown and set(shown) <= set(FACT_IDS)
    f1 = model.classifier.info["policy_f1"]
    assert all(f1[fact] >= MIN_SHOWN_F1 for fact in shown)
    assert all(f1[fact] < MIN_SHOWN_F1 for fact in FACT_IDS if fact not in shown)
    _, facts = _facts("bmtmicro.com", shown_only=True)
    assert tuple(facts) == shown


def test_plain_text_and_empty_text():
    text = ("We collect your name and email address when you register.\n\n"
            "We use cookies to remember you.")
    facts = {f.id: f for f in policy_facts(text, plain_paragraphs(text), shown_only=False)}
    assert facts["collects:contact"].stated
    assert facts["collects:contact"].evidence[0].start == 0
    empty = policy_facts("", plain_paragraphs(""), shown_only=False)
    assert [f.id for f in empty] == list(FACT_IDS)
    assert not any(f.stated for f in empty)


def test_cli_facts_json_contract(capsys):
    assert main(["facts", "bmtmicro.com", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["company"] == "bmtmicro.com"
    assert list(result["facts"]) == list(default_facts_model().shown)
    for fact in result["facts"].values():
        assert set(fact) == {"state", "stated", "evidence", "denials", "category_note"}
        assert fact["category_note"] is None or fact["state"] == "stated"
        assert fact["state"] in {"stated", "does_not", "not_stated"}
        assert fact["stated"] == (fact["state"] == "stated")
        assert (fact["state"] != "not_stated") == bool(fact["evidence"])
        assert fact["state"] == "stated" or not fact["denials"]
        assert all(isinstance(sentence, str)
                   for sentence in fact["evidence"] + fact["denials"])
    contact = result["facts"]["collects:contact"]
    assert contact["stated"]
    assert any("email" in sentence.lower() for sentence in contact["evidence"])


def test_cli_facts_text_and_unknown_domain(capsys):
    assert main(["facts", "bmtmicro.com"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bmtmicro.com: ")
    assert "not stated" in out and "Contact details" in out
    assert main(["facts", "no-such-site.example"]) == 2
    assert "no policy for 'no-such-site.example'" in capsys.readouterr().err


def test_model_save_load_round_trip(tmp_path):
    model = default_facts_model()
    path = tmp_path / "facts.npz"
    save_model(path, model.classifier)
    again = load_facts_model(path)
    assert again.shown == model.shown
    assert again.classifier.labels == FACT_IDS
    np.testing.assert_array_equal(again.classifier.thresholds, model.classifier.thresholds)
    sentences = ["We share your information with our affiliates.", "Contact us by mail."]
    np.testing.assert_allclose(again.classifier.predict(sentences),
                               model.classifier.predict(sentences), atol=1e-6)
    assert load_model(path).info == model.classifier.info


def test_train_and_evaluate_scripts_on_a_few_policies(tmp_path):
    pytest.importorskip("sklearn")
    opp115 = shared_folder("opp115")
    out = tmp_path / "facts.npz"
    report = tmp_path / "EVALUATION.md"
    report.write_text("# Evaluation\n\n## Privacy facts\n\nold\n\n## Other\n\nkept\n", "utf-8")
    run = [sys.executable, str(PROJECT / "scripts" / "evaluate_facts.py"), "--opp115",
           str(opp115), "--limit", "4", "--folds", "2", "--write", str(report)]
    result = subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    written = report.read_text("utf-8")
    assert "| `collects:contact` | Contact details |" in written
    assert "\nold\n" not in written and written.endswith("## Other\n\nkept\n")
    assert "4 policies" in written
    train = [sys.executable, str(PROJECT / "scripts" / "train_facts.py"), "--opp115",
             str(opp115), "--limit", "4", "--folds", "2", "--out", str(out)]
    result = subprocess.run(train, capture_output=True, text=True, timeout=600, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    model = load_facts_model(Path(out))
    assert model.classifier.labels == FACT_IDS
    assert set(model.shown) <= set(FACT_IDS)


def test_the_cli_card_and_index_share_one_decision(capsys):
    # `facts` prints what the viewer's analysis holds; the index (words only) finds the
    # same stated facts.
    body = (PROJECT / "corpus" / "bmtmicro.com.md").read_text("utf-8")
    analysis = analyze_policy(body)
    assert main(["facts", "bmtmicro.com", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)["facts"]
    assert [f for f, fact in printed.items() if fact["stated"]] == analysis.stated_facts()
    assert printed["collects:contact"]["evidence"][0] == analysis.text[
        analysis.facts[0].evidence[0].start:analysis.facts[0].evidence[0].end]
    assert decide(policy_words(body)).stated_facts() == analysis.stated_facts()
    assert all(fact.evidence == () for fact in decide(policy_words(body)).facts)


def test_classify_jsonl_reports_the_stated_facts(capsys, monkeypatch):
    import io

    line = json.dumps({"text": "We collect your name, email address and phone number. "
                               "We use SSL encryption to protect your data."})
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "\n"))
    assert main(["classify", "--jsonl"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "collects:contact" in result["facts"]
    assert "security:measures" in result["facts"]


def test_policy_words_sentences_cover_the_paragraphs_and_keep_the_words():
    body = (PROJECT / "corpus" / "bmtmicro.com.md").read_text("utf-8")
    words = policy_words(body)
    covered = [i for start, end in words.sentences for i in range(start, end)]
    expected = [i for _, _, start, end in words.paragraphs for i in range(start, end)]
    assert covered == expected
    assert len(words.sentences) > len(words.paragraphs)
    # A sentence cut inside a very long word does not split the word.
    long_word = "X" * 700
    text = f"We collect data. {long_word} and more. Then we stop."
    split = policy_words(text)
    assert split.words == ["we", "collect", "data", long_word.lower(), "and", "more", "then",
                           "we", "stop"]
    assert split.sentences[0] == (0, 3)


def test_emphasis_and_line_breaks_end_sentences_as_the_viewer_shows_them():
    # "_do not track_" is read as its words; a hard line break ends a sentence.
    body = ("**Cookies**  \nWe use cookies.  \n**Tracking**  \n"
            "We _do not honor_ browser do not track signals.\n")
    words = policy_words(body)
    sentences = [" ".join(words.words[s:e]) for s, e in words.sentences]
    assert sentences == ["cookies", "we use cookies", "tracking",
                         "we do not honor browser do not track signals"]


def _corpus_facts(domain: str) -> tuple[str, dict[str, Fact]]:
    from reader.sources.corpus import Corpus

    policy = Corpus.open(shared_folder("corpus")).load(domain)
    analysis = analyze_policy(policy.body)
    return analysis.text, {fact.id: fact for fact in analysis.facts}


def test_evidence_quotes_a_sentence_the_policy_repeats_once():
    # amazon.com's FAQ repeats its answers: the opt-out sentence was quoted twice, leaving
    # room for one other sentence of three.
    text, facts = _corpus_facts("amazon.com")
    for fact_id in ("choice:opt_out_link", "choice:browser_controls"):
        quoted = [" ".join(e.split()) for e in _evidence(text, facts[fact_id])]
        assert len(quoted) == 3 and len(set(quoted)) == 3
    assert _evidence(text, facts["choice:opt_out_link"])[0] == (
        "If you do not want to receive e-mail or other mail from us, please adjust your "
        "Customer Communication Preferences.")


def test_evidence_is_a_sentence_before_a_lead_in_line():
    # 07ksa.org's bold lead-in "Cookies." was the evidence shown for collects:cookies (its
    # sentence scores highest); the sentences that say what the cookies do come first now.
    text, facts = _corpus_facts("07ksa.org")
    evidence = _evidence(text, facts["collects:cookies"])
    assert "Cookies." not in [e.strip() for e in evidence]
    assert evidence[0].startswith("They may also use cookies, JavaScript, web beacons")
    assert all(len(e.split()) >= 6 for e in evidence)


def test_facts_json_quotes_evidence_as_compare_json_does(capsys):
    # 5280.com's evidence "_Information from your browser or device.  _5280 collects..."
    # kept its double space in `facts --json` but not in `compare --json` or the tables:
    # one sentence, two strings.
    corpus = str(shared_folder("corpus"))
    assert main(["facts", "5280.com", "--json", "--corpus", corpus]) == 0
    facts = json.loads(capsys.readouterr().out)["facts"]
    assert main(["compare", "5280.com", "007.com", "--json", "--corpus", corpus]) == 0
    compared = json.loads(capsys.readouterr().out)["facts"]
    quoted = [e for fact in facts.values() for e in fact["evidence"]]
    assert any(e.startswith("_Information from your browser or device. _5280 collects")
               for e in quoted)
    for row in compared:
        assert row["companies"]["5280.com"]["evidence"] == facts[row["id"]]["evidence"]
