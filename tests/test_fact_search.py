"""Search by privacy fact (``collects:financial``, ``purpose:advertising``...), answered
from the index: real hits on the seed policies, near-miss suggestions, facts the app does
not show explained."""

from __future__ import annotations

import json

import pytest

from reader.analysis.facts import SEARCH_FIELDS, default_facts_model, search_term
from reader.cli import main
from reader.search.engine import SearchIndex
from reader.search.query import QuerySyntaxError, fact_suggestion, searchable_values


def _found(policy_index: SearchIndex, text: str) -> set[str]:
    return {hit.domain for hit in policy_index.search(text, limit=100).hits}


def test_collects_financial_finds_the_shops_that_take_card_numbers(seed_index):
    # bmtmicro.com: "we must collect the purchaser's name, email address, mailing address,
    # phone number and credit card information"; ipmart.com and bizdesign.com take card
    # payments too. (audiomidi.com sends card numbers to the card company, but the model
    # misses that sentence; see the README's facts notes.)
    found = _found(seed_index, "collects:financial")
    assert {"bmtmicro.com", "ipmart.com", "bizdesign.com"} <= found
    assert "bettymills.com" not in found


def test_purpose_advertising_finds_the_policy_that_advertises(seed_index):
    # Only bettymills.com speaks of advertising ("We use Remarketing with Google Analytics
    # to advertise online").
    assert _found(seed_index, "purpose:advertising") == {"bettymills.com"}
    results = seed_index.search("purpose:advertising")
    assert "purpose:advertising" in results.hits[0].facts


def test_fact_terms_combine_with_words_and_other_fields(seed_index):
    assert "bmtmicro.com" in _found(seed_index,
                                    'collects:financial purpose:legal "law enforcement"')
    assert "bmtmicro.com" in _found(seed_index, "collects:financial AND shares:third_party")
    assert "bmtmicro.com" not in _found(seed_index, "collects:financial NOT security:measures")
    assert _found(seed_index, "audience:children") == set()  # no seed speaks of children
    assert _found(seed_index, "collects:Financial") == _found(seed_index, "collects:financial")


def test_a_fact_the_app_does_not_show_is_explained(seed_index):
    with pytest.raises(QuerySyntaxError) as caught:
        seed_index.search("collects:location")
    message = str(caught.value)
    assert "collects:location" in message and "F1 0.72" in message and "0.75" in message
    assert "collects: takes contact, financial" in message
    with pytest.raises(QuerySyntaxError, match="no retention: fact is reliable enough"):
        seed_index.search("retention:indefinitely")


def test_near_misses_suggest_the_fact(seed_index):
    assert seed_index.search("collects:cookie").suggestion == "collects:cookies"
    assert seed_index.search("shares:advertising").suggestion == "purpose:advertising"
    assert seed_index.search("audience:kids").suggestion == "audience:children"
    assert seed_index.search("dnt:honoured").suggestion == "dnt:honored"
    assert fact_suggestion("privacy collects:email") == "privacy collects:contact"
    assert fact_suggestion("collects:contact") is None
    assert fact_suggestion("collects:zebra") is None


def test_every_shown_fact_has_a_search_field():
    shown = default_facts_model().shown
    for fact_id in shown:
        field_name, value = search_term(fact_id)
        assert field_name in SEARCH_FIELDS and value in searchable_values(field_name)
    assert sum(len(searchable_values(name)) for name in SEARCH_FIELDS) == len(shown)


def test_cli_search_by_fact_json(embedded_corpus, capsys):
    assert main(["--corpus", str(embedded_corpus), "search", "purpose:advertising",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [hit["domain"] for hit in result["hits"]] == ["bettymills.com"]
    assert "purpose:advertising" in result["hits"][0]["facts"]
