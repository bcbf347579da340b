"""Displayed sentences are mapped to the classified paragraphs the same way whatever the
size of the windows difflib aligns at a time (the windows only bound its time)."""

from __future__ import annotations

from pathlib import Path

import pytest

import reader.analysis.practices as practices
from reader.analysis.document import parse_policy
from reader.analysis.segment import segment
from reader.sources.corpus import read_policy

ROOT = Path(__file__).resolve().parents[1]


def _mapping(body: str) -> list[int]:
    document = parse_policy(body)
    sentences = [s for paragraph in segment(document) for s in paragraph.sentences]
    return practices._paragraph_of_sentences(practices.policy_words(body), document.text,
                                             sentences)


@pytest.mark.parametrize("chunk", [7, 50, 300])
def test_small_windows_map_sentences_like_one_whole_alignment(monkeypatch, chunk) -> None:
    # Seeds with links and lists (source words the display does not show), three times over.
    body = "\n\n".join(read_policy(path).body for path in sorted((ROOT / "corpus").glob("*.md")))
    body = "\n\n".join([body] * 3)
    monkeypatch.setattr(practices, "ALIGN_CHUNK", 10**9)
    whole = _mapping(body)
    monkeypatch.setattr(practices, "ALIGN_CHUNK", chunk)
    monkeypatch.setattr(practices, "ALIGN_SLACK", chunk // 2 + 5)
    assert _mapping(body) == whole


def test_alignment_of_markup_words() -> None:
    shown = ["we", "share", "data", "with", "partners", "see", "our", "page", "for",
             "details"]
    source = ["we", "share", "data", "with", "partners", "see", "our", "page", "https",
              "example", "com", "for", "details"]
    position = practices._aligned_positions(shown, source)
    assert [source[p] for p in position] == shown
