"""Data practices of a policy: ONE decision for every view (viewer, panel, index, CLI, PDF).

:func:`decide` is that decision. A policy's paragraphs, read with their headings as
OPP-115 segments read, are classified from the policy's words exactly as the search index
tokenises them (:func:`policy_words`), so the index and the viewer cannot disagree: a
policy has category ``c`` when at least one paragraph has it. Highlighted passages are
sentences of the displayed text, mapped onto those paragraphs by their words; a sentence is
highlighted for ``c`` only inside a paragraph that has ``c``, when its score reaches the
category's sentence threshold (:func:`sentence_scores`: the sentence model's probability
that the sentence states ``c`` given that its paragraph does, times the paragraph's
probability of ``c``, weighed by the model's reading of the sentence among all sentences).
Sentences map to paragraphs within their ``#`` section, so a section read alone (the
history chart) gets the passages it gets in the whole policy. A paragraph category that
no sentence reaches goes to its highest-scoring sentence, so every category found has at
least one passage (marked as not confident).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise

import numpy as np

from reader.analysis import document as _document
from reader.analysis.classifier import (
    MAX_TOKENS,
    MODEL_FILE,
    TOKEN,
    JointTerms,
    PracticeModel,
    default_model,
    joint_terms,
    ngrams,
)
from reader.analysis.document import Document, Mark, parse_policy
from reader.analysis.facts import (
    DOES_NOT,
    FACTS_MODEL_FILE,
    MAX_EVIDENCE,
    NOT_STATED,
    SPEC_BY_ID,
    STATED,
    Evidence,
    Fact,
    FactsModel,
    decide_facts,
    default_facts_model,
)
from reader.analysis.language import ENGLISH, language_of, models_caveat
from reader.analysis.lexicon import paragraph_lexicon_counts, terms_of_counts
from reader.analysis.polarity import POLARITY_MODEL_FILE, default_polarity_model, says_not
from reader.analysis.segment import (
    _ABBREVIATIONS,
    MAX_SENTENCE_CHARS,
    Paragraph,
    Sentence,
    segment,
    sentence_bounds,
)
from reader.analysis.taxonomy import OTHER
from reader.analysis.tints import HighlightLook, as_look, highlight_colour, text_colour_on
from reader.paths import resources_dir
from reader.search.query import index_text
from reader.slices import item_ranges

# Bump when the decision rule changes: an index built by another decision is rebuilt.
DECISION_VERSION = 12  # 3: facts decided from the same words as the categories;
# 4: sentences scored by sentence_scores (two-head sentence model x paragraph probability);
# 5: body text marked as headings is read as paragraphs (sources.repair.demote_body_headings)
# 6: an indented block is read as text, not as a code block (analysis.document)
# 7: a fact whose sentences all say "does not" is "says it does not" (analysis.polarity)
# 8: paragraphs read with their lexicon terms too (analysis.lexicon; the model digest too)
# 9: a markdown reference definition ("[1]: http://...") is read as text, and a table
# without edge pipes ("A | B" over "---|---") as a table (analysis.document)
# 10: an entry of a table of contents (a line that is only a link within the page, not a
# sentence: "[Retention of Your Information](#retention)") states no practice
# 11: nor does a table's header row (its cells name the columns: "Country or Region:")
# 12: nor a heading written in bold ("**Information Collection and Use**")
SENTENCE_MODEL_FILE = "sentence_model.npz"
SENTENCE_SUPPORT = 0.5  # without a sentence model: fraction of the paragraph threshold
MIN_SENTENCE_WORDS = 3  # shorter "sentences" (lead-ins such as "Account data.") are not
# highlighted on their own
MIN_EVIDENCE_WORDS = 6  # a fact's evidence of fewer words is a title or lead-in, shown last


@dataclass(frozen=True)
class Span:
    """A highlighted passage: ``categories`` ordered by confidence (highest first);
    ``confident[i]`` is False for a passage given only so that a category found in its
    paragraph has one."""

    start: int
    end: int
    categories: tuple[str, ...]
    scores: tuple[float, ...]
    paragraph: int
    confident: tuple[bool, ...] = ()

    @property
    def category(self) -> str:
        return self.categories[0]

    def is_confident(self, category_id: str) -> bool:
        index = self.categories.index(category_id)
        return not self.confident or self.confident[index]


@dataclass
class Analysis:
    """The decision about one policy: its categories, scores and highlighted passages."""

    text: str
    paragraphs: list[Paragraph]
    categories: list[str]  # practice categories present, in taxonomy order
    scores: dict[str, float]  # highest paragraph probability per category
    spans: list[Span]
    # The privacy facts shown (stated, "says it does not" or not stated, in the facts
    # model's order); evidence sentences only when displayed text was given.
    facts: list[Fact] = field(default_factory=list)
    # How strongly each is stated: per category present, the paragraphs that have it; per
    # stated fact, its best sentence's probability (the search index ranks by these).
    paragraph_counts: dict[str, int] = field(default_factory=dict)
    fact_scores: dict[str, float] = field(default_factory=dict)
    # The language the policy reads as (see reader.analysis.language): the models learnt
    # from English policies, so elsewhere every view says not to trust the result.
    language: str = ENGLISH

    def caveat(self) -> str | None:
        """What the reader should know before trusting these highlights and facts."""
        return models_caveat(self.language)

    def stated_facts(self) -> list[str]:
        """Ids of the facts the policy states (the search index's fact fields)."""
        return [fact.id for fact in self.facts if fact.stated]

    def denied_facts(self) -> list[str]:
        """Ids of the facts the policy says it does not do ("says it does not")."""
        return [fact.id for fact in self.facts if fact.says_not]

    def passage_counts(self) -> Counter[str]:
        return Counter(c for span in self.spans for c in span.categories)

    def passages(self, category_id: str) -> list[Span]:
        """Passages of a category, most confident first."""
        found = [span for span in self.spans if category_id in span.categories]
        return sorted(found, key=lambda s: -s.scores[s.categories.index(category_id)])

    def passage_text(self, span: Span) -> str:
        return self.text[span.start:span.end]


@lru_cache(maxsize=1)
def default_sentence_model() -> PracticeModel | None:
    """The bundled sentence model (``None`` when absent: the paragraph model reads
    sentences then)."""
    from reader.analysis.classifier import load_model

    path = resources_dir() / SENTENCE_MODEL_FILE
    return load_model(path) if path.exists() else None


@lru_cache(maxsize=1)
def decision_digest() -> str:
    """Digest of the decision (rule version and model files): an index records it."""
    digest = hashlib.blake2b(f"decision {DECISION_VERSION}".encode(), digest_size=12)
    for name in (MODEL_FILE, SENTENCE_MODEL_FILE, FACTS_MODEL_FILE, POLARITY_MODEL_FILE):
        path = resources_dir() / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def decide(source: str | PolicyWords, text: str = "", paragraphs: Sequence[Paragraph] = (),
           model: PracticeModel | None = None,
           sentence_model: PracticeModel | None = None,
           facts_model: FactsModel | None = None, all_facts: bool = False,
           facts: bool = True) -> Analysis:
    """THE decision about a policy: practices and privacy facts. ``source`` is the
    policy's markdown (or plain text, or its :class:`PolicyWords`); ``text`` and
    ``paragraphs`` are what is displayed, whose sentences may be highlighted or be a fact's
    evidence (leave them out for categories and stated facts alone, as the search index
    does). Facts are those shown in the app (``all_facts``: every fact the model knows);
    without ``facts``, none are decided (``facts`` and ``fact_scores`` empty): the
    categories, scores and passages alone, the same as with them (the history's chart and
    diff show nothing else: deciding the facts was 8% of their analysis)."""
    model = model or default_model()
    facts_model = facts_model or default_facts_model()
    words = source if isinstance(source, PolicyWords) else policy_words(source)
    probs, fact_probs = _classified([words], model, facts_model, facts)[0]
    return _decided(words, probs, fact_probs, text, paragraphs, model, sentence_model,
                    facts_model, all_facts)


def decide_policies(policies: Sequence[PolicyWords], model: PracticeModel | None = None,
                    facts_model: FactsModel | None = None) -> list[Analysis]:
    """:func:`decide` of each of several policies' words, without displayed text
    (categories and stated facts, what the search index stores): the same decisions,
    with the classifiers run once for all of them (less work per policy)."""
    model = model or default_model()
    facts_model = facts_model or default_facts_model()
    return [_decided(words, probs, fact_probs, "", (), model, None, facts_model, False)
            for words, (probs, fact_probs)
            in zip(policies, _classified(policies, model, facts_model), strict=True)]


def _classified(policies: Sequence[PolicyWords], model: PracticeModel,
                facts_model: FactsModel, facts: bool = True
                ) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Per policy: its paragraphs' practice probabilities (read with their headings) and
    its sentences' fact probabilities (``None`` without ``facts``: not computed). Each word
    and pair is looked up once for both models, and each model runs once over the rows of
    all the policies (rows are independent: the same numbers as one policy at a time)."""
    joint = joint_terms(model, facts_model.classifier)
    paragraph_parts, sentence_parts = [], []
    paragraph_rows, sentence_rows = [0], [0]
    lexicon = (_lexicon_counts(policies) if model.lexicon_ids is not None
               else [None] * len(policies))
    for words, lexicon_counts in zip(policies, lexicon, strict=True):
        word_ids = joint.words(words.words)
        pair_ids = joint.pairs(word_ids[:-1], word_ids[1:])
        if words.paragraphs:
            rows, terms, counts = _paragraph_terms(words, word_ids, pair_ids, joint,
                                                   model.lexicon_ids, lexicon_counts)
            paragraph_parts.append((rows + paragraph_rows[-1], terms, counts))
        paragraph_rows.append(paragraph_rows[-1] + len(words.paragraphs))
        if facts:
            rows, terms, counts = _sentence_terms(words, joint.numbers(word_ids, 1),
                                                  joint.numbers(pair_ids, 1))
            sentence_parts.append((rows + sentence_rows[-1], terms, counts))
            sentence_rows.append(sentence_rows[-1] + len(words.sentences))
    probs = _predicted(model, paragraph_parts, paragraph_rows[-1])
    if not facts:
        return [(probs[paragraph_rows[n]:paragraph_rows[n + 1]], None)
                for n in range(len(policies))]
    fact_probs = _predicted(facts_model.classifier, sentence_parts, sentence_rows[-1])
    return [(probs[paragraph_rows[n]:paragraph_rows[n + 1]],
             fact_probs[sentence_rows[n]:sentence_rows[n + 1]]) for n in range(len(policies))]


def _predicted(model: PracticeModel, parts: list[tuple[np.ndarray, ...]], rows: int
               ) -> np.ndarray:
    """``model.predict_counted`` of (row, term, count) parts whose rows follow each other."""
    if not rows:
        return np.zeros((0, len(model.labels)), dtype=np.float32)
    if len(parts) == 1:
        return model.predict_counted(*parts[0], rows)
    return model.predict_counted(*(np.concatenate(column) for column in zip(*parts, strict=True)),
                                 rows)


def _decided(words: PolicyWords, probs: np.ndarray, fact_probs: np.ndarray | None,
             text: str, paragraphs: Sequence[Paragraph], model: PracticeModel,
             sentence_model: PracticeModel | None, facts_model: FactsModel,
             all_facts: bool) -> Analysis:
    """The decision from the policy's paragraph and fact probabilities (see :func:`decide`;
    ``fact_probs`` ``None``: no facts decided)."""
    labels = model.labels
    practice = [i for i, label in enumerate(labels) if label != OTHER]
    found = probs >= model.thresholds
    naming = sorted(words.labels)  # a label (see PolicyWords.labels) states no practice,
    if len(probs):  # nor do two-word lines ("Bye.", "Opt out.") on their own
        lengths = np.asarray([end - start for _, _, start, end in words.paragraphs])
        found[lengths < MIN_SENTENCE_WORDS] = False
        found[naming] = False
    present = found[:, practice].any(axis=0) if len(probs) else np.zeros(len(practice), bool)
    categories = [labels[i] for i, hit in zip(practice, present, strict=True) if hit]
    stating = np.delete(probs, naming, axis=0) if naming else probs
    best = stating.max(axis=0) if len(stating) else None
    scores = {labels[i]: round(float(best[i]), 4) if best is not None else 0.0
              for i in practice}
    stated = [] if fact_probs is None else _stated_facts(fact_probs, facts_model, all_facts)
    negated = _negated_rows(words, stated) if stated else []
    spans: list[Span] = []
    facts = [Fact(fact_id, _fact_label(fact_id), _state(rows, no), ())
             for (fact_id, rows, _), no in zip(stated, negated, strict=True)]
    body = [s for p in paragraphs if not p.is_heading for s in p.sentences]
    candidates = body or [s for p in paragraphs for s in p.sentences]
    if candidates and (categories or any(rows for _, rows, _ in stated)):
        aligned = _alignment(words, text, candidates)
        if categories:
            spans = _passages(words, probs, found, text, candidates, aligned, model,
                              sentence_model or default_sentence_model())
        if stated:
            facts = _facts_with_evidence(words, stated, negated, text, candidates, aligned)
    paragraphs_with = found.sum(axis=0)
    counts = {labels[i]: int(paragraphs_with[i]) for i in practice
              if len(probs) and labels[i] in categories}
    fact_scores = {fact_id: round(float(p[~no].max()), 4)
                   for (fact_id, rows, p), no in zip(stated, negated, strict=True)
                   if _state(rows, no) == STATED}
    return Analysis(text, list(paragraphs), categories, scores, spans, facts, counts,
                    fact_scores, language_of(words.words))


def _fact_label(fact_id: str) -> str:
    spec = SPEC_BY_ID.get(fact_id)
    return spec.label if spec else fact_id


def _state(rows: Sequence[int], negated: np.ndarray) -> str:
    """A fact's state from its sentences and which of them say "does not": stated when
    one says it does it, "says it does not" when all say it does not."""
    if not len(rows):
        return NOT_STATED
    return DOES_NOT if negated.all() else STATED


def _negated_rows(words: PolicyWords, stated: list[tuple[str, list[int], np.ndarray]]
                  ) -> list[np.ndarray]:
    """Per fact, which of its sentences say the company does not do it (the polarity
    model, :mod:`reader.analysis.polarity`, run once over all of them)."""
    asked = [(row, fact_id) for fact_id, rows, _ in stated for row in rows]
    sentences = [words.words[start:end] for start, end in
                 (words.sentences[row] for row, _ in asked)]
    verdicts = says_not(default_polarity_model(), sentences, [fact for _, fact in asked])
    found, start = [], 0
    for _, rows, _ in stated:
        found.append(verdicts[start:start + len(rows)])
        start += len(rows)
    return found


def _stated_facts(probs: np.ndarray, facts_model: FactsModel, all_facts: bool
                  ) -> list[tuple[str, list[int], np.ndarray]]:
    """Per fact: (id, the policy's sentences (indices into ``words.sentences``) that state
    it, best first, and their probabilities), from the sentences' fact probabilities
    ``probs``. A policy states a fact when a sentence of its words reaches the fact's
    threshold (:func:`reader.analysis.facts.decide_facts`)."""
    classifier = facts_model.classifier
    wanted = set(classifier.labels) if all_facts else set(facts_model.shown)
    keep = [k for k, fact_id in enumerate(classifier.labels) if fact_id in wanted]
    decided = decide_facts(probs[:, keep], classifier.thresholds[keep])
    none = probs[:0, 0]
    return [(classifier.labels[k], rows, probs[rows, k] if rows else none)
            for k, (_, rows) in zip(keep, decided, strict=True)]


def _sentence_terms(words: PolicyWords, word_terms: np.ndarray, pair_terms: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sentence, term, count) of every known n-gram of each of ``words.sentences``, as
    ``classifier.predict_ngrams([words.sentence_ngrams(s) ...])`` counts them, from the
    classifier's term numbers of each word and pair of the policy (looked up once)."""
    bounds = np.asarray(words.sentences, dtype=np.int64).reshape(-1, 2)
    lengths = bounds[:, 1] - bounds[:, 0]
    sentence_of = np.full(len(words.words) + 1, -1, dtype=np.int64)
    first_of_run = np.repeat(bounds[:, 0] - (np.cumsum(lengths) - lengths), lengths)
    sentence_of[np.arange(int(lengths.sum())) + first_of_run] = np.repeat(
        np.arange(len(bounds)), lengths)
    in_sentence = sentence_of[:-1] >= 0
    pair_inside = in_sentence[:-1] & (sentence_of[:-2] == sentence_of[1:-1])
    word_terms = word_terms[in_sentence]
    pair_terms = pair_terms[pair_inside]
    rows = np.concatenate([sentence_of[:-1][in_sentence], sentence_of[:-2][pair_inside]])
    terms = np.concatenate([word_terms, pair_terms])
    known = terms >= 0
    width = max(int(terms.max(initial=0)) + 1, 1)
    keys, counts = np.unique(rows[known] * width + terms[known], return_counts=True)
    row_ids, term_ids = np.divmod(keys, width)
    return row_ids, term_ids, counts


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated ``range(start, start + length)`` of each pair."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))


