"""One practice decision: the search index's ``category`` field, the panel, ``classify``
and the PDF all show the result of :func:`reader.analysis.practices.decide`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.analysis import practices
from reader.analysis.facts import default_facts_model, search_term
from reader.analysis.practices import analyze_policy, analyze_text, decide, policy_words
from reader.analysis.taxonomy import practice_ids
from reader.output.highlight import HighlightedPolicy
from reader.search.index import VERSION_FILE, PolicyIndex
from reader.sources.corpus import Corpus


def _index_agrees_with_panel(root: Path, workers: int = 1) -> tuple[int, int]:
    """``category:X`` finds a policy exactly when its panel lists X with a passage, and
    ``collects:contact`` (every shown fact) exactly when its facts card says it is stated,
    with evidence. Returns how many (policy, category) and (policy, fact) pairs agreed."""
    corpus = Corpus.open(root)
    policy_index = PolicyIndex(corpus)
    policy_index.open()
    policy_index.update(workers=workers)
    try:
        panel: dict[str, set[str]] = {}
        card: dict[str, set[str]] = {}
        for domain in corpus.domains():
            highlighted = HighlightedPolicy.of(corpus.load(domain))
            counts = highlighted.counts()
            panel[domain] = {c for c, n in counts.items() if n > 0}
            card[domain] = {f.id for f in highlighted.analysis.facts if f.stated}
            assert all(bool(f.evidence) == (f.state != "not_stated")
                       for f in highlighted.analysis.facts)
        checked = 0
        for category_id in practice_ids():
            found = {hit.domain for hit in
                     policy_index.search(f"category:{category_id}", limit=100_000).hits}
            expected = {d for d, listed in panel.items() if category_id in listed}
            assert found == expected, (category_id, sorted(found ^ expected)[:5])
            checked += len(expected)
        facts_checked = 0
        for fact_id in default_facts_model().shown:
            field_name, value = search_term(fact_id)
            results = policy_index.search(f"{field_name}:{value}", limit=100_000)
            found = {hit.domain for hit in results.hits}
            expected = {d for d, stated in card.items() if fact_id in stated}
            assert found == expected, (fact_id, sorted(found ^ expected)[:5])
            assert all(fact_id in hit.facts for hit in results.hits)
            facts_checked += len(expected)
        return checked, facts_checked
    finally:
        policy_index.close()


def test_index_and_panel_agree_on_the_seeds(embedded_corpus):
    categories, facts = _index_agrees_with_panel(embedded_corpus)
    assert categories > 0 and facts > 10


def test_index_and_panel_agree_on_the_shared_corpus(shared_corpus):
    categories, facts = _index_agrees_with_panel(shared_corpus, workers=2)
    assert categories > 200 and facts > 1000


def test_every_category_found_has_a_passage_and_passages_stay_in_their_paragraphs(
        embedded_corpus):
    corpus = Corpus.open(embedded_corpus)
    for domain in corpus.domains():
        body = corpus.load(domain).body
        analysis = analyze_policy(body)
        assert analysis.categories == decide(policy_words(body)).categories
        assert set(analysis.passage_counts()) == set(analysis.categories)
        for category_id in analysis.categories:
            scores = [s.scores[s.categories.index(category_id)]
                      for s in analysis.passages(category_id)]
            assert scores == sorted(scores, reverse=True)  # most confident first


def test_a_sentence_alone_does_not_add_a_category():
    # The paragraph decides: a sentence is highlighted only for its paragraph's categories.
    text = ("We collect your name, email address and phone number when you register. "
            "We use it to run your account. We keep it for 30 days.")
    analysis = analyze_text(text)
    assert set(analysis.passage_counts()) == set(analysis.categories)


def test_an_index_built_by_another_decision_is_rebuilt(embedded_corpus, monkeypatch):
    corpus = Corpus.open(embedded_corpus)
    first = PolicyIndex(corpus)
    assert first.open() is None
    first.update(workers=1)
    first.close()
    record = json.loads((first.folder / VERSION_FILE).read_text("utf-8"))
    assert record["model"] == practices.decision_digest()
    monkeypatch.setattr(practices, "DECISION_VERSION", practices.DECISION_VERSION + 1)
    practices.decision_digest.cache_clear()
    try:
        from reader.search import index as index_module

        index_module.model_digest.cache_clear()
        again = PolicyIndex(corpus)
        assert again.open() == "holds categories from another practice model"
        again.close()
    finally:
        practices.decision_digest.cache_clear()
        index_module.model_digest.cache_clear()


@pytest.mark.parametrize("text", ["", "   \n\n  ", "# Only a heading\n"])
def test_nothing_to_decide(text):
    analysis = analyze_text(text)
    assert analysis.spans == [] or set(analysis.passage_counts()) == set(analysis.categories)


SETEXT_AT_SECTION_END = """# How we share information

