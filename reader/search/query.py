"""Query syntax and finding a query's words in text: parsing, match positions, snippets.

Pure functions over Whoosh query objects and strings, shared by the index (``search``),
the viewer (marks and match stepping) and the CLI.
"""

from __future__ import annotations

import bisect
import difflib
import html as html_lib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import fields, query
from whoosh.qparser import FieldsPlugin, GtLtPlugin, QueryParser, WildcardPlugin

from reader.analysis.facts import (
    MIN_SHOWN_F1,
    SEARCH_FIELDS,
    SPEC_BY_ID,
    fact_f1,
    fact_of_search,
    search_term,
    shown_facts,
)
from reader.analysis.language import LANGUAGE_NAMES

SNIPPETS_PER_HIT = 3
SNIPPET_RADIUS = 90
_RANGE = re.compile(r"\b(year|date):(\S+?)\.\.(\S+)")


class SearchError(Exception):
    """A problem the user should read: bad query, unusable index."""


class QuerySyntaxError(SearchError):
    pass


@dataclass
class Match:
    """A query match in a policy's rendered text."""

    start: int
    end: int


_LINK_TARGET = r"\]\([^)]*\)"  # the "](target)" of a link
_TAG = r"<[^>]{0,200}>"
_MARKUP = re.compile(rf"!?\[([^\]]*){_LINK_TARGET}|{_TAG}|^\s{{0,3}}(?:#{{1,6}}|>|[-*+]|\d+\.)\s",
                     re.MULTILINE)
# What a reader does not see of _MARKUP: a link's target, a tag (each one piece).
_HIDDEN_MARKUP = re.compile(f"{_LINK_TARGET}|{_TAG}")


# Underscores of _emphasis_ (at a word's edge; snake_case keeps its own).
_EMPHASIS_UNDERSCORES = re.compile(r"(?<!\w)_+(?=\w)|(?<=[^\W_])_+(?!\w)")


# Where _MARKUP's line-start branch may match: a line that starts with one of these.
_LINE_MARK_START = re.compile(r"[\s#>*+\d-]")
_NEXT_LINE_MARK = re.compile(r"\n[\s#>*+\d-]")


def has_markup(text: str) -> bool:
    """Whether ``_MARKUP`` may match in ``text``: most paragraphs have no link, tag or
    line-start mark, and these three quick checks (no regular expression tried at every
    character) say so."""
    return ("[" in text or "<" in text or _LINE_MARK_START.match(text) is not None
            or ("\n" in text and _NEXT_LINE_MARK.search(text) is not None))


def index_text(markdown_body: str) -> str:
    """Markdown source reduced to its words for indexing (link targets, tags and emphasis
    underscores dropped: ``_do not track_`` is read as the viewer shows it)."""
    text = (_MARKUP.sub(lambda m: f" {m.group(1) or ''} ", markdown_body)
            if has_markup(markdown_body) else markdown_body)
    return _EMPHASIS_UNDERSCORES.sub("", text) if "_" in text else text


def parse_query(schema: fields.Schema, text: str) -> query.Query:
    """:func:`parse_words`, with phrases of the body as ANDs of word pairs (the Whoosh
    index answers them from its ``pairs`` field)."""
    return _use_pairs(parse_words(schema, text))