def _read_ranges(words: PolicyWords) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) rows of the words the classifier reads of each paragraph's heading and
    of the paragraph itself (the first MAX_TOKENS words of both together)."""
    spans = np.asarray(words.paragraphs, dtype=np.int64).reshape(-1, 4)
    heading_start, heading_end, start, end = spans.T
    heading_kept = np.minimum(heading_end - heading_start, MAX_TOKENS)
    kept = np.minimum(end - start, MAX_TOKENS - heading_kept)
    return (np.column_stack([heading_start, heading_start + heading_kept]),
            np.column_stack([start, start + kept]))


def _lexicon_counts(policies: Sequence[PolicyWords]) -> list[np.ndarray]:
    """Each policy's ``paragraph_lexicon_counts`` of its paragraphs as the classifier reads
    them, found in one call for all the policies (the same numbers as one at a time: no
    phrase crosses a range)."""
    if not policies:
        return []
    headings: list[np.ndarray] = [np.zeros((0, 2), dtype=np.int64)]
    paragraphs, every_word = list(headings), []
    for words in policies:
        heading, paragraph = _read_ranges(words)
        headings.append(heading + len(every_word))
        paragraphs.append(paragraph + len(every_word))
        every_word += words.words
    counts = paragraph_lexicon_counts(every_word, np.concatenate(headings),
                                      np.concatenate(paragraphs))
    ends = np.cumsum([len(words.paragraphs) for words in policies])
    return np.split(counts, ends[:-1])


def _paragraph_terms(words: PolicyWords, word_ids: np.ndarray, pair_ids: np.ndarray,
                     joint: JointTerms, lexicon_ids: np.ndarray | None = None,
                     lexicon_counts: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(paragraph, term, count) of every known n-gram of each of ``words.paragraphs``
    read with its heading, exactly as ``model.predict_ngrams([words.ngrams(p) ...])``
    counts them (the first MAX_TOKENS words of a long one), for the first model of
    ``joint`` from the joint numbers of the policy's words and pairs; with the model's
    ``lexicon_ids``, its lexicon terms too, as ``words.ngrams(p, lexicon=True)`` (their
    ``paragraph_lexicon_counts`` when already found)."""
    spans = np.asarray(words.paragraphs, dtype=np.int64).reshape(-1, 4)
    heading_start, heading_end, start, end = spans.T
    rows = np.arange(len(spans), dtype=np.int64)
    heading_range, paragraph_range = _read_ranges(words)
    heading_kept = heading_range[:, 1] - heading_start
    kept = paragraph_range[:, 1] - start
    segment_rows = np.concatenate([rows, rows])
    word_lengths = np.concatenate([heading_kept, kept])
    pair_lengths = np.maximum(word_lengths - 1, 0)
    segment_starts = np.concatenate([heading_start, start])
    # the pair across a heading and its paragraph
    across = np.flatnonzero((heading_kept > 0) & (kept > 0))
    row_ids = np.concatenate([np.repeat(segment_rows, word_lengths),
                              np.repeat(segment_rows, pair_lengths), across])
    terms = joint.numbers(np.concatenate([
        word_ids[_ranges(segment_starts, word_lengths)],
        pair_ids[_ranges(segment_starts, pair_lengths)],
        joint.pairs(word_ids[heading_end[across] - 1], word_ids[start[across]])]), 0)
    if lexicon_ids is not None:
        lexicon = (lexicon_counts if lexicon_counts is not None else
                   paragraph_lexicon_counts(words.words, heading_range, paragraph_range))
        row_ids = np.concatenate([row_ids, np.repeat(np.repeat(rows, lexicon.shape[1]),
                                                     lexicon.ravel())])
        terms = np.concatenate([terms, np.repeat(np.tile(lexicon_ids, len(rows)),
                                                 lexicon.ravel())])
    known = terms >= 0
    width = max(int(terms.max(initial=0)) + 1, 1)
    keys, counts = np.unique(row_ids[known] * width + terms[known], return_counts=True)
    row_ids, term_ids = np.divmod(keys, width)
    return row_ids, term_ids, counts


