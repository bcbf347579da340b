"""Lexicon terms: made-up terms for the phrases of a small hand-written lexicon, added to
a paragraph's n-grams before the paragraph model reads them.

The rare categories are stated in many wordings that each occur too seldom in OPP-115 to
be learnt as n-grams ("30 days", "six months", "as long as necessary", "purge", "opt
out", "unsubscribe"). Each lexicon pools its wordings into one term, counted once for
each word where one of its phrases starts: ``<duration>`` (a stated period),
``<retain>`` (keeping and deleting), ``<access>`` (seeing and editing one's data),
``<choice>`` (opting out, preferences); and ``<duration+retain>`` once when a text has
both a period and a retention word. The terms are ordinary TF-IDF terms of the model;
they never collide with a word (a word holds no ``<``). Measured in docs/EVALUATION.md
(issue 13).

Phrases are found on the words alone (each distinct word's flags once, then numpy over
the word positions), so one call counts any number of texts: :func:`unit_lexicon_counts`
counts each (start, end) range of a word list (a policy's headings and paragraphs, or the
texts of a batch), and a phrase never crosses from one range into the next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat

import numpy as np

LEXICONS = ("<duration>", "<retain>", "<access>", "<choice>")
BOTH = "<duration+retain>"
LEXICON_TERMS: tuple[str, ...] = (*LEXICONS, BOTH)
_DURATION, _RETAIN, _ACCESS, _CHOICE = range(4)

# Word classes: a word's flags are the classes whose pattern it matches whole.
_CLASSES = {
    "number": r"\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
              r"fifteen|eighteen|twenty|thirty|forty|sixty|ninety|several|few",
    "unit": r"days?|weeks?|months?|years?",
    "needed": r"necessary|needed|required|reasonably|permitted|appropriate|active",
    "span": r"period|duration|time",
    "retain": r"retain\w*|retention|keep|keeps|kept|keeping|stor(?:e|es|ed|ing|age)|"
              r"delet(?:e|es|ed|ing|ion)|destr(?:oy|oys|oyed|oying|uction)|"
              r"purg(?:e|es|ed|ing)|eras(?:e|es|ed|ing|ure)|"
              r"anonymi[sz](?:e|es|ed|ing|ation)|archiv(?:e|es|ed|ing)|dispos(?:e|al)|"
              r"expir(?:e|es|ed|y|ation)",
    "identif": r"identif\w*",
    "access": r"access|update|updating|correct|correcting|correction|review|edit|modify|"
              r"amend|rectif\w*|download|deactivate|profile",
    "choice": r"unsubscribe\w*|preferences?|choose|choice|withdraw\w*|consent|settings|"
              r"disable",
    "out_in": r"out|in",
}
# Words that take part in phrases only as themselves.
_PHRASE_WORDS = ("as", "long", "for", "a", "the", "period", "of", "time", "no", "longer",
                 "than", "indefinitely", "until", "you", "de", "copy", "delete", "close",
                 "your", "account", "settings", "opt", "opting", "out", "do", "not", "wish")
_BIT = {name: 1 << number for number, name in
        enumerate([*_CLASSES, *(f"={word}" for word in _PHRASE_WORDS), "word"])}
_MATCHERS = [(re.compile(f"(?:{pattern})"), _BIT[name]) for name, pattern in _CLASSES.items()]
_FLAGS: dict[str, int] = {}
_MAX_KEPT_WORDS = 200_000  # the flags of this many distinct words are kept between calls


def _flags_of(word: str) -> int:
    flags = _BIT["word"] | _BIT.get(f"={word}", 0)
    for matcher, bit in _MATCHERS:
        if matcher.fullmatch(word):
            flags |= bit
    return flags


def word_flags(words: Sequence[str]) -> np.ndarray:
    """Each word's class flags (every word has the bit ``word``)."""
    flags = np.fromiter(map(_FLAGS.get, words, repeat(-1)), dtype=np.int64, count=len(words))
    unknown = np.flatnonzero(flags < 0)
    if len(unknown):
        if len(_FLAGS) > _MAX_KEPT_WORDS:
            _FLAGS.clear()
        for position in unknown:
            word = words[position]
            flags[position] = _FLAGS[word] = _FLAGS.get(word) or _flags_of(word)
    return flags


def _steps(phrase: str) -> list[tuple[int, bool]]:
    """A phrase's steps: space-separated class names, ``=word`` or ``*`` (any word), each
    with ``?`` when it may be left out (then the next step must match at once)."""
    return [(_BIT["word" if step.rstrip("?") == "*" else step.rstrip("?")], step.endswith("?"))
            for step in phrase.split()]


def _phrase_starts(flags: np.ndarray, candidates: np.ndarray, steps: list[tuple[int, bool]]
                   ) -> np.ndarray:
    """The candidates (positions in ``flags``, which ends with at least 8 words of no
    class) where the phrase of these steps starts; the first step is never optional."""
    first_bit = steps[0][0]
    starts = candidates[flags[candidates] & first_bit != 0]
    reached = starts + 1  # the position after the words matched so far
    for bit, optional in steps[1:]:
        matched = flags[reached] & bit != 0
        if optional:
            starts = np.concatenate([starts, starts[matched]])
            reached = np.concatenate([reached, reached[matched] + 1])
        else:
            starts, reached = starts[matched], reached[matched] + 1
    return starts