def parse_words(schema: fields.Schema, text: str) -> query.Query:
    """Parse user query syntax; raise :class:`QuerySyntaxError` with a readable message.
    Every engine reads queries with this function (the tree is Whoosh's).

    Words are ANDed; ``OR``, ``NOT``, ``"phrases"``, ``prefix*``, ``field:value``
    (company, title, type, category, year, date) and ``year:2010..2015`` ranges are understood.
    """
    if not text.strip():
        raise QuerySyntaxError("Type some words to search for.")
    text = unicodedata.normalize("NFC", text)  # as policies are read (see repair_text)
    if text.count('"') % 2:
        raise QuerySyntaxError('A quotation mark is not closed: phrases need "two quotes".')
    if text.count("(") != text.count(")"):
        raise QuerySyntaxError("Brackets do not match: every ( needs a ).")
    rewritten = _RANGE.sub(lambda m: f"{m.group(1)}:[{m.group(2)} TO {m.group(3)}]", text)
    # Title and company words are indexed in the body too, so plain words need one field
    # (fast intersections); title: and company: still search those fields alone.
    parser = QueryParser("body", schema)
    parser.add_plugin(WildcardPlugin())
    parser.add_plugin(GtLtPlugin())
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(FieldsPlugin(remove_unknown=False))
    try:
        parsed = parser.parse(rewritten)
    except Exception as exc:  # noqa: BLE001 - Whoosh raises many kinds here
        raise QuerySyntaxError(f"Cannot understand the query: {exc}") from exc
    _check_query(parsed, schema)
    _check_fact_terms(parsed)
    _check_closed_values(parsed)
    if parsed is query.NullQuery:
        raise QuerySyntaxError("The query has no words to search for.")
    return parsed


# Fields whose terms are exact values rather than words ranked by BM25. A query made only
# of them is ranked by how strongly each policy states its category and fact terms
# (see :func:`strength_terms` and :class:`reader.search.engine.SearchIndex`).
STRENGTH_FIELDS = frozenset({"category", *SEARCH_FIELDS})
VALUE_FIELDS = STRENGTH_FIELDS | {"year", "date", "domain", "path", "type"}


def strength_terms(node: query.Query) -> list[str] | None:
    """The ``field:value`` terms (category and fact fields, not negated) of a query made
    only of value fields (category, facts, year, date, domain, type), or None when it
    holds words or anything else ranked by relevance."""
    terms: list[str] = []

    def walk(item: query.Query, negated: bool) -> bool:
        if isinstance(item, query.Not):
            return walk(item.query, True)
        if not item.is_leaf():
            return all(walk(child, negated) for child in item.children())
        field_name = getattr(item, "fieldname", None)
        if field_name not in VALUE_FIELDS:
            return False
        if (field_name in STRENGTH_FIELDS and isinstance(item, query.Term)
                and not negated):
            terms.append(f"{field_name}:{item.text}")
        return isinstance(item, query.Term | query.Phrase | query.NumericRange
                          | query.TermRange)

    return terms if walk(node, False) else None


PREFIX_TERMS = 256  # words a prefix* query is ranked by (its most frequent ones)

TermLister = Callable[[str, str], list[tuple[str, int]]]  # (field, prefix) -> (word, docs)


def expand_multiterm(node: query.Query, terms: TermLister) -> query.Query:
    """``prefix*`` and ``wild?card`` queries as an OR of the index words they match, so
    hits are ranked by relevance (BM25 over those words) rather than all scoring alike.
    ``terms(field, prefix)`` lists the index's words of a field that start with
    ``prefix`` and how many policies hold each. Past :data:`PREFIX_TERMS` words the
    most frequent are ranked and the original query is kept beside them with no weight,
    so the count stays exact."""
    if isinstance(node, query.Prefix | query.Wildcard):
        text = str(node.text)
        if isinstance(node, query.Wildcard):
            literal = re.split(r"[*?]", text, maxsplit=1)[0]
            pattern = re.compile(re.escape(text).replace(r"\*", ".*").replace(r"\?", "."))
            found = [(t, n) for t, n in terms(node.fieldname, literal) if pattern.fullmatch(t)]
        else:
            found = terms(node.fieldname, text)
        found.sort(key=lambda item: (-item[1], item[0]))
        if not found:
            return query.NullQuery
        words = [query.Term(node.fieldname, t, boost=node.boost)
                 for t, _ in found[:PREFIX_TERMS]]
        if len(found) > PREFIX_TERMS:
            rest = type(node)(node.fieldname, text, boost=0.0)
            return query.Or([*words, rest])
        return words[0] if len(words) == 1 else query.Or(words)
    if node.is_leaf():
        return node
    return node.apply(lambda child: expand_multiterm(child, terms))


