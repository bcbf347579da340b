"""The newest version of every document of the two real git histories in
``../shared/history`` (the PGA v2 bundle: 132 documents of 25 services, privacy policies,
terms and community guidelines; the dating bundle: 69, some in French and German), opened
as a corpus the way a user opens an Open Terms Archive collection, through the whole
reading pipeline: list, read, render, classify, PDF export. Skipped without the bundles.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from pathlib import Path

import pytest
from conftest import (
    clone_history_bundle,
    expected_pdf_characters,
    pdf_policy_characters,
    shown_words,
)

from reader.output.export import write_pdf
from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus

BUNDLES = {"pga-versions.bundle": 132, "dating-versions.bundle": 69}


@pytest.fixture(scope="module", params=sorted(BUNDLES))
def newest_documents(request, tmp_path_factory) -> tuple[str, Corpus, dict, dict, list]:
    """A bundle's working copy as a corpus, each document rendered and exported once."""
    root = clone_history_bundle(request.param, tmp_path_factory.mktemp("clone") / "repo")
    out = tmp_path_factory.mktemp("pdfs")
    seen: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    items: dict[str, HighlightedPolicy] = {}
    pdfs: dict[str, Path] = {}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpus = Corpus.open(root)
            for number, name in enumerate(corpus.domains()):
                item = HighlightedPolicy.of(corpus.load(name))
                item.body_html()
                items[name] = item
                pdfs[name] = write_pdf(item, out / f"{number}.pdf")
        seen += [str(w.message) for w in caught]
    finally:
        logging.getLogger().removeHandler(handler)
    return request.param, corpus, items, pdfs, seen


def test_every_document_is_listed_read_and_exported(newest_documents):
    bundle, corpus, items, pdfs, seen = newest_documents
    assert len(items) == BUNDLES[bundle]
    assert corpus.problems == [] and seen == []
    assert all(pdf.read_bytes().rstrip().endswith(b"%%EOF") for pdf in pdfs.values())


def test_viewer_and_pdf_show_every_word_and_list_number(newest_documents):
    """The viewer holds the rendered text word for word and each PDF prints every
    character of it once, and the numbers of numbered lists as the policy writes them
    (YouTube's developer terms and ROMEO's terms have items that start with a list of
    their own: Qt numbered the items after them one less). Characters no font on this
    computer draws (the app names them: Thai and Korean in YouTube's community
    guidelines on a system without such fonts) print as boxes and are left out."""
    import unicodedata

    from PySide6.QtGui import QTextDocument

    from reader.output.fonts import characters_without_a_font

    _bundle, _corpus, items, pdfs, _seen = newest_documents
    for name, item in items.items():
        shown = QTextDocument()
        shown.setHtml(item.body_html())
        assert shown_words(shown.toPlainText()) == shown_words(item.document.text), name
        printed, pages = pdf_policy_characters(pdfs[name])
        expected = expected_pdf_characters(item.document, pages)
        missing = characters_without_a_font(item.document.text)
        if missing:  # (with the marks written over them: Thai vowel signs)
            missing += "".join(char for char in set(item.document.text)
                               if unicodedata.category(char) == "Mn")
        for char in missing:
            del printed[char], expected[char]
        assert +printed == +expected, (name, (printed - expected), (expected - printed))


def test_words_written_with_combining_marks_read_whole(newest_documents):
    """Finya's privacy policy writes umlauts as a letter and a combining mark; read
    composed, its words are whole (no word of the bundles starts with a mark)."""
    import unicodedata

    _bundle, _corpus, items, _pdfs, _seen = newest_documents
    for name, item in items.items():
        assert unicodedata.is_normalized("NFC", item.document.text), name
        assert not Counter(word[:1] for word in item.document.text.split()
                           if unicodedata.combining(word[:1])), name
