"""Real, messy policies from ../shared read well: every word shown, sentences whole."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import shared_folder

from reader.analysis.document import parse_policy, to_html
from reader.analysis.segment import segment
from reader.sources.corpus import read_policy, read_policy_text

WORD = re.compile(r"[^\W_]+")
LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")


def words_in_source(body: str) -> list[str]:
    """The words of a markdown body with its markup removed: link targets, HTML tags, emphasis,
    ordered-list numbers (list markup; Qt numbers the list itself)."""
    body = LINK_TARGET.sub("", body)
    body = re.sub(r"<(?=[a-zA-Z/!])(?![a-z]+:)[^<>@]*>", " ", body)
    body = re.sub(r"(?m)^ {0,3}\d+[.)](?=\s)", " ", body)
    for markup in "[]*":  # "your****privacy" in a PDF conversion reads "yourprivacy"
        body = body.replace(markup, "")
    return WORD.findall(body)


def corpus_file(relative: str):
    return shared_folder("corpus") / relative


@pytest.mark.parametrize("relative", ["w/wh/whi/whitehouse.gov.md", "m/ma/mar/marines.mil.md",
                                      "s/sk/sky/skype.com.md"])
def test_real_policy_shows_all_its_words(relative):
    policy = read_policy(corpus_file(relative))
    document = parse_policy(policy.body)
    expected = words_in_source(policy.body)
    shown = WORD.findall(document.text)
    assert shown == expected
    assert len(to_html(document)) > len(document.text)


def test_policy_written_as_headings_reads_its_body_as_paragraphs():
    """whitehouse.gov marks every paragraph "####": its statements are read as paragraphs
    (sources.repair.demote_body_headings), its short headings stay headings, and every
    block keeps its text (test_real_policy_shows_all_its_words checks every word)."""
    policy = read_policy(corpus_file("w/wh/whi/whitehouse.gov.md"))
    document = parse_policy(policy.body)
    headings = {block.text.strip() for block in document.blocks if block.is_heading}
    paragraphs = [block.text for block in document.blocks if not block.is_heading]
    assert {"Information You Give Us", "Visits to WhiteHouse.gov"} <= headings
    assert any(text.startswith("THE WHITE HOUSE IS COMMITTED") for text in paragraphs)
    assert not any(text.startswith("THE WHITE HOUSE IS COMMITTED") for text in headings)
    assert len(paragraphs) > len(headings)
    assert all(block.text.strip() for block in document.blocks)


def test_empty_title_heading_is_not_a_block():
    policy = read_policy(corpus_file("m/ma/mar/marines.mil.md"))
    document = parse_policy(policy.body)
    assert document.blocks[0].text == "Accessibility:"
    assert "<h1" not in to_html(document)


def test_pdf_converted_policy_reads_as_sentences():
    folder = shared_folder("history/pga-v1") / "Facebook" / "Privacy Policy"
    body = read_policy_text(folder / "20050809_Facebook_PrivacyPolicy.md")
    document = parse_policy(body)
    sentences = [document.text[s.start:s.end] for p in segment(document) for s in p.sentences]
    assert (
        "Thefacebook Privacy Policy is designed to assist you in understanding how we collect "
        "and use the personal information that you provide to us and to assist you in making "
        "informed decisions when using Thefacebook web site located at www.thefacebook.com "
        '(the "Web Site").'
    ) in sentences
    assert "When you enter our Web Site, we collect the user's browser type and IP address." in (
        sentences)
    assert "&apos" not in document.text
    assert WORD.findall(document.text) == WORD.findall(body.replace("&apos", "'"))
    # Most blocks are whole paragraphs now, not one line of the PDF each.
    lines = [line for line in body.splitlines() if line.strip()]
    assert len(document.blocks) < len(lines) / 2


def test_every_pga_policy_keeps_its_words_when_lines_are_re_joined():
    """No word lost or added (page numbers inside a sentence move after its paragraph)."""
    root = shared_folder("history/pga-v1")
    for path in sorted(root.glob("*/*/*.md")):
        body = read_policy_text(path)
        document = parse_policy(body)
        assert Counter(WORD.findall(document.text)) == Counter(words_in_source(body)), path.name


def test_google_nested_lists_read_as_lists_not_code():
    """google.com (2017) indents its nested lists after a paragraph: they were shown as
    code, raw "* [Internet protocol address](https://web.archive.org/...)" cut off."""
    policy = read_policy(corpus_file("g/go/goo/google.com.md"))
    document = parse_policy(policy.body)
    items = [block.text.strip() for block in document.blocks if block.tag == "li"]
    assert "Internet protocol address." in items
    assert any(text.startswith("telephony log information like your phone number") for
               text in items)
    assert "web.archive.org" not in document.text and "<pre" not in to_html(document)