def _facts_with_evidence(words: PolicyWords, stated: list[tuple[str, list[int], np.ndarray]],
                         negated: list[np.ndarray], text: str, sentences: Sequence[Sentence],
                         aligned: tuple[np.ndarray, ...]) -> list[Fact]:
    """Each fact with its evidence: the displayed sentences that show the words of the
    sentences that state it (best first, at most MAX_EVIDENCE, each wording once); lines
    of fewer than MIN_EVIDENCE_WORDS words come after every longer sentence. A stated
    fact's sentences that say "does not" are its denials, found the same way."""
    position, first, last = aligned
    spans = np.asarray(words.sentences, dtype=np.int64).reshape(-1, 2)
    shows: dict[int, list[int]] = {}  # word sentence -> displayed sentences showing it
    has_words = last > first
    low = position[np.minimum(first, len(position) - 1)]
    high = position[np.clip(last - 1, 0, len(position) - 1)]
    low, high = np.minimum(low, high), np.maximum(low, high)
    after = np.searchsorted(spans[:, 1], low, side="right")
    until = np.searchsorted(spans[:, 0], high, side="right")
    for number in np.flatnonzero(has_words):
        for unit in range(int(after[number]), int(until[number])):
            shows.setdefault(unit, []).append(int(number))

    def evidence_of(rows: Sequence[int], scores: np.ndarray) -> tuple[Evidence, ...]:
        found: list[Evidence] = []
        seen: set[int] = set()
        quoted: set[str] = set()  # a sentence the policy repeats (an FAQ) is quoted once
        for unit, score in zip(rows, scores, strict=True):
            for number in shows.get(unit, ()):
                sentence = sentences[number]
                said = " ".join(text[sentence.start:sentence.end].split())
                if number not in seen and said not in quoted:
                    seen.add(number)
                    quoted.add(said)
                    found.append(Evidence(sentence.start, sentence.end,
                                          round(float(score), 4), sentence.paragraph))
        # Whole sentences before short lines (a lead-in "Cookies.", a title "Contact Us",
        # a list item "Email address"): the reader is shown a sentence that states the fact.
        found.sort(key=lambda e: len(text[e.start:e.end].split()) < MIN_EVIDENCE_WORDS)
        evidence = found[:MAX_EVIDENCE]
        if len(rows) and not evidence:  # its words show in no sentence alone: the nearest
            number = int(np.argmin(np.abs(low - spans[rows[0], 0])))
            sentence = sentences[number]
            evidence.append(Evidence(sentence.start, sentence.end, round(float(scores[0]), 4),
                                     sentence.paragraph))
        return tuple(evidence)

    facts = []
    for (fact_id, rows, scores), no in zip(stated, negated, strict=True):
        state = _state(rows, no)
        rows = np.asarray(rows, dtype=np.int64)
        if state == DOES_NOT:
            evidence, denials = evidence_of(rows, scores), ()
        else:
            evidence = evidence_of(rows[~no], scores[~no]) if len(rows) else ()
            denials = evidence_of(rows[no], scores[no]) if no.any() else ()
            denials = tuple(d for d in denials if d not in evidence)
        facts.append(Fact(fact_id, _fact_label(fact_id), state, evidence, denials))
    return facts


