"""Paragraph and sentence segmentation with offsets into the rendered text."""

from __future__ import annotations

from reader.analysis.document import parse_policy
from reader.analysis.segment import MAX_SENTENCE_CHARS, segment, sentence_bounds


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_bounds(text)]


def test_sentence_split_respects_abbreviations_and_quotes():
    assert sentences('We use SSL, e.g. TLS 1.2. You may opt out! Write to Acme Inc. in the '
                     'U.S. today. "Quoted." Next?') == [
        "We use SSL, e.g. TLS 1.2.", "You may opt out!",
        "Write to Acme Inc. in the U.S. today.", '"Quoted."', "Next?"]


def test_line_breaks_end_sentences():
    assert sentences("Heading without stop\nThen a sentence.") == [
        "Heading without stop", "Then a sentence."]


def test_very_long_run_on_text_is_cut_at_soft_breaks():
    text = "; ".join(f"clause number {i} about data" for i in range(400))
    pieces = sentence_bounds(text)
    assert len(pieces) > 5
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in pieces)
    assert all(text[s:e] == text[s:e].strip() for s, e in pieces)
    unbroken = "x" * 5000
    assert [e - s for s, e in sentence_bounds(unbroken)] == [600] * 8 + [200]


def test_offsets_point_into_rendered_text_for_lists_headings_and_tables():
    document = parse_policy(
        "# Our Policy\n\nWe collect data. We share it.\n\n## Choices\n\n"
        "- You may opt out. Really.\n- Or not.\n\n| Data | Use |\n|---|---|\n"
        "| Email | Marketing. Newsletters. |\n")
    text = document.text
    paragraphs = segment(document)
    assert [p.text for p in paragraphs] == ["Our Policy", "We collect data. We share it.",
                                            "Choices", "You may opt out. Really.", "Or not.",
                                            "Data", "Use", "Email", "Marketing. Newsletters."]
    assert [p.is_heading for p in paragraphs][:3] == [True, False, True]
    assert paragraphs[3].heading == "Choices"
    assert paragraphs[3].context_text == "Choices\nYou may opt out. Really."
    found = [text[s.start:s.end] for p in paragraphs for s in p.sentences]
    assert found == ["Our Policy", "We collect data.", "We share it.", "Choices",
                     "You may opt out.", "Really.", "Or not.", "Data", "Use", "Email",
                     "Marketing.", "Newsletters."]
    for paragraph in paragraphs:
        assert text[paragraph.start:paragraph.end] == paragraph.text