_PHRASES = {
    _DURATION: ["number *? unit", "=as =long =as *? *? needed",
                "=for =a span", "=for =the span", "=for =a * span", "=for =the * span",
                "=period =of =time", "=no =longer =than", "=indefinitely", "=until =you"],
    _RETAIN: ["retain", "=de identif"],
    _ACCESS: ["access", "=copy =of", "=delete =your", "=close =your", "=your =account",
              "=account =settings"],
    _CHOICE: ["choice", "=opt out_in", "=opting =out", "=do =not =wish", "=no =longer =wish"],
}
_STEPS = {lexicon: [_steps(phrase) for phrase in phrases]
          for lexicon, phrases in _PHRASES.items()}
_FIRST_BITS = int(np.bitwise_or.reduce([steps[0][0] for all_steps in _STEPS.values()
                                        for steps in all_steps]))


def unit_lexicon_counts(words: Sequence[str], units: Sequence[tuple[int, int]]
                        ) -> np.ndarray:
    """(len(units), len(LEXICONS)): in each (start, end) range of ``words``, the number of
    words where a phrase of each lexicon starts and that lies whole in the range (a word
    starting phrases of one lexicon counts once)."""
    bounds = np.asarray(units, dtype=np.int64).reshape(-1, 2)
    counts = np.zeros((len(bounds), len(LEXICONS)), dtype=np.int64)
    lengths = np.maximum(bounds[:, 1] - bounds[:, 0], 0)
    if not lengths.sum():
        return counts
    # The ranges' words one after the other, each range followed by a word of no class,
    # so that no phrase crosses from one range into the next.
    gaps = lengths + 1
    first = np.cumsum(gaps) - gaps  # where each range starts among the gathered words
    gathered = np.zeros(int(gaps.sum()) + 8, dtype=np.int64)
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    gathered[np.repeat(first, lengths) + within] = \
        word_flags(words)[np.repeat(bounds[:, 0], lengths) + within]
    unit_of = np.repeat(np.arange(len(bounds)), gaps)
    candidates = np.flatnonzero(gathered & _FIRST_BITS)
    started = np.zeros(len(gathered), dtype=bool)
    for lexicon, all_steps in _STEPS.items():
        started[:] = False
        for steps in all_steps:
            started[_phrase_starts(gathered, candidates, steps)] = True
        counts[:, lexicon] = np.bincount(unit_of[started[:len(unit_of)]],
                                         minlength=len(bounds))
    return counts


def with_both(counts: np.ndarray) -> np.ndarray:
    """The counts with a last column: 1 where a text has a period and a retention word."""
    both = (counts[:, _DURATION] > 0) & (counts[:, _RETAIN] > 0)
    return np.column_stack([counts, both.astype(np.int64)])


def text_lexicon_counts(texts_tokens: Sequence[Sequence[str]]) -> np.ndarray:
    """(texts, len(LEXICON_TERMS)): the lexicon terms of each text's tokens."""
    lengths = np.fromiter(map(len, texts_tokens), dtype=np.int64, count=len(texts_tokens))
    ends = np.cumsum(lengths)
    words = [word for tokens in texts_tokens for word in tokens]
    return with_both(unit_lexicon_counts(words, np.column_stack([ends - lengths, ends])))


def lexicon_terms(tokens: Sequence[str]) -> list[str]:
    """The lexicon terms of one text's words (lowercased tokens), e.g. ``["<duration>",
    "<retain>", "<duration+retain>"]`` for "we retain it for 30 days"."""
    return terms_of_counts(text_lexicon_counts([tokens])[0])


def paragraph_lexicon_counts(words: Sequence[str], headings: np.ndarray,
                             paragraphs: np.ndarray) -> np.ndarray:
    """(paragraphs, len(LEXICON_TERMS)): the lexicon terms of each paragraph read with its
    heading: (start, end) rows of ``words`` for each paragraph's heading (empty: none) and
    for the paragraph itself. The phrases of both, as :func:`lexicon_terms` counts them in
    each alone (none crosses from the heading into the paragraph), and ``BOTH`` once when
    the two together have a period and a retention word."""
    headings = np.asarray(headings, dtype=np.int64).reshape(-1, 2)
    paragraphs = np.asarray(paragraphs, dtype=np.int64).reshape(-1, 2)
    keys = headings[:, 0] * (len(words) + 1) + headings[:, 1]
    keys, first, row_of = np.unique(keys, return_index=True, return_inverse=True)
    distinct = headings[first]
    counts = unit_lexicon_counts(words, np.concatenate([distinct, paragraphs]))
    result = counts[len(distinct):] + counts[:len(distinct)][row_of.reshape(-1)]
    return with_both(result)


def terms_of_counts(counts: np.ndarray) -> list[str]:
    """One row of lexicon term counts as terms (each repeated count times)."""
    return [term for term, count in zip(LEXICON_TERMS, counts, strict=True)
            for _ in range(int(count))]