def _passages(words: PolicyWords, probs: np.ndarray, found: np.ndarray, text: str,
              candidates: Sequence[Sentence], aligned: tuple[np.ndarray, ...],
              model: PracticeModel, sentence_model: PracticeModel | None) -> list[Span]:
    """Sentences of the displayed text highlighted for their paragraph's categories
    (``probs``: the paragraphs' probabilities, ``found``: their categories)."""
    labels = model.labels
    owner = _paragraphs_of(words, aligned)
    reader = sentence_model or model
    sprobs = reader.predict([text[s.start:s.end] for s in candidates])
    if sentence_model is not None:
        sthresholds = sentence_model.thresholds
    else:
        sthresholds = model.thresholds * SENTENCE_SUPPORT
    long_enough = np.asarray([len(text[s.start:s.end].split()) >= MIN_SENTENCE_WORDS
                              for s in candidates])
    # sentence -> {label: (confident, score)}
    chosen: dict[int, dict[int, tuple[bool, float]]] = {}
    by_paragraph: dict[int, list[int]] = {}
    for number, unit in enumerate(owner):
        by_paragraph.setdefault(unit, []).append(number)
    owners = np.asarray(owner)
    section = _sections_of(words)
    for unit in np.flatnonzero(found[:, [i for i, x in enumerate(labels) if x != OTHER]]
                               .any(axis=1)):
        if int(unit) not in by_paragraph:  # its words show nowhere alone (a heading not
            # written with "#", say): the nearest sentence of its section, so that a
            # section read alone (the history chart) gets the same passage.
            distance = np.abs(owners - unit)
            same = section[owners] == section[unit]
            nearest = int(np.argmin(np.where(same, distance, distance + len(section) + 1)))
            by_paragraph[int(unit)] = [nearest]
    for unit, members in by_paragraph.items():
        members_array = np.asarray(members)
        eligible = members_array[long_enough[members_array]]
        if not len(eligible):
            eligible = members_array
        for i in np.flatnonzero(found[unit]):
            if labels[i] == OTHER:
                continue
            score = (sentence_scores(sprobs[eligible], probs[unit][None, :])[:, i]
                     if sentence_model else sprobs[eligible, i])
            hits = eligible[score >= sthresholds[i]]
            for j, value in zip(hits, score[score >= sthresholds[i]], strict=True):
                chosen.setdefault(int(j), {})[i] = (True, float(value))
            if not len(hits):
                best = int(np.argmax(score))
                chosen.setdefault(int(eligible[best]), {})[i] = (False, float(score[best]))
    spans = []
    for j in sorted(chosen, key=lambda j: (candidates[j].start, candidates[j].end)):
        cats = sorted(chosen[j], key=lambda i: (-chosen[j][i][1], i))
        sentence = candidates[j]
        spans.append(Span(sentence.start, sentence.end, tuple(labels[i] for i in cats),
                          tuple(round(chosen[j][i][1], 4) for i in cats),
                          sentence.paragraph, tuple(chosen[j][i][0] for i in cats)))
    return spans