We may disclose aggregate statistics about our visitors to reputable third parties.

Partners
--------

Advertisers and marketing partners who receive your personal information
--------------------------------------------------------------------------

# Security

We use industry standard encryption to protect your data in transit.
Please keep your password secret.
"""


def test_a_section_read_alone_gets_the_passages_it_gets_in_the_whole_policy():
    """The history chart analyses a version section by section (a ``#`` heading and what
    follows). A paragraph no displayed sentence shows (here a heading underlined with
    dashes, shown as a heading, that reads as sharing) gives its category to the nearest
    sentence of its own section, not to the next section's first sentence."""
    from reader.analysis.timeline import sections

    def passages(markdown: str) -> list[tuple[str, tuple[str, ...]]]:
        analysis = analyze_policy(markdown)
        return [(analysis.passage_text(s), s.categories) for s in analysis.spans]

    whole = passages(SETEXT_AT_SECTION_END)
    assert whole == [p for part in sections(SETEXT_AT_SECTION_END) for p in passages(part)]
    assert whole == [
        ("We may disclose aggregate statistics about our visitors to reputable third "
         "parties.", ("third_party_sharing",)),
        ("We use industry standard encryption to protect your data in transit.",
         ("data_security",)),
    ]


def test_the_decision_without_facts_has_the_same_passages(embedded_corpus):
    """The history's chart and diff ask the one decision for its passages alone
    (``facts=False``): categories, scores, passages and language come out exactly as with
    the facts, on the seeds and every third policy of ../shared/corpus; no fact is
    decided."""
    from conftest import SHARED_CORPUS

    from reader.sources.corpus import parse_header, read_policy_text

    paths = sorted(embedded_corpus.rglob("*.md"))
    if SHARED_CORPUS.is_dir():
        paths += sorted(SHARED_CORPUS.rglob("*.md"))[::3]
    for path in paths:
        if path.name == "README.md":
            continue
        body = parse_header(read_policy_text(path))[1]
        with_facts = analyze_policy(body)
        alone = analyze_policy(body, facts=False)
        assert (alone.text, alone.paragraphs, alone.categories, alone.scores, alone.spans,
                alone.paragraph_counts, alone.language) == \
            (with_facts.text, with_facts.paragraphs, with_facts.categories,
             with_facts.scores, with_facts.spans, with_facts.paragraph_counts,
             with_facts.language), path
        assert alone.facts == [] and alone.fact_scores == {}
    assert len(paths) > 5


CONTENTS = """# Privacy Policy

## Contents

*   [Information We Collect](#collect)
*   [Retention of Your Information](#retention)
*   [We share your email address with advertising partners.](#share)

## Information We Collect

We collect your name, email address and phone number when you register an account.

## Retention of Your Information

We keep your personal information for as long as your account is active and delete it
within 30 days after you close your account.
"""


def test_an_entry_of_the_contents_states_no_practice():
    """A table of contents names sections: an entry that is only a link within the page
    and a title ("Retention of Your Information") gets no passage and counts for no
    category; an entry written as a sentence is read as one; the sections keep theirs."""
    analysis = analyze_policy(CONTENTS)
    passages = [analysis.text[s.start:s.end] for s in analysis.spans]
    assert "Information We Collect" not in passages
    assert "Retention of Your Information" not in passages
    assert "We share your email address with advertising partners." in passages
    by_category = {c: [analysis.passage_text(s) for s in analysis.passages(c)]
                   for c in analysis.categories}
    assert any("delete it within 30 days" in p for p in by_category["data_retention"])
    assert any("phone number" in p for p in by_category["first_party_collection"])
    words = policy_words(CONTENTS)
    assert len(words.labels) == 2
    # The index reads the same decision: a policy whose only mention of a practice is an
    # entry of its contents is not found by that category.
    only_contents = "# Policy\n\n*   [Retention of Your Information](#retention)\n"
    assert "data_retention" not in analyze_policy(only_contents).categories
    assert "data_retention" not in practices.policy_categories(only_contents)


