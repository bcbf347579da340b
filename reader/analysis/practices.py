"""Data practices of a policy: categories per paragraph and sentence-level highlight spans.

Each paragraph (with its heading as context, as OPP-115 segments read) is classified; the
sentences of a paragraph are classified too, and a sentence is highlighted for a category
when the paragraph has that category and the sentence leans to it, or when the sentence
alone is confidently in it. A paragraph category that no sentence carries is given to the
sentence that scores highest for it, so every category found has at least one passage.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from reader.analysis.classifier import MAX_TOKENS, TOKEN, PracticeModel, default_model, ngrams
from reader.analysis.document import Document, Mark
from reader.analysis.segment import Paragraph, Sentence, segment, sentence_bounds
from reader.analysis.taxonomy import OTHER, category
from reader.search.query import index_text

SENTENCE_SUPPORT = 0.5  # a sentence needs this fraction of the threshold inside a paragraph
MIN_SENTENCE_WORDS = 3  # shorter "sentences" (lead-ins such as "Account data.") are not
# highlighted on their own


@dataclass(frozen=True)
class Span:
    """A highlighted passage: ``categories`` ordered by confidence (highest first)."""

    start: int
    end: int
    categories: tuple[str, ...]
    scores: tuple[float, ...]
    paragraph: int

    @property
    def category(self) -> str:
        return self.categories[0]


@dataclass
class Analysis:
    """Classification of a whole text: paragraph labels and sentence spans."""

    text: str
    paragraphs: list[Paragraph]
    paragraph_categories: list[tuple[str, ...]]
    scores: dict[str, float]
    spans: list[Span] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        """Practice categories present, in taxonomy order."""
        found = {c for cats in self.paragraph_categories for c in cats}
        return [c for c in self.scores if c in found]

    def passage_counts(self) -> Counter[str]:
        return Counter(c for span in self.spans for c in span.categories)

    def passages(self, category_id: str) -> list[Span]:
        return [span for span in self.spans if category_id in span.categories]

    def passage_text(self, span: Span) -> str:
        return self.text[span.start:span.end]


def analyze_paragraphs(text: str, paragraphs: list[Paragraph],
                       model: PracticeModel | None = None) -> Analysis:
    """Classify paragraphs and sentences; ``text`` is what span offsets refer to."""
    model = model or default_model()
    labels = model.labels
    practice = [i for i, label in enumerate(labels) if label != OTHER]
    thresholds = model.thresholds
    body = [p for p in paragraphs if not p.is_heading]
    para_probs = model.predict([p.context_text for p in body])
    sentences = [s for p in body for s in p.sentences]
    sent_probs = model.predict([text[s.start:s.end] for s in sentences])

    para_cats: dict[int, tuple[str, ...]] = {}
    spans: list[Span] = []
    cursor = 0
    for row, paragraph in enumerate(body):
        probs = para_probs[row]
        found = [i for i in practice if probs[i] >= thresholds[i]]
        para_cats[paragraph.index] = tuple(labels[i] for i in found)
        count = len(paragraph.sentences)
        sprobs = sent_probs[cursor:cursor + count]
        cursor += count
        if count == 0:
            continue
        chosen: list[list[int]] = [[] for _ in range(count)]
        long_enough = [len(text[s.start:s.end].split()) >= MIN_SENTENCE_WORDS
                       for s in paragraph.sentences]
        if not any(long_enough):
            long_enough = [True] * count
        for i in practice:
            in_paragraph = i in found
            for j in range(count):
                if not long_enough[j]:
                    continue
                if sprobs[j, i] >= thresholds[i] or (
                    in_paragraph and sprobs[j, i] >= SENTENCE_SUPPORT * thresholds[i]
                ):
                    chosen[j].append(i)
            if in_paragraph and not any(i in c for c in chosen):
                candidates = np.where(long_enough, sprobs[:, i], -1.0)
                chosen[int(np.argmax(candidates))].append(i)
        for j, cats in enumerate(chosen):
            if not cats:
                continue
            if any(i not in found for i in cats):
                extra = [labels[i] for i in cats if i not in found]
                para_cats[paragraph.index] += tuple(extra)
            cats.sort(key=lambda i: -float(sprobs[j, i]))
            sentence = paragraph.sentences[j]
            spans.append(Span(sentence.start, sentence.end, tuple(labels[i] for i in cats),
                              tuple(round(float(sprobs[j, i]), 4) for i in cats),
                              paragraph.index))
    scores = {labels[i]: round(float(para_probs[:, i].max()), 4) if len(body) else 0.0
              for i in practice}
    ordered = [para_cats.get(p.index, ()) for p in paragraphs]
    return Analysis(text, paragraphs, ordered, scores, spans)


def analyze_document(document: Document, model: PracticeModel | None = None) -> Analysis:
    """Analyse a parsed policy; offsets refer to ``document.text``."""
    return analyze_paragraphs(document.text, segment(document), model)


_BLANK_LINES = re.compile(r"\n\s*\n")


def plain_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of plain text (split at blank lines) with offsets into ``text``."""
    paragraphs: list[Paragraph] = []
    start = 0
    ends = [(m.start(), m.end()) for m in _BLANK_LINES.finditer(text)] + [(len(text), len(text))]
    for end, next_start in ends:
        chunk = text[start:end]
        if chunk.strip():
            index = len(paragraphs)
            sentences = tuple(Sentence(start + s, start + e, index)
                              for s, e in sentence_bounds(chunk))
            paragraphs.append(Paragraph(index, f"p{index}", start, end, chunk, "", False,
                                        sentences))
        start = next_start
    return paragraphs