def _check_query(node: query.Query, schema: fields.Schema) -> None:
    for leaf in [node, *_subqueries(node)]:
        if getattr(leaf, "error", None):
            raise QuerySyntaxError(f"Cannot understand part of the query: {leaf.error}.")
        fieldname = getattr(leaf, "fieldname", None)
        if fieldname and fieldname not in schema.names():
            known = ("company, title, type, category, year, date, language, and the facts' "
                     "collects, purpose, shares, retention, choice, access, dnt, audience, "
                     "security")
            field_of_group = {group: name for name, group in SEARCH_FIELDS.items()}
            if fieldname in field_of_group:  # a fact id as `facts --json` prints it
                name = field_of_group[fieldname]
                values = searchable_values(name)
                example = f" (e.g. {name}:{values[0]})" if values else ""
                raise QuerySyntaxError(f"Unknown field {fieldname!r}: facts {fieldname}:… are "
                                       f"searched as {name}:…{example}.")
            raise QuerySyntaxError(f"Unknown field {fieldname!r}; use one of: {known}.")


def searchable_values(field_name: str) -> list[str]:
    """The values a fact field takes in searches: its facts the app shows."""
    return [value for name, value in map(search_term, shown_facts()) if name == field_name]


def _check_fact_terms(node: query.Query) -> None:
    """A fact the app does not show (too unreliable) cannot be searched: say why rather
    than find nothing."""
    for leaf in [node, *_subqueries(node)]:
        field_name = getattr(leaf, "fieldname", None)
        if field_name not in SEARCH_FIELDS or not isinstance(leaf, query.Term):
            continue
        fact_id = fact_of_search(field_name, str(leaf.text))
        if fact_id is None or fact_id in shown_facts():
            continue
        f1 = fact_f1(fact_id)
        values = searchable_values(field_name)
        takes = (f"{field_name}: takes {', '.join(values)}" if values
                 else f"no {field_name}: fact is reliable enough to search")
        raise QuerySyntaxError(
            f"{field_name}:{leaf.text} ({SPEC_BY_ID[fact_id].label.lower()}) cannot be "
            f"searched: the facts model finds it with policy-level F1 "
            f"{f1 if f1 is not None else 0:.2f}, below {MIN_SHOWN_F1}, so the app neither "
            f"shows nor indexes it (docs/EVALUATION.md); {takes}.")


def _check_closed_values(node: query.Query) -> None:
    """``category:``, ``language:`` and the facts' fields take values from closed lists: a
    value that is none of them, and close to none (no "did you mean"), says which values
    there are rather than finding nothing."""
    from reader.analysis.taxonomy import practice_categories

    category_names = {c.id: c.name for c in practice_categories()}  # "other" is not indexed
    for leaf in [node, *_subqueries(node)]:
        field_name = getattr(leaf, "fieldname", None)
        if not isinstance(leaf, query.Term):
            continue
        value = str(leaf.text).lower()
        term = f"{field_name}:{value}"
        if field_name == "category" and value not in category_names \
                and category_suggestion(term, category_names) is None:
            raise QuerySyntaxError(f"There is no category {value!r}: category: takes "
                                   f"{', '.join(category_names)}.")
        if field_name == "language" and value not in LANGUAGE_NAMES \
                and language_suggestion(term) is None:
            raise QuerySyntaxError(f"There is no language {value!r}: language: takes "
                                   f"{', '.join(LANGUAGE_NAMES)}.")
        if field_name in SEARCH_FIELDS and fact_of_search(field_name, value) is None \
                and fact_suggestion(term) is None:
            values = searchable_values(field_name)
            denied = ("" if not values or any(v.startswith("not_") for v in values)
                      else ", or one with not_ before it (said not done)")
            raise QuerySyntaxError(
                f"There is no {field_name}: fact {value!r}: {field_name}: takes "
                f"{', '.join(values) if values else 'no value (no fact of it is shown)'}"
                f"{denied}.")


