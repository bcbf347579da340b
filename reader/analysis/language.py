"""Which language a policy is written in, told from its commonest words.

The practice and facts models learnt from English policies (OPP-115). On a policy in
French or German they still find a few English-looking words, so its panel would show a
handful of categories and "not stated" facts that mean nothing; the app says so instead of
letting a reader trust them. Function words tell languages apart reliably on a few hundred
words; only words that belong to one of the languages below are listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

ENGLISH = "en"


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# The most frequent function words of each language that no other language here shares
# (French "de" is also Spanish and Dutch, "die" is German and Dutch: left out).
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    ENGLISH: _words("the and of to you your we our that is for with this are be by will "
                    "may not which have it us when such these from"),
    "fr": _words("les des et vous vos nous notre nos est pour dans avec sur une sont aux "
                 "ces cette pas votre leurs être ou peuvent données"),
    "de": _words("der und sie ihre wir unsere ist für mit auf werden von zu dem nicht "
                 "oder eine einer bei sich auch wenn können ihrer daten"),
    "es": _words("los las el y usted sus nuestros nuestra nuestro para del datos "
                 "podemos cuando puede información su"),
    "it": _words("il gli della delle dei di che per sono nostro nostri questo questa "
                 "dati nel alla tuoi"),
    "nl": _words("het een van wij onze uw zijn voor worden deze gegevens niet wordt "
                 "kunnen"),
    "pt": _words("os da dos você seus suas nós nossa nosso uma não são dados pelo "
                 "pela"),
}
LANGUAGE_NAMES = {ENGLISH: "English", "fr": "French", "de": "German", "es": "Spanish",
                  "it": "Italian", "nl": "Dutch", "pt": "Portuguese"}
MIN_FUNCTION_WORDS = 20  # fewer than this: too little text to tell (taken as English)


_LANGUAGE_OF_WORD = {word: language for language, known in FUNCTION_WORDS.items()
                     for word in known}


def function_word_hits(words: Sequence[str]) -> Counter:
    """Language code -> how many of ``words`` (lowercased) are its function words. The hits
    of a text's parts add up to the text's (a long history counts each distinct part once)."""
    hits = Counter(map(_LANGUAGE_OF_WORD.get, words))
    hits.pop(None, None)
    return hits


def language_of(words: Sequence[str]) -> str:
    """The language (a code of :data:`FUNCTION_WORDS`) whose function words are the most
    frequent among ``words`` (lowercased), English unless another one's are more frequent
    and number at least :data:`MIN_FUNCTION_WORDS`."""
    return language_of_hits(function_word_hits(words))


def language_of_hits(hits: Counter) -> str:
    """:func:`language_of` from the :func:`function_word_hits` of the words."""
    if not hits:
        return ENGLISH
    best, count = hits.most_common(1)[0]
    if count < MIN_FUNCTION_WORDS or count <= hits.get(ENGLISH, 0):
        return ENGLISH
    return best


def language_name(language: str) -> str:
    """``French`` for ``fr``: how views name a language code of :func:`language_of`."""
    return LANGUAGE_NAMES.get(language, "another language than English")


def models_caveat(language: str) -> str | None:
    """What a reader should know about the highlights and facts of a policy in
    ``language``, or ``None`` for English."""
    if language == ENGLISH:
        return None
    name = language_name(language)
    return (f"This policy reads as {name}. The practice and facts models learnt from English "
            f"policies, so its highlights and facts are likely incomplete or wrong.")