def test_whatsapp_contents_entries_are_not_highlighted(tmp_path):
    """WhatsApp's privacy policy (PGA v2 bundle) opens with its contents: five of the
    entries on the first screen were highlighted (Retain on "Retention of Your
    Information", Share on "Working With Authorities..."). No passage lies in them now."""
    from conftest import clone_history_bundle

    root = clone_history_bundle("pga-versions.bundle", tmp_path / "pga")
    policy = Corpus.open(root).load("WhatsApp")
    analysis = analyze_policy(policy.body)
    passages = {analysis.text[s.start:s.end].strip() for s in analysis.spans}
    for entry in ("Retention of Your Information", "Deleting Your Information",
                  "Information We Collect",
                  "Working With Authorities, Advisors And Industry Partners"):
        assert entry in analysis.text and entry not in passages, entry
    assert analysis.passage_counts()["data_retention"] >= 40


TABLE = """# Privacy Policy

## How long we keep your information

| Information we collect about you | How long we keep it |
|---|---|
| Your email address and phone number | We keep them until you delete your account. |
| Your payment card details | We delete them 30 days after your last purchase. |

Country or Region: | Contact Information:
---|---
United Kingdom | privacy-uk@example.com
Canada | privacy-ca@example.com
"""


def test_a_tables_header_row_states_no_practice(shared_corpus):
    """A table's header row names its columns: it gets no passage (apple.com's "Country or
    Region:" was highlighted as Children & specific audiences), while its rows keep
    theirs. The rows of a table written without edge pipes are paragraphs of their own, as
    the viewer shows them, and its header row a label too."""
    analysis = analyze_policy(TABLE)
    passages = [analysis.text[s.start:s.end] for s in analysis.spans]
    assert not any("Information we collect about you" in p or p == "How long we keep it"
                   or "Country or Region" in p for p in passages), passages
    assert any("delete them 30 days" in p for p in passages)
    words = policy_words(TABLE)
    assert len(words.labels) == 2  # the two header rows
    assert len(words.paragraphs) == 2 + 4  # the rows: each of its own
    assert "data_retention" in analysis.categories
    apple = analyze_policy(Corpus.open(shared_corpus).load("apple.com").body)
    assert "Country or Region" in apple.text
    assert not any("Country or Region" in apple.text[s.start:s.end] for s in apple.spans)


BOLD = """# Privacy Policy

**Information Collection and Use**

We collect your name, email address and phone number when you register an account.

**We do not sell your personal information to third parties.**

**How we protect your information**

We use encryption and firewalls to protect your personal information from unauthorised
access.
"""


def test_a_heading_written_in_bold_states_no_practice(shared_corpus):
    """A line all in bold that is a title ("Information Collection and Use") or no
    sentence ("How we protect your information") names what follows: no passage (600 of
    22,153 passages in ../shared/corpus and the PGA bundle were in such lines). A sentence
    in bold ("We do not sell ...") is read as one; the paragraphs under the headings keep
    theirs."""
    from reader.analysis.practices import is_bold_heading

    analysis = analyze_policy(BOLD)
    passages = [analysis.text[s.start:s.end] for s in analysis.spans]
    assert "Information Collection and Use" not in passages
    assert "How we protect your information" not in passages
    assert any("phone number" in p for p in passages)
    assert any("encryption" in p for p in passages)
    assert len(policy_words(BOLD).labels) == 2
    assert is_bold_heading("**Information We Retain After Your Account is Deleted.**")
    assert is_bold_heading("**CREDIT CARD SECURITY**")
    assert not is_bold_heading("**We do not sell your personal information**")
    assert not is_bold_heading("**Cookies help us see how the site is used.**")
    assert not is_bold_heading("**bold** and more words")
    real = analyze_policy(Corpus.open(shared_corpus).load("03m.info").body)
    shown = {real.text[s.start:s.end] for s in real.spans}
    assert not shown & {"Information Collection and Use", "Updating Your Information",
                        "Third Party Service Providers", "Changes in Our Practices"}
    assert "first_party_collection" in real.categories