def sentence_scores(sentence_probs: np.ndarray, paragraph_probs: np.ndarray) -> np.ndarray:
    """How strongly each sentence states each category, from the sentence model's outputs
    (n, k or 2k) and its paragraph's probabilities (n or 1, k). The first head reads "does
    this sentence state c, given that its paragraph does": times the paragraph's
    probability, the sentence's own. The second head (learnt on every sentence, when the
    model has it) weighs in with its square root: it knows sentences that state another
    practice."""
    labels = paragraph_probs.shape[1]
    score = sentence_probs[:, :labels] * paragraph_probs
    if sentence_probs.shape[1] >= 2 * labels:
        score = score * np.sqrt(sentence_probs[:, labels:2 * labels])
    return score


def _alignment(words: PolicyWords, text: str, sentences: Sequence[Sentence]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where displayed sentences lie in the source's words: ``(position, first, last)``,
    ``position[t]`` the source word of displayed word ``t``, and each sentence's displayed
    words ``first[i]:last[i]``. Displayed words are aligned with the source's words (the
    same in most policies; markup can differ)."""
    # A Python loop keeping strings and ints, not list(TOKEN.finditer(text)): list()
    # drains the iterator in one C call holding the GIL (1.3 s on a 3.8 MB policy), and
    # 600,000 live match objects make garbage collection pause for 100+ ms; either
    # freezes the window while a worker opens a big policy.
    displayed: list[str] = []
    offsets = array("q")
    for match in TOKEN.finditer(text):
        displayed.append(match.group())
        offsets.append(match.start())
    shown = lowercase(displayed)
    position = _aligned_positions(shown, words.words)
    if not len(position):
        position = np.zeros(1, dtype=np.int64)
    starts = np.array(offsets, dtype=np.int64)
    first = np.searchsorted(starts, [s.start for s in sentences])
    last = np.searchsorted(starts, [s.end for s in sentences])
    return position, first, last


def _paragraph_of_sentences(words: PolicyWords, text: str,
                            sentences: Sequence[Sentence]) -> list[int]:
    """For each displayed sentence, the classified paragraph whose words it shows."""
    return _paragraphs_of(words, _alignment(words, text, sentences))


def _sections_of(words: PolicyWords) -> np.ndarray:
    """For each classified paragraph, the number of its section: the paragraphs under one
    ``#`` heading (what :func:`reader.analysis.timeline.sections` reads alone)."""
    headings = np.asarray([p[:2] for p in words.paragraphs], dtype=np.int64).reshape(-1, 2)
    changed = np.r_[True, (headings[1:] != headings[:-1]).any(axis=1)] if len(headings) \
        else np.zeros(0, dtype=bool)
    return np.cumsum(changed)