def _subqueries(node: query.Query) -> list[query.Query]:
    found = []
    for child in node.children():
        found.append(child)
        found.extend(_subqueries(child))
    return found


def _use_pairs(node: query.Query) -> query.Query:
    """Rewrite body phrases as ANDs of word pairs, answered from the ``pairs`` field."""
    if isinstance(node, query.Phrase) and node.fieldname == "body" and node.slop == 1:
        words = [w for w in node.words if w]
        if len(words) >= 2:
            terms = [query.Term("pairs", f"{a} {b}") for a, b in zip(words, words[1:],
                                                                    strict=False)]
            return terms[0] if len(terms) == 1 else query.And(terms)
    if isinstance(node, query.Phrase) and node.fieldname != "body":
        return node
    if node.is_leaf():
        return node
    return node.apply(_use_pairs)


class MatchFinder:
    """Finds the words of a query in plain text (case-insensitive, whole words)."""

    def __init__(self, patterns: list[str]) -> None:
        joined = "|".join(f"(?:{p})" for p in patterns)
        self.pattern = re.compile(joined, re.IGNORECASE) if patterns else None
        # Query words are lowercased by the analyzer, so this matches lowercased text:
        self.fast_pattern = re.compile(joined) if patterns else None

    @classmethod
    def from_query(cls, parsed: query.Query) -> MatchFinder:
        return cls(_patterns(parsed))

    def find(self, text: str) -> list[Match]:
        if self.pattern is None:
            return []
        lowered = text.lower()
        if len(lowered) == len(text):  # offsets stay valid: match the faster way
            return [Match(m.start(), m.end()) for m in self.fast_pattern.finditer(lowered)]
        return [Match(m.start(), m.end()) for m in self.pattern.finditer(text)]

    def count_shown(self, markdown: str, found: int | None = None) -> int:
        """How many matches a policy's ``markdown`` has in the words a reader sees: one
        inside a link's target or an HTML tag is none (as :func:`index_text` reads it, at a
        fraction of its cost; a word in _emphasis_ beside other matches, and one in an
        autolink, are still counted as in the source). ``found``: its matches in all,
        when known."""
        if self.pattern is None:
            return 0
        if found is None:
            found = len(self.find(markdown))
        if not found:  # "_cookie_" is the word cookie to a reader, not to \bcookie\b
            return len(self.find(index_text(markdown))) if "_" in markdown else 0
        if "](" not in markdown and "<" not in markdown:
            return found
        hidden = " ".join(_HIDDEN_MARKUP.findall(markdown))
        return found - len(self.find(hidden)) if hidden else found

    def first(self, text: str, most: int) -> tuple[list[Match], int]:
        """The first ``most`` matches in ``text`` and how many there are in all (for
        snippets: cheaper than :meth:`find` on a word that occurs hundreds of times)."""
        if self.pattern is None:
            return [], 0
        lowered = text.lower()
        if len(lowered) == len(text):
            pattern, searched = self.fast_pattern, lowered
        else:
            pattern, searched = self.pattern, text
        found = []
        for match in pattern.finditer(searched):
            found.append(Match(match.start(), match.end()))
            if len(found) == most:
                return found, len(found) + len(pattern.findall(searched, match.end()))
        return found, len(found)