def analyze_text(text: str, model: PracticeModel | None = None) -> Analysis:
    """Analyse plain text (the ``classify --jsonl`` contract); offsets refer to ``text``."""
    return analyze_paragraphs(text, plain_paragraphs(text), model)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")


@dataclass
class PolicyWords:
    """A policy's words, tokenised once for both the search index and the classifier.

    ``words`` are the lowercased words of the markdown in reading order (markup and link
    targets dropped, as the index reads them); ``pairs[i]`` is ``words[i] + " " +
    words[i + 1]``. Each paragraph is a range of ``words`` with the range of the heading
    it sits under (empty when there is none).
    """

    words: list[str]
    pairs: list[str]
    paragraphs: list[tuple[int, int, int, int]]  # heading start, end; paragraph start, end

    def ngrams(self, paragraph: tuple[int, int, int, int]) -> list[str]:
        """The classifier's n-grams of a paragraph read with its heading."""
        words, pairs = self.words, self.pairs
        heading_start, heading_end, start, end = paragraph
        if heading_end - heading_start + end - start > MAX_TOKENS:
            return ngrams((words[heading_start:heading_end] + words[start:end])[:MAX_TOKENS])
        grams = words[heading_start:heading_end] + words[start:end]
        grams += pairs[heading_start:max(heading_start, heading_end - 1)]
        if heading_end > heading_start and end > start:
            grams.append(f"{words[heading_end - 1]} {words[start]}")
        grams += pairs[start:max(start, end - 1)]
        return grams


def policy_words(markdown_body: str) -> PolicyWords:
    """Tokenise a policy's markdown once (see :class:`PolicyWords`)."""
    found: list[str] = []
    paragraphs = []
    heading = (0, 0)
    for chunk in _BLANK_LINES.split(markdown_body):
        if not chunk.strip():
            continue
        start = len(found)
        found += TOKEN.findall(index_text(chunk))
        if _HEADING.match(chunk.strip()):
            heading = (start, len(found))
        elif len(found) > start:
            paragraphs.append((*heading, start, len(found)))
    words = lowercase(found)
    return PolicyWords(words, list(map(" ".join, pairwise(words))), paragraphs)


def lowercase(words: list[str]) -> list[str]:
    """The words lowercased one by one (as Whoosh's LowercaseFilter does), fast: one
    lower() over the joined words; words hold no spaces and lowercasing makes none, so the
    split gives back the same words."""
    return " ".join(words).lower().split(" ") if words else []


def policy_categories(markdown_body: str | PolicyWords, model: PracticeModel | None = None
                      ) -> list[str]:
    """Practice categories of a policy from its paragraphs read with their headings
    (cheap: no rendering, no sentences); fills the search index's ``category`` field."""
    model = model or default_model()
    tokens = markdown_body if isinstance(markdown_body, PolicyWords) else \
        policy_words(markdown_body)
    if not tokens.paragraphs:
        return []
    grams = [tokens.ngrams(paragraph) for paragraph in tokens.paragraphs]
    found = (model.predict_ngrams(grams) >= model.thresholds).any(axis=0)
    return [label for label, hit in zip(model.labels, found, strict=True)
            if hit and label != OTHER]


def highlight_marks(analysis: Analysis, visible: set[str] | None = None,
                    dark_theme: bool = False) -> list[Mark]:
    """Styled marks for the spans whose categories are visible (first visible one wins)."""
    marks = []
    for number, span in enumerate(analysis.spans):
        shown = [c for c in span.categories if visible is None or c in visible]
        if not shown:
            continue
        colour = category(shown[0]).colour(dark_theme)
        marks.append(Mark(span.start, span.end, f"background-color:{colour}", f"s{number}"))
    return marks
