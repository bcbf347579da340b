"""Body text that a scraper marked as headings is read as paragraphs, by every view."""
# ruff: noqa: E501  (the fixture is a policy: its paragraphs are long lines)

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.analysis.practices import analyze_policy
from reader.sources.corpus import read_policy
from reader.sources.repair import _HEADING_LINE, demote_body_headings, heading_lines

ALL_HEADINGS = """# Privacy Policy

#### Information You Give Us

#### You do not have to give us any personal information to read this site. However, for some services we may need your name, address and email address.

  * ####  The contact form asks for basic contact information so we can respond to your request;

#### Data Retention

#### We keep the email addresses of our subscribers until they unsubscribe, and we delete server logs after one year.

#### We protect the information we hold with encryption and with access controls for our staff.

#### Who should I contact if I have any comments, questions or complaints about this policy?
"""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_a_policy_written_as_headings_gets_its_body_back():
    repaired = demote_body_headings(ALL_HEADINGS)
    lines = repaired.splitlines()
    assert "#### Information You Give Us" in lines  # short headings stay headings
    assert "#### Data Retention" in lines
    assert lines[4].startswith("You do not have to give us")
    assert "  * The contact form asks for basic contact information so we can respond to " \
        "your request;" in lines  # a list item keeps its marker
    assert "We keep the email addresses of our subscribers until they unsubscribe, and we " \
        "delete server logs after one year." in lines
    assert lines[-1].startswith("#### Who should I contact")  # a question is an FAQ heading
    assert _words(repaired) == [w for w in _words(ALL_HEADINGS)]  # every word kept, in order


def test_a_policy_with_a_body_keeps_its_long_headings():
    body = "\n\n".join(
        [ALL_HEADINGS] + ["We collect the pages you visit on our site and the browser you use "
                          "to show them to you."] * 4)
    assert demote_body_headings(body) == body
    few = "# Policy\n\n## We collect your name and your email address when you write to us " \
          "through the form.\n\nShort.\n"
    assert demote_body_headings(few) == few  # fewer than 3 statement headings


def test_the_decision_reads_body_headings_as_paragraphs(tmp_path):
    path = tmp_path / "example.com.md"
    path.write_text(ALL_HEADINGS, encoding="utf-8")
    analysis = analyze_policy(read_policy(path).body)
    assert {"first_party_collection", "data_retention"} <= set(analysis.categories)
    counts = analysis.passage_counts()
    assert all(counts[c] >= 1 for c in analysis.categories)


def test_whitehouse_gov_shows_what_its_sections_say(shared_corpus):
    """whitehouse.gov marks every paragraph "####": the panel showed only "Collection & use"
    with 3 passages, one of them "Jump to navigation"."""
    policy = read_policy(shared_corpus / "w/wh/whi/whitehouse.gov.md")
    analysis = analyze_policy(policy.body)
    assert {"first_party_collection", "third_party_sharing", "data_retention",
            "data_security", "user_choice", "international_audiences",
            "policy_change"} <= set(analysis.categories)
    passages = [" ".join(analysis.passage_text(span).split()) for span in analysis.spans]
    assert len(passages) > 40
    assert "Jump to navigation" not in passages
    by_category = {c: [p for p, span in zip(passages, analysis.spans, strict=True)
                       if c in span.categories] for c in ("data_security", "data_retention")}
    assert any(p.startswith("We take reasonable precautions to protect our site")
               for p in by_category["data_security"])
    assert "Cookie data linked to individual users will be retained for 13 months;" \
        in by_category["data_retention"]


def test_no_other_shared_policy_is_changed(shared_corpus):
    """The repair is for policies that have no body but headings: of ../shared/corpus only
    whitehouse.gov is one."""
    changed = [path.name for path in sorted(shared_corpus.rglob("*.md"))
               if demote_body_headings(t := path.read_text(encoding="utf-8")) != t]
    assert changed == ["whitehouse.gov.md"]


LINE_PIECES = ["#", "##", "###", "#######", " ", "\t", "\n", "\r\n", "word", ".", "1.",
               "12)", "1234.", "-", "*", "+", "é", "\u2028", "\x0c"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=30).map("".join))
def test_heading_scan_finds_what_the_heading_pattern_matches(text):
    """The fast scan from each ``##`` finds exactly the lines the pattern matches."""
    expected = [(m.start(), m.end(), m[1], m[2]) for m in _HEADING_LINE.finditer(text)]
    assert list(heading_lines(text)) == expected


def test_heading_scan_on_real_policies(shared_corpus):
    for path in sorted(shared_corpus.rglob("*.md")):
        text = path.read_text("utf-8", errors="replace")
        expected = [(m.start(), m.end(), m[1], m[2]) for m in _HEADING_LINE.finditer(text)]
        assert list(heading_lines(text)) == expected, path