def _patterns(node: query.Query, negated: bool = False) -> list[str]:
    if isinstance(node, query.Not):
        return []
    if isinstance(node, query.AndNot):
        return _patterns(node.a)
    patterns: list[str] = []
    if isinstance(node, query.Term) and node.fieldname in {"body", "title", "pairs"}:
        words = str(node.text).split()
        patterns.append(r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b")
    elif isinstance(node, query.Phrase) and node.fieldname in {"body", "title"}:
        patterns.append(r"\b" + r"\W+".join(re.escape(str(w)) for w in node.words) + r"\b")
    elif isinstance(node, query.Prefix) and node.fieldname in {"body", "title"}:
        patterns.append(r"\b" + re.escape(str(node.text)) + r"\w*")
    elif isinstance(node, query.Wildcard) and node.fieldname in {"body", "title"}:
        pattern = re.escape(str(node.text)).replace(r"\*", r"\w*").replace(r"\?", r"\w")
        patterns.append(r"\b" + pattern + r"\b")
    elif not node.is_leaf():
        children = list(node.children())
        if isinstance(node, query.And) and all(
                isinstance(c, query.Term) and c.fieldname == "pairs" for c in children):
            words = [str(children[0].text).split()[0]] + [str(c.text).split()[1]
                                                         for c in children]
            return [r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b"]
        for child in children:
            patterns.extend(_patterns(child))
    return patterns


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_INLINE_MARKUP = re.compile(
    r"\]\([^)\s]*\)?"          # the end of a link cut by the snippet edge: "](url)"
    r"|\([^)\s]*://[^)\s]*\)"  # a bare "(http://...)"
    r"|!?\[(?=[^\]]*$)"          # "[" of a link whose "](" is past the snippet edge
    r"|(?<!\w)\[|\](?!\w)"      # brackets of a link kept as words
    r"|\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|`+"  # emphasis and code marks
)
_TABLE_MARKUP = re.compile(r"(?:^|(?<=\s))\|(?=\s|$)|(?<!\w)[-:|=]{3,}(?!\w)")
# A heading inside a list item ("  * ####  **[HOW THIS INFORMATION IS USED](...)**",
# whitehouse.gov): index_text takes the list mark, this the heading mark after it.
_LIST_ITEM_HEADING = re.compile(r"^(\s*(?:[-*+]|\d+\.)\s+)#{1,6}(?=\s)", re.MULTILINE)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # "1\. Généralités", "\_\_\_"


def snippet_text(markdown: str) -> str:
    """A piece of markdown source as the words a reader sees, for a search snippet: links
    (also half ones cut by the snippet's edge) keep their text, ``**``, ``_``, backticks,
    table pipes, heading marks, backslash escapes and heading underlines go. Words are
    never dropped."""
    if "#" in markdown:
        markdown = _LIST_ITEM_HEADING.sub(r"\1", markdown)
    if "\\" in markdown:
        markdown = _ESCAPE.sub(r"\1", markdown)
    text = index_text(_LINK.sub(lambda m: m.group(1), markdown))
    return _TABLE_MARKUP.sub(" ", _INLINE_MARKUP.sub("", text))


def shown_matches(text: str, matches: list[Match]) -> list[Match]:
    """``matches`` in markdown ``text`` without those inside a link's target or an HTML
    tag, which a reader does not see (a snippet marked the "cookies" of
    ``[cookies](https://w.example/privacy#cookies)`` twice)."""
    if not matches or ("](" not in text and "<" not in text):
        return matches
    hidden = [(m.start(), m.end()) for m in _HIDDEN_MARKUP.finditer(text)]
    if not hidden:
        return matches
    starts = [start for start, _ in hidden]
    shown = []
    for match in matches:
        place = bisect.bisect_right(starts, match.start) - 1
        if place < 0 or match.start >= hidden[place][1]:
            shown.append(match)
    return shown


def _corrected(terms: re.Pattern, text: str,
               guess: Callable[[re.Match], str | None]) -> str | None:
    """``text`` with each ``field:value`` term that ``terms`` finds replaced by ``guess``
    of it (``None``: kept as typed); ``None`` when no term was replaced."""
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        found = guess(match)
        if found is None:
            return match.group(0)
        changed = True
        return found

    suggested = terms.sub(replace, text)
    return suggested if changed else None


_FIELD_VALUE = re.compile(r"\b(category):(\w+)", re.IGNORECASE)
_NAME_STOP_WORDS = {"and", "with", "the", "your", "of", "what", "specific", "other"}


def category_suggestion(text: str, names: dict[str, str]) -> str | None:
    """The query with each unknown ``category:`` value replaced by the category it is close
    to (``category:security`` -> ``category:data_security``, ``category:sharing`` ->
    ``category:third_party_sharing``), or None when every value is known or none is close.
    ``names`` maps category ids to their display names."""
    known = {name.lower() for name in names}
    by_word: dict[str, set[str]] = {}
    for category_id, display in names.items():
        for word in {*category_id.split("_"), *re.findall(r"[a-z]+", display.lower())}:
            if word not in _NAME_STOP_WORDS and len(word) > 2:
                by_word.setdefault(word, set()).add(category_id)

    def replace(match: re.Match) -> str | None:
        value = match.group(2).lower()
        if value in known:
            return None
        guess = None
        containing = [name for name in known if value in name]
        if len(containing) == 1:
            guess = containing[0]
        elif len(by_word.get(value, ())) == 1:
            guess = next(iter(by_word[value]))
        else:
            close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
            words = difflib.get_close_matches(value, sorted(by_word), n=1, cutoff=0.8)
            if close:
                guess = close[0]
            elif words and len(by_word[words[0]]) == 1:
                guess = next(iter(by_word[words[0]]))
        return None if guess is None else f"{match.group(1)}:{guess}"

    return _corrected(_FIELD_VALUE, text, replace)


_LANGUAGE_VALUE = re.compile(r"\b(language):(\w+)", re.IGNORECASE)


def language_suggestion(text: str) -> str | None:
    """The query with a language named in words given by its code (``language:french`` ->
    ``language:fr``), or None when every ``language:`` value is a code or none is a name."""
    codes = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}

    def replace(match: re.Match) -> str | None:
        value = match.group(2).lower()
        names = [value] if value in codes else \
            difflib.get_close_matches(value, list(codes), n=1, cutoff=0.75)
        if value in LANGUAGE_NAMES or not names:
            return None
        return f"{match.group(1)}:{codes[names[0]]}"

    return _corrected(_LANGUAGE_VALUE, text, replace)


_FACT_VALUE = re.compile(rf"\b({'|'.join(SEARCH_FIELDS)}):(\w+)", re.IGNORECASE)


def fact_suggestion(text: str) -> str | None:
    """The query with each unknown fact value replaced by the fact it is close to
    (``collects:cookie`` -> ``collects:cookies``, ``dnt:honoured`` -> ``dnt:honored``,
    ``shares:advertising`` -> ``purpose:advertising``, ``collects:email`` ->
    ``collects:contact``), or None when none is close."""
    if not _FACT_VALUE.search(text):
        return None  # no fact term (and no facts model to load)
    shown = [search_term(fact_id) for fact_id in shown_facts()]

    def replace(match: re.Match) -> str | None:
        field_name, value = match.group(1).lower(), match.group(2).lower()
        if fact_of_search(field_name, value):
            return None  # a fact (shown, or explained by the parser)
        group = SEARCH_FIELDS[field_name]
        values = {spec.id.split(":", 1)[1]: spec.label.lower()
                  for spec in SPEC_BY_ID.values() if spec.group == group}
        containing = [v for v, label in values.items()
                      if value in v.split("_") or value in label.split()]
        guess = None
        if _VALUE_WORDS.get(value) in values:
            guess = f"{field_name}:{_VALUE_WORDS[value]}"
        elif len(containing) == 1:
            guess = f"{field_name}:{containing[0]}"
        elif close := difflib.get_close_matches(value, list(values), n=1, cutoff=0.7):
            guess = f"{field_name}:{close[0]}"
        elif elsewhere := [f"{name}:{v}" for name, v in shown if v == value]:
            guess = elsewhere[0]  # the value belongs to another field
        return guess

    return _corrected(_FACT_VALUE, text, replace)


# Words people type for a fact value.
_VALUE_WORDS = {
    "email": "contact", "name": "contact", "phone": "contact", "address": "contact",
    "credit": "financial", "payment": "financial", "card": "financial",
    "gps": "location", "geolocation": "location", "ip": "ip_device", "device": "ip_device",
    "ads": "advertising", "ad": "advertising", "kids": "children", "minors": "children",
    "optout": "opt_out_link", "opt_out": "opt_out_link", "optin": "opt_in",
    "ssl": "measures", "encryption": "measures", "california": "californians",
    "europe": "europeans", "eu": "europeans", "gdpr": "europeans", "forever": "indefinitely",
    "ignored": "not_honored", "honoured": "honored", "affiliate": "affiliates",
}


def opening(text: str, length: int = 2 * SNIPPET_RADIUS) -> str:
    """The start of a policy, for hits that matched only its company or category."""
    head = " ".join(text[: length + 40].split())
    return head if len(head) <= length else head[: head.rfind(" ", 0, length)] + "…"


def make_snippets(text: str, matches: list[Match], count: int = SNIPPETS_PER_HIT,
                  radius: int = SNIPPET_RADIUS, clean: Callable[[str], str] = str) -> list[str]:
    """Up to ``count`` HTML snippets around matches, matched text in ``<b>``; ``clean``
    tidies the text between matches (markdown source -> words)."""
    snippets: list[str] = []
    last_end = -1
    for match in matches:
        if len(snippets) >= count:
            break
        if match.start < last_end:
            continue
        start = max(0, match.start - radius)
        end = min(len(text), match.end + radius)
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
        space = text.find(" ", end)
        end = space if 0 <= space < end + 20 else end
        inside = [m for m in matches if m.start >= start and m.end <= end]
        parts, cursor = [], start
        for m in inside:
            parts.append(html_lib.escape(snippet_text(clean(text[cursor:m.start]))))
            parts.append(f"<b>{html_lib.escape(text[m.start:m.end])}</b>")
            cursor = m.end
        parts.append(html_lib.escape(snippet_text(clean(text[cursor:end]))))
        snippet = " ".join("".join(parts).split())
        snippets.append(("…" if start > 0 else "") + snippet + ("…" if end < len(text) else ""))
        last_end = end
    return snippets


def terminal_snippet(snippet: str) -> str:
    """``<b>x</b>`` -> ``[x]`` for terminals."""
    return html_lib.unescape(snippet.replace("<b>", "[").replace("</b>", "]"))



def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insertions, deletions,
    substitutions and swaps of two neighbouring letters each count one ("thrid" -> "third"
    is one edit)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def close_words(word: str, candidates: list[str], most: int = 2) -> list[tuple[str, int]]:
    """The ``candidates`` (other than ``word``) within ``most`` edits of it, each once, with
    their :func:`edit_distance`. Compiled (rapidfuzz's optimal string alignment, the same
    distance): a rare word's tens of thousands of candidates took ~100 ms in Python."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    unique = list(dict.fromkeys(c for c in candidates if c != word))
    return [(candidate, int(distance)) for candidate, distance, _ in process.extract(
        word, unique, scorer=OSA.distance, score_cutoff=most, limit=None)]


_QUERY_TOKEN = re.compile(r'(\w+):("[^"]*"|\S+)|(")|([\w*?]+)')
_OPERATORS = {"AND", "OR", "NOT", "TO"}
EDIT_COST = 3.0  # one edit weighs like a 20 times (e**3) more frequent word
RARE = 2  # a word in at most this many policies may itself be a typo
CHOICES_PER_WORD = 4
MAX_COMBINATIONS = 2000


@dataclass
class _QueryWord:
    start: int
    end: int
    word: str
    choices: list[tuple[str, float]]  # (spelling, score), best first


def spelling_suggestion(text: str, frequency: Callable[[str], int],
                        near: Callable[[str], list[str]],
                        pair_frequency: Callable[[str, str], int] | None = None
                        ) -> str | None:
    """The query with misspelt words corrected from the index's own words, or None.

    ``frequency(word)`` is the number of policies with the word, ``near(word)`` the
    indexed words within two edits, ``pair_frequency(a, b)`` the number of policies where
    ``b`` follows ``a``. A word no policy has (or one in very few, when a far more common
    word is one edit away) is replaced. Each spelling is scored by how common it is less a
    cost per edit (Damerau: a swap of two letters is one edit, so "thrid" -> "third" beats
    the more common "this", two edits away); neighbouring words are then chosen together,
    preferring spellings that really follow each other in policies ("personel
    information" -> "personal information", not "personnel information"). Field values
    (``company:``...), operators and wildcards are left alone.
    """
    runs: list[list[_QueryWord]] = [[]]
    for match in _QUERY_TOKEN.finditer(text):
        word = match.group(4)
        if match.group(1) or match.group(3) or not word or word in _OPERATORS or (
                "*" in word or "?" in word or word.isdigit()):
            runs.append([])  # a field, quote, operator or wildcard: words no longer adjacent
            continue
        runs[-1].append(_QueryWord(match.start(4), match.end(4), word,
                                   _spellings(word.lower(), frequency, near)))
    changes: dict[int, tuple[int, str]] = {}
    for run in runs:
        for word, spelling in zip(run, _best_together(run, pair_frequency), strict=True):
            if spelling != word.word.lower():
                changes[word.start] = (word.end, _same_case(word.word, spelling))
    if not changes:
        return None
    parts, cursor = [], 0
    for start in sorted(changes):
        end, spelling = changes[start]
        parts += [text[cursor:start], spelling]
        cursor = end
    return "".join(parts) + text[cursor:]


def _spellings(word: str, frequency: Callable[[str], int],
               near: Callable[[str], list[str]]) -> list[tuple[str, float]]:
    import math

    count = frequency(word)
    keep = [(word, math.log1p(count))]
    if count > RARE:
        return keep
    scored = [(candidate, math.log1p(frequency(candidate)) - EDIT_COST * distance)
              for candidate, distance in close_words(word, near(word))]
    scored.sort(key=lambda item: (-item[1], item[0]))
    if count == 0:
        return scored[:CHOICES_PER_WORD] or keep
    return sorted(keep + scored[:CHOICES_PER_WORD - 1], key=lambda item: -item[1])


def _best_together(run: list[_QueryWord],
                   pair_frequency: Callable[[str, str], int] | None) -> list[str]:
    """The spellings of neighbouring words with the best total score, a bonus for each
    pair that follows each other in some policy."""
    import itertools
    import math

    if not run:
        return []
    if pair_frequency is None or len(run) == 1 or math.prod(
            len(w.choices) for w in run) > MAX_COMBINATIONS:
        return [w.choices[0][0] for w in run]
    best, best_score = None, -math.inf
    pair_bonus: dict[tuple[str, str], float] = {}
    for combination in itertools.product(*(w.choices for w in run)):
        score = sum(s for _, s in combination)
        for (a, _), (b, _) in itertools.pairwise(combination):
            if (a, b) not in pair_bonus:
                count = pair_frequency(a, b)
                pair_bonus[a, b] = 2.0 + math.log1p(count) if count else 0.0
            score += pair_bonus[a, b]
        if score > best_score:
            best, best_score = [s for s, _ in combination], score
    return best or [w.choices[0][0] for w in run]


def _same_case(original: str, spelling: str) -> str:
    if original.isupper() and len(original) > 1:
        return spelling.upper()
    return spelling.capitalize() if original[:1].isupper() else spelling