def _paragraphs_of(words: PolicyWords, aligned: tuple[np.ndarray, ...]) -> list[int]:
    """For each displayed sentence (see :func:`_alignment`), the classified paragraph
    (index into ``words.paragraphs``) whose words it shows; a sentence whose words lie in
    no paragraph (a heading, say) goes to the nearest paragraph after it in its section
    (else the one before), as it does when its section is read alone."""
    position, first, last = aligned
    middle = np.minimum((first + np.maximum(last - 1, first)) // 2, len(position) - 1)
    where = position[middle]
    heading_starts = np.asarray([p[0] for p in words.paragraphs], dtype=np.int64)
    paragraph_starts = np.asarray([p[2] for p in words.paragraphs], dtype=np.int64)
    paragraph_ends = np.asarray([p[3] for p in words.paragraphs], dtype=np.int64)
    last_unit = len(paragraph_starts) - 1
    unit = np.searchsorted(paragraph_starts, where, side="right") - 1
    outside = (unit < 0) | (where >= paragraph_ends[np.maximum(unit, 0)])
    # The next paragraph sits under a "#" heading that starts after the sentence: it is
    # in the next section, so the sentence stays with the paragraph before.
    after = np.minimum(unit + 1, last_unit)
    next_section = (unit >= 0) & (unit < last_unit) & (heading_starts[after] > where)
    unit = np.where(outside & ~next_section, unit + 1, unit)
    return np.clip(unit, 0, last_unit).tolist()


ALIGN_CHUNK = 2000  # displayed words per difflib call: bounds its quadratic cost
ALIGN_SLACK = 1000  # extra source words a call may look at (markup adds source words)


def _aligned_positions(shown: list[str], source: list[str]) -> np.ndarray:
    """For each displayed word, the index of the source word it corresponds to.

    difflib aligns a window of displayed words at a time and keeps what ends in the
    window's last match, so time grows with the policy's length, not its square (1 MB:
    25 s -> 0.5 s; the same sentence-to-paragraph mapping on every real policy checked)."""
    if shown == source:
        return np.arange(len(shown))
    n, m = len(shown), len(source)
    position = np.zeros(n, dtype=np.int64)
    head = 0  # the common beginning and end need no matching
    while head < min(n, m) and shown[head] == source[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and shown[-1 - tail] == source[-1 - tail]:
        tail += 1
    position[:head] = np.arange(head)
    if tail:
        position[n - tail:] = np.arange(m - tail, m)
    i, j, i_end, j_end = head, head, n - tail, m - tail
    while i < i_end:
        window = shown[i:min(i + ALIGN_CHUNK, i_end)]
        candidates = source[j:min(j + ALIGN_CHUNK + ALIGN_SLACK, j_end)]
        opcodes = difflib.SequenceMatcher(None, window, candidates).get_opcodes()
        if i + len(window) < i_end:  # not the last window: keep what ends in its last match
            equal = [k for k, op in enumerate(opcodes) if op[0] == "equal"]
            if equal:
                opcodes = opcodes[:equal[-1] + 1]
        _place_aligned(position, opcodes, i, j, m)
        i_step, j_step = opcodes[-1][2], opcodes[-1][4]
        if i_step == 0:  # nothing kept: spread the window over its candidates
            i_step, j_step = len(window), min(len(window), len(candidates))
            spread = j + np.arange(i_step) * max(len(candidates), 1) // i_step
            position[i:i + i_step] = np.minimum(spread, max(m - 1, 0))
        i, j = i + i_step, j + j_step
    return position


def _place_aligned(position: np.ndarray, opcodes: list, i0: int, j0: int,
                   source_len: int) -> None:
    """Write difflib's ``opcodes`` (relative to ``i0``/``j0``) into ``position``."""
    for tag, i1, i2, j1, j2 in opcodes:
        i1, i2, j1, j2 = i1 + i0, i2 + i0, j1 + j0, j2 + j0
        if tag == "equal":
            position[i1:i2] = np.arange(j1, j2)
        elif tag == "replace":
            position[i1:i2] = j1 + (np.arange(i2 - i1) * (j2 - j1)) // max(i2 - i1, 1)
        elif tag == "delete":
            position[i1:i2] = min(j1, max(source_len - 1, 0))


def analyze_policy(body: str, document: Document | None = None, facts: bool = True
                   ) -> Analysis:
    """The decision for a policy's markdown ``body``; offsets refer to its rendered text
    (``facts``: see :func:`decide`)."""
    document = document or parse_policy(body)
    return decide(body, document.text, segment(document), facts=facts)


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


def analyze_text(text: str, model: PracticeModel | None = None,
                 sentence_model: PracticeModel | None = None) -> Analysis:
    """The decision for plain text (the ``classify --jsonl`` contract); offsets refer to
    ``text``."""
    return decide(text, text, plain_paragraphs(text), model, sentence_model)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
# A line break before a table row or a list item (where a chunk is cut into paragraphs).
_ITEM_START = re.compile(r"\n(?=\s{0,3}(?:\||[-*+]\s|\d{1,3}[.)]\s))")


@dataclass
class PolicyWords:
    """A policy's words, tokenised once for both the search index and the classifier.

    ``words`` are the lowercased words of the markdown in reading order (markup and link
    targets dropped, as the index reads them); ``pairs[i]`` is ``words[i] + " " +
    words[i + 1]``. Each paragraph is a range of ``words`` with the range of the heading
    it sits under (empty when there is none). ``sentences`` are ranges of ``words``: the
    sentences of the paragraphs (not headings), as the facts are decided on them.
    """

    words: list[str]
    paragraphs: list[tuple[int, int, int, int]]  # heading start, end; paragraph start, end
    sentences: list[tuple[int, int]] = field(default_factory=list)
    # Paragraphs that name rather than state: an entry of a table of contents (see
    # :func:`is_contents_entry`), a table's header row and a heading written in bold (see
    # :func:`is_bold_heading`). Read for the search index, but they state no practice.
    labels: frozenset[int] = frozenset()

    @cached_property
    def pairs(self) -> list[str]:
        """Made when first asked for: the classifiers find pairs from their words' numbers
        (:class:`reader.analysis.classifier.JointTerms`)."""
        return word_pairs(self.words)

    def sentence_ngrams(self, sentence: tuple[int, int]) -> list[str]:
        """The n-grams of a sentence, as the classifier reads the sentence's text."""
        start, end = sentence
        end = min(end, start + MAX_TOKENS)
        return self.words[start:end] + self.pairs[start:max(start, end - 1)]

    def ngrams(self, paragraph: tuple[int, int, int, int], lexicon: bool = False
               ) -> list[str]:
        """The classifier's n-grams of a paragraph read with its heading (and its lexicon
        terms, for a model trained with them: see :mod:`reader.analysis.lexicon`)."""
        words, pairs = self.words, self.pairs
        heading_start, heading_end, start, end = paragraph
        extra = []
        if lexicon:
            heading_kept = min(heading_end - heading_start, MAX_TOKENS)
            kept = min(end - start, MAX_TOKENS - heading_kept)
            extra = terms_of_counts(paragraph_lexicon_counts(
                words, [(heading_start, heading_start + heading_kept)],
                [(start, start + kept)])[0])
        if heading_end - heading_start + end - start > MAX_TOKENS:
            return ngrams((words[heading_start:heading_end]
                           + words[start:end])[:MAX_TOKENS]) + extra
        grams = words[heading_start:heading_end] + words[start:end]
        grams += pairs[heading_start:max(heading_start, heading_end - 1)]
        if heading_end > heading_start and end > start:
            grams.append(f"{words[heading_end - 1]} {words[start]}")
        grams += pairs[start:max(start, end - 1)]
        return grams + extra


# A line that is only a link within the page: a list item's mark or a number, emphasis,
# "[text](#anchor)", and at most a comma or semicolon after it.
_ITEM_MARK = r"\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?"  # a list item's mark or number, if any
_CONTENTS_ENTRY = re.compile(
    _ITEM_MARK + r"(?:\*\*|__|\*|_)?\[(?P<text>[^\[\]\n]+)\]"
    r"\(#[^()\s]*\)(?:\*\*|__|\*|_)?\s*[,;]?\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def is_contents_entry(piece: str) -> bool:
    """Whether a paragraph (a list item, a line) is an entry of a table of contents: only
    a link within the page whose text is a title, not a sentence ("Retention of Your
    Information", not "We collect minimal information about you."). Such an entry names
    a section; it states no practice (WhatsApp's privacy policy opened on five
    highlighted entries of its contents)."""
    if "](#" not in piece:
        return False
    match = _CONTENTS_ENTRY.fullmatch(piece)
    return match is not None and _SENTENCE_END.search(match.group("text")) is None


# A line written all in bold (or in a list item's mark): "**Third Party Advertising**".
_BOLD_LINE = re.compile(_ITEM_MARK + r"(\*\*|__)(?P<text>[^*_\n]+?)\1\s*[:.]?\s*")
MAX_BOLD_HEADING_WORDS = 10
_STATING_SUBJECTS = frozenset({"we", "you", "they", "it", "i"})


def is_bold_heading(piece: str) -> bool:
    """Whether a paragraph is a heading written in bold rather than with "#": all in bold,
    at most :data:`MAX_BOLD_HEADING_WORDS` words, and a title (every word of four letters
    or more capitalised: "Information We Retain After Your Account is Deleted.") or no
    sentence (no full stop at its end, and not "We ..." or "You ...": "How we protect
    your information", not "We do not sell your data"). It names what follows; it states
    no practice (600 of 22,153 passages in ../shared/corpus and the PGA bundle were in
    lines all in bold, most of them such headings: "Information Collection and Use",
    "CREDIT CARD SECURITY")."""
    if "**" not in piece and "__" not in piece:
        return False
    match = _BOLD_LINE.fullmatch(piece)
    if match is None:
        return False
    text = match.group("text").strip()
    words = TOKEN.findall(text)
    if not words or len(words) > MAX_BOLD_HEADING_WORDS:
        return False
    titled = all(word[0].isupper() or word[0].isdigit() for word in words if len(word) >= 4)
    if titled:
        return True
    # A full stop, or a subject that states ("We do not sell your data"), makes a sentence.
    return not (text.endswith(".") or piece.rstrip().endswith(".")
                or words[0].lower() in _STATING_SUBJECTS)


def _chunk_pieces(chunk: str) -> list[str]:
    """A chunk's paragraphs as the viewer shows them: each table row and list item is one
    of its own, the rows of a table written without edge pipes ("A | B" over "---|---",
    apple.com's contacts) too."""
    if "|" in chunk and "\n" in chunk:
        lines = chunk.split("\n")
        for i in range(len(lines) - 1):
            if "|" in lines[i] and _document._starts_bare_table(lines, i):
                end = _document._rows_end(lines, i + 2, True)
                before, after = "\n".join(lines[:i]), "\n".join(lines[end:])
                return [*(_chunk_pieces(before) if before.strip() else []), *lines[i:end],
                        *(_chunk_pieces(after) if after.strip() else [])]
    return _ITEM_START.split(chunk) if _ITEM_START.search(chunk) else [chunk]


def _header_rows(pieces: list[str]) -> set[int]:
    """Which of a chunk's pieces are a table's header row: a row over the table's rule, in
    a run of rows that reads as a table (the remnant of a layout table is read as text,
    its first row a paragraph like the others)."""
    found = set()
    for number in range(len(pieces) - 1):
        if "|" in pieces[number] and _document._is_rule(pieces[number + 1]):
            end = number + 2
            while end < len(pieces) and "|" in pieces[end]:
                end += 1
            if _document._is_table(pieces[number:end]):
                found.add(number)
    return found


def policy_words(markdown_body: str) -> PolicyWords:
    """Tokenise a policy's markdown once (see :class:`PolicyWords`)."""
    found: list[str] = []
    paragraphs = []
    sentences: list[tuple[int, int]] = []
    labels: list[int] = []
    heading = (0, 0)
    for chunk in _BLANK_LINES.split(markdown_body):
        if not chunk.strip():
            continue
        if _HEADING.match(chunk.strip()):
            start = len(found)
            found += TOKEN.findall(index_text(chunk))
            heading = (start, len(found))
            continue
        # Each table row and list item is a paragraph of its own, as the viewer shows it.
        pieces = _chunk_pieces(chunk) if "|" in chunk or _ITEM_START.search(chunk) else (chunk,)
        headers = _header_rows(pieces) if "|" in chunk else ()
        for number, piece in enumerate(pieces):
            start = len(found)
            _add_sentences(index_text(piece), found, sentences)
            if len(found) > start:
                if number in headers or is_contents_entry(piece) or is_bold_heading(piece):
                    labels.append(len(paragraphs))
                paragraphs.append((*heading, start, len(found)))
    words = lowercase(found)
    return PolicyWords(words, paragraphs, sentences, frozenset(labels))


_WORD_CHARACTER = re.compile(r"\w")
_SOFT_LINE_BREAK = re.compile(r"(?<!  )(?<!\\)\n")  # a break after two spaces or \\ is hard


ABBREVIATION_CHARS = 12  # longer than any abbreviation segment._ABBREVIATIONS knows


_AFTER_MARK = "[\"'”’)\\]]*\\s+(?=[A-Z0-9\"“'(\\[•·-])"
# The matches of segment._SENTENCE_END, each with the mark before it (. ! ?) when it has
# one: every branch starts with one character, so the regular expression engine skips
# to the next candidate at once instead of trying the look-behind at every character
# (4.5x faster; tests/test_index_work.py checks they match alike).
_SENTENCE_BREAK = re.compile(f"\\.{_AFTER_MARK}|!{_AFTER_MARK}|\\?{_AFTER_MARK}|\\n\\n*")


def _sentence_cuts(clean: str) -> list[int]:
    """Where the sentences of :func:`reader.analysis.segment.sentence_bounds` start (and
    the text's end), found without trimming each sentence; a cut is never inside a word."""
    cuts = [0]
    start = 0
    for match in _SENTENCE_BREAK.finditer(clean):
        found = match.group()
        # _SENTENCE_END's match starts after the mark that ends the sentence
        begins, found = (match.start(), found) if found[0] == "\n" else \
            (match.start() + 1, found[1:])
        # An abbreviation ends the text before the break: its last ABBREVIATION_CHARS
        # characters are enough (the characters before them still count for \b).
        if found.strip("\n") and _ABBREVIATIONS.search(
                clean, max(start, begins - ABBREVIATION_CHARS), begins):
            continue
        start = match.end()
        cuts.append(start)
    cuts.append(len(clean))
    if any(end - begin > MAX_SENTENCE_CHARS for begin, end in pairwise(cuts)):
        cuts = [0] + [begin for begin, _ in sentence_bounds(clean)[1:]] + [len(clean)]
        for number in range(1, len(cuts) - 1):  # a long word cut in two: cut after it
            cut = max(cuts[number], cuts[number - 1])
            while (cut < len(clean) and _WORD_CHARACTER.match(clean, cut)
                   and _WORD_CHARACTER.match(clean, cut - 1)):
                cut += 1
            cuts[number] = cut
    return cuts


def _add_sentences(clean: str, found: list[str], sentences: list[tuple[int, int]]) -> None:
    """Append a paragraph's words to ``found`` and their sentences (ranges of ``found``)
    to ``sentences``. The words are exactly ``TOKEN.findall(clean)``: a sentence cut
    inside a word (a very long one) is moved to the word's end. Sentences end where the
    viewer's do: soft line breaks join lines, emphasis marks are not text."""
    if "*" in clean:
        clean = clean.replace("*", " ")
    if "\n" in clean:
        clean = _SOFT_LINE_BREAK.sub(" ", clean)
    if clean.isascii():  # \w is [A-Za-z0-9_] there: split where the rest became spaces
        spaced = clean.encode("ascii").translate(_ASCII_NOT_WORD).decode("ascii")

        def words_between(cut_start: int, cut_end: int) -> list[str]:
            return spaced[cut_start:cut_end].split()
    else:
        def words_between(cut_start: int, cut_end: int) -> list[str]:
            return TOKEN.findall(clean, cut_start, cut_end)
    for cut_start, cut_end in pairwise(_sentence_cuts(clean)):
        start = len(found)
        found += words_between(cut_start, cut_end)
        if len(found) > start:
            sentences.append((start, len(found)))


# ASCII bytes: word characters (TOKEN's \w) kept, every other one a space (2x faster
# than the regular expression on the 80% of paragraphs that are ASCII)
_ASCII_NOT_WORD = bytes(code if chr(code).isalnum() or code == ord("_") else ord(" ")
                        for code in range(128)) + b" " * 128


def lowercase(words: list[str]) -> list[str]:
    """The words lowercased one by one (as Whoosh's LowercaseFilter does), fast: one
    lower() over the joined words; words hold no spaces and lowercasing makes none, so the
    split gives back the same words. In slices of words (:mod:`reader.slices`)."""
    lowered: list[str] = []
    for start, end in item_ranges(len(words)):
        lowered += " ".join(words[start:end]).lower().split(" ")
    return lowered


def word_pairs(words: list[str]) -> list[str]:
    """``words[i] + " " + words[i + 1]`` for each i, built in slices (:mod:`reader.slices`)."""
    pairs: list[str] = []
    for start, end in item_ranges(max(len(words) - 1, 0)):
        pairs += map(" ".join, pairwise(words[start:end + 1]))
    return pairs


def policy_categories(markdown_body: str | PolicyWords, model: PracticeModel | None = None
                      ) -> list[str]:
    """A policy's categories as :func:`decide` finds them (no rendering, no sentences):
    the search index's ``category`` field."""
    return decide(markdown_body, model=model).categories


def highlight_text_colour(dark_theme: bool = False) -> str:
    """Text colour on highlights in either theme: black (the palette keeps at least 4.5:1
    contrast with it; see resources/categories.json)."""
    del dark_theme  # the dark theme's highlights are dimmed marker colours, text stays black
    return "#000000"


def highlight_marks(analysis: Analysis, visible: set[str] | None = None,
                    dark_theme: bool | HighlightLook = False,
                    confident_only: bool = False) -> list[Mark]:
    """Styled marks for the spans whose categories are visible (first visible one wins), in
    the tint of ``dark_theme`` (a :class:`HighlightLook`, or just the theme);
    ``confident_only`` leaves out passages that are not confident for any of them."""
    look = as_look(dark_theme)
    marks = []
    for number, span in enumerate(analysis.spans):
        shown = [c for c in span.categories if (visible is None or c in visible)
                 and (not confident_only or span.is_confident(c))]
        if not shown:
            continue
        colour = highlight_colour(shown[0], look)
        style = f"background-color:{colour};color:{text_colour_on(colour)}"
        marks.append(Mark(span.start, span.end, style, f"s{number}"))
    return marks
