"""What changed between two versions of a policy, sentence by sentence and by practice.

Each version is read as its sentences in order (headings included, nothing dropped), each
with the practice categories the policy's analysis gave it. The two lists are aligned with
:class:`difflib.SequenceMatcher`; inside a replaced stretch, an old and a new sentence whose
words are at least :data:`SIMILAR` alike are paired as one *changed* passage (a rewording),
the rest are *removed* or *added*. A sentence kept word for word whose categories differ
(its section was reworded or restructured around it) is no change of the text, but it
moves the passages per category: those are listed apart (:attr:`PolicyDiff.recategorised`)
and the summary counts them, so that its lines and the counts before/after agree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from reader.analysis.classifier import TOKEN
from reader.analysis.language import ENGLISH, language_name, language_of
from reader.analysis.practices import Analysis
from reader.analysis.taxonomy import category, practice_ids
from reader.sources.corpus import PolicyLoadError, decode_policy_bytes, parse_header
from reader.wording import counted

SIMILAR = 0.5  # word-level similarity at which two sentences are one reworded passage
PAIR_WINDOW = 40  # how far ahead in a replaced stretch a rewording is looked for
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Passage:
    """A sentence of one version and its practice categories (most confident first)."""

    text: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionText:
    """A version as the diff reads it: its sentences, word count and passages per category."""

    passages: tuple[Passage, ...]
    words: int
    counts: dict[str, int]

    def language(self) -> str:
        """The language the version reads as: :func:`reader.analysis.language.language_of`
        on the words of its sentences (the rule the decision applies to a whole policy)."""
        words = TOKEN.findall(" ".join(p.text for p in self.passages).lower())
        return language_of(words)

    def to_json(self) -> dict:
        return {"words": self.words, "counts": self.counts,
                "passages": [[p.text, list(p.categories)] for p in self.passages]}

    @classmethod
    def from_json(cls, data: dict) -> VersionText:
        return cls(tuple(Passage(text, tuple(cats)) for text, cats in data["passages"]),
                   int(data["words"]), {k: int(v) for k, v in data["counts"].items()})


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is ``added``, ``removed`` or ``changed`` (or
    ``recategorised``: the same text with other categories)."""

    kind: str
    old: Passage | None
    new: Passage | None

    @property
    def categories(self) -> tuple[str, ...]:
        """Categories of the new and the old passage (new first, each once)."""
        seen: dict[str, None] = {}
        for passage in (self.new, self.old):
            if passage:
                seen.update(dict.fromkeys(passage.categories))
        return tuple(seen)


@dataclass(frozen=True)
class Link:
    """A link of a version: its text, where it points, and the text around it."""

    text: str
    target: str
    context: str


@dataclass(frozen=True)
class LinkChange:
    """A link whose target changed (``old`` and ``new``), or that was added to (``old``
    None) or taken from (``new`` None) text that stayed the same: the sentences read alike,
    so the passages do not show it."""

    old: Link | None
    new: Link | None

    @property
    def kind(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    @property
    def link(self) -> Link:
        return self.new or self.old


# What differs between two files whose sentences and links read the same.
ONLY_FORMATTING = ("The files differ only in formatting (markup or white space); the text "
                   "and its links read the same.")
ONLY_HEADER = ("The files differ only in their header (archive note, date or source); the "
               "policy text is the same.")
NO_DIFFERENCES = "No differences in the text."


@dataclass
class PolicyDiff:
    old: str  # date (label) of the older version
    new: str
    changes: list[Change] = field(default_factory=list)
    category_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Sentences kept word for word whose categories differ (old and new passage).
    recategorised: list[Change] = field(default_factory=list)
    languages: tuple[str, str] = (ENGLISH, ENGLISH)  # what the old and new version read as
    links: list[LinkChange] = field(default_factory=list)  # see add_file_differences
    # When the files differ but neither sentences nor links do: ONLY_FORMATTING or
    # ONLY_HEADER (empty when the files are the same, or not compared).
    other_difference: str = ""
    # The labels of the earlier versions whose file the old and the new version repeat byte
    # for byte (see PolicyHistory.earlier_same_text), or None.
    same_text_as: tuple[str | None, str | None] = (None, None)

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def by_category(self) -> dict[str, Counter[str]]:
        """Category -> how many passages with it were added, removed and changed."""
        found: dict[str, Counter[str]] = {c: Counter() for c in practice_ids()}
        for change in self.changes:
            for category_id in change.categories:
                found.setdefault(category_id, Counter())[change.kind] += 1
        return {k: v for k, v in found.items() if v}

    def recategorised_by_category(self) -> dict[str, Counter[str]]:
        """Category -> how many unchanged sentences gained it (``newly``) or lost it
        (``no longer``)."""
        found: dict[str, Counter[str]] = {}
        for change in self.recategorised:
            before, after = set(change.old.categories), set(change.new.categories)
            for category_id in after - before:
                found.setdefault(category_id, Counter())["newly"] += 1
            for category_id in before - after:
                found.setdefault(category_id, Counter())["no longer"] += 1
        return found

    def summary(self) -> list[str]:
        """One line per practice that changed, e.g. ``Sharing with third parties: 3
        passages added, 1 changed; 2 unchanged passages newly about it``; then the
        passages about no practice."""
        caveats = self.language_caveats() + self.same_text_notes()
        lines = list(caveats)
        changed = self.by_category()
        moved = self.recategorised_by_category()
        for category_id in dict.fromkeys([*practice_ids(), *changed, *moved]):
            tally, shifts = changed.get(category_id), moved.get(category_id)
            if not tally and not shifts:
                continue
            parts = [_counted(tally)] if tally else []
            for way in ("newly", "no longer"):
                if shifts and shifts[way]:
                    parts.append(f"{counted(shifts[way], 'unchanged passage')} {way} "
                                 "about it")
            lines.append(f"{category(category_id).name}: {'; '.join(parts)}")
        plain = Counter(c.kind for c in self.changes if not c.categories)
        if plain:
            lines.append(f"Other text: {_counted(plain)}")
        if self.links:
            lines.append(f"Links: {_links_counted(Counter(c.kind for c in self.links))}")
        if len(lines) == len(caveats):
            lines.append(self.other_difference or NO_DIFFERENCES)
        return lines

    @property
    def differs(self) -> bool:
        """Whether the versions differ at all (text, categories, links or the files)."""
        return bool(self.changes or self.recategorised or self.links or
                    self.other_difference)

    def language_caveats(self) -> list[str]:
        """A warning for each version that reads as another language than English: the
        practice models learnt from English policies, so its categories mean little and a
        change of language looks like passages added or removed."""
        out = []
        for label, language in ((self.old, self.languages[0]), (self.new, self.languages[1])):
            if language != ENGLISH:
                out.append(f"The {label} version reads as {language_name(language)}: its "
                           "practices are likely incomplete or wrong (the models learnt from "
                           "English policies).")
        return out

    def same_text_notes(self) -> list[str]:
        """A line for each version whose text is an earlier version's byte for byte: the
        archive recorded the page in another form in between, and this one again."""
        return [f"The {label} version is the {earlier} version again, byte for byte: the "
                "archive recorded the page in more than one form in turn (going back is not "
                "a change of policy)."
                for label, earlier in zip((self.old, self.new), self.same_text_as, strict=True)
                if earlier and earlier not in (self.old, self.new)]

    def to_json(self) -> dict:
        return {
            "old": self.old, "new": self.new,
            "added": [{"text": c.new.text, "categories": list(c.categories)}
                      for c in self.of_kind("added")],
            "removed": [{"text": c.old.text, "categories": list(c.categories)}
                        for c in self.of_kind("removed")],
            "changed": [{"old": c.old.text, "new": c.new.text,
                         "categories": list(c.categories)} for c in self.of_kind("changed")],
            "category_counts": {k: {"old": o, "new": n}
                                for k, (o, n) in self.category_counts.items()},
            "languages": {"old": self.languages[0], "new": self.languages[1]},
            "recategorised": [{"text": c.new.text, "old_categories": list(c.old.categories),
                               "new_categories": list(c.new.categories)}
                              for c in self.recategorised],
            "links": [{"kind": c.kind, "text": c.link.text, "context": c.link.context,
                       "old": c.old.target if c.old else None,
                       "new": c.new.target if c.new else None} for c in self.links],
            "other_difference": self.other_difference or None,
            "same_text_as": {"old": self.same_text_as[0], "new": self.same_text_as[1]},
        }


def _links_counted(tally: Counter[str]) -> str:
    """``1 link target changed, 2 links added, 1 link removed`` (kinds with none left out)."""
    parts = []
    if tally["changed"]:
        parts.append(f"{counted(tally['changed'], 'link target')} changed")
    for kind in ("added", "removed"):
        if tally[kind]:
            parts.append(f"{counted(tally[kind], 'link')} {kind}")
    return ", ".join(parts)


def _counted(tally: Counter[str]) -> str:
    """``3 passages added, 1 removed, 2 changed`` (kinds with none are left out)."""
    kinds = [kind for kind in ("added", "removed", "changed") if tally[kind]]
    parts = [f"{tally[kind]} {kind}" for kind in kinds]
    if parts:
        parts[0] = f"{counted(tally[kinds[0]], 'passage')} {kinds[0]}"
    return ", ".join(parts)


def version_text(analysis: Analysis, words: int | None = None) -> VersionText:
    """Every sentence of an analysed policy with the categories of its highlight."""
    by_bounds = {(span.start, span.end): span.categories for span in analysis.spans}
    passages = []
    for paragraph in analysis.paragraphs:
        for sentence in paragraph.sentences:
            text = _SPACE.sub(" ", analysis.text[sentence.start:sentence.end]).strip()
            if text:
                passages.append(Passage(text, by_bounds.get((sentence.start, sentence.end),
                                                             ())))
    counted = analysis.passage_counts()
    counts = {c: counted.get(c, 0) for c in practice_ids()}
    if words is None:
        words = len(analysis.text.split())
    return VersionText(tuple(passages), words, counts)


_WORD_WITH_SPACE = re.compile(r"\s*\S+|\s+")
# [text](target "title"), ![alt](source), <https://...>, <mailto:...>; a target may hold
# one level of parentheses (Wikipedia style).
# (Possessive: nothing is tried twice on long tables.)
_MD_LINK = re.compile(r"!?\[((?:[^\[\]]++|\[[^\[\]]*+\])*+)\]"
                      r"\(\s*+<?((?:[^()\s<>]++|\([^()\s]*+\))*+)>?"
                      r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+|mailto:[^<>\s]+)>")
_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s.*)?$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_CONTEXT_CHARS = 90  # shown each side of a link in a long paragraph
# Emphasis, code ticks, table bars, line breaks and line-start marks (headings, quotes,
# list items): left out of a link's context (an underscore stays: it is in addresses).
_MARKUP_CHARS = re.compile(r"[*`|]+|<br\s*/?>|^[ \t]*(?:#{1,6}|>|[-+]|\d+\.)[ \t]+",
                           re.MULTILINE)

# A link as found: its paragraph, where it starts in it, its text and its target.
_Found = tuple[str, int, str, str]


def _found_links(body: str) -> list[_Found]:
    """Every link of a markdown body in reading order (see :func:`links_of`)."""
    found: list[_Found] = []
    for paragraph in _PARAGRAPH_BREAK.split(body):
        if "](" not in paragraph and "<" not in paragraph and "]:" not in paragraph:
            continue
        here = [(paragraph, match.start(), match[1], match[2])
                for match in _MD_LINK.finditer(paragraph)]
        if "<" in paragraph:
            here += [(paragraph, match.start(), match[1], match[1])
                     for match in _AUTOLINK.finditer(paragraph)]
        if "]:" in paragraph:
            here += [(paragraph, match.start(), f"[{match[1]}]", match[2])
                     for match in _REFERENCE.finditer(paragraph)]
        found += sorted(here, key=lambda link: link[1])
    return found


def _plain(markdown: str) -> str:
    """Markdown as it reads: links as their text, markup left out, spaces as one."""
    return _SPACE.sub(" ", _MARKUP_CHARS.sub(" ", _MD_LINK.sub(r"\1", markdown))).strip()


def _links(found: list[_Found], plains: dict[str, str] | None = None) -> list[Link]:
    """Links with their text and context read plain (each paragraph read once; ``plains``
    keeps the paragraphs read)."""
    plains = {} if plains is None else plains
    links = []
    for paragraph, _start, text, target in found:
        plain = plains.get(paragraph)
        if plain is None:
            plain = plains[paragraph] = _plain(paragraph)
        text = _plain(text)
        links.append(Link(text, target, _around(plain, text)))
    return links


def links_of(body: str) -> list[Link]:
    """The links of a version's markdown in reading order: inline links and images,
    autolinks and reference definitions, each with the plain text of its paragraph
    (shortened around it) as its context."""
    return _links(_found_links(body))


def _around(plain: str, text: str) -> str:
    """``plain`` whole when short, else the stretch of it around ``text``."""
    if len(plain) <= 2 * _CONTEXT_CHARS + len(text):
        return plain
    at = max(0, plain.find(text)) if text else 0
    start, end = max(0, at - _CONTEXT_CHARS), min(len(plain), at + len(text) + _CONTEXT_CHARS)
    return ("…" if start else "") + plain[start:end].strip() + ("…" if end < len(plain) else "")


def link_changes(old_body: str, new_body: str) -> list[LinkChange]:
    """Links whose target changed between two versions' markdown (paired in order by
    their text or their context), and links added to or taken from text that stayed the
    same. A link that came or went with its text is the text diff's."""
    old_found, new_found = _found_links(old_body), _found_links(new_body)
    if [link[3] for link in old_found] == [link[3] for link in new_found]:
        return []  # (most versions: no context is read)
    plains: dict[str, str] = {}  # paragraph -> its plain text
    bodies: dict[int, str] = {}  # 0, 1: the old and new body's plain text, when needed

    def reads_in(link: Link, side: int) -> bool:
        """Whether the text around ``link`` reads the same in the other version."""
        if side not in bodies:
            bodies[side] = _plain((old_body, new_body)[side])
        return link.context.strip("…") in bodies[side]

    out: list[LinkChange] = []
    matcher = SequenceMatcher(None, [link[3] for link in old_found],
                              [link[3] for link in new_found], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left, right = _links(old_found[i1:i2], plains), _links(new_found[j1:j2], plains)
        for old in list(left):
            partner = next((new for new in right if new.text.casefold() ==
                            old.text.casefold() or new.context == old.context), None)
            if partner is not None:
                out.append(LinkChange(old, partner))
                left.remove(old)
                right.remove(partner)
        out += [LinkChange(old, None) for old in left if reads_in(old, 1)]
        out += [LinkChange(None, new) for new in right if reads_in(new, 0)]
    return out


def add_file_differences(diff: PolicyDiff, old_file: bytes, new_file: bytes) -> PolicyDiff:
    """Add to ``diff`` what two versions' files show and their sentences do not: the links
    that changed (:func:`link_changes`) and, when nothing else did, whether the files
    differ only in formatting or in their header (never "no differences" for different
    files)."""
    if old_file == new_file:
        return diff
    try:
        old_header, old_body = parse_header(decode_policy_bytes(old_file, Path("old")))
        new_header, new_body = parse_header(decode_policy_bytes(new_file, Path("new")))
    except PolicyLoadError:  # the diff was read, so this does not happen; keep it plain
        diff.other_difference = ONLY_FORMATTING if not diff.changes else ""
        return diff
    diff.links = link_changes(old_body, new_body)
    if not (diff.changes or diff.recategorised or diff.links):
        diff.other_difference = ONLY_HEADER if old_body == new_body and \
            old_header != new_header else ONLY_FORMATTING
    return diff


def word_changes(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The words a rewording took out of ``old`` and put into ``new``: each text as runs of
    ``(text, differs)`` that join back to it exactly (nothing left out)."""
    old_tokens = _WORD_WITH_SPACE.findall(old)
    new_tokens = _WORD_WITH_SPACE.findall(new)
    matcher = SequenceMatcher(None, [t.strip() for t in old_tokens],
                              [t.strip() for t in new_tokens], autojunk=False)
    old_runs: list[tuple[str, bool]] = []
    new_runs: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _add_run(old_runs, "".join(old_tokens[i1:i2]), tag != "equal")
        _add_run(new_runs, "".join(new_tokens[j1:j2]), tag != "equal")
    return old_runs, new_runs


def _add_run(runs: list[tuple[str, bool]], text: str, differs: bool) -> None:
    if differs:  # the space before the first word that differs is not marked
        words = text.lstrip()
        _add_run(runs, text[:len(text) - len(words)], False)
        text = words
    if not text:
        return
    if runs and runs[-1][1] == differs:
        runs[-1] = (runs[-1][0] + text, differs)
    else:
        runs.append((text, differs))


def diff_versions(old: VersionText, new: VersionText, old_label: str = "old",
                  new_label: str = "new") -> PolicyDiff:
    """Align two versions by sentence (see the module docstring)."""
    result = PolicyDiff(old_label, new_label, languages=(old.language(), new.language()))
    result.category_counts = {c: (old.counts.get(c, 0), new.counts.get(c, 0))
                              for c in practice_ids()}
    before = [p.text for p in old.passages]
    after = [p.text for p in new.passages]
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.recategorised += [
                Change("recategorised", o, n)
                for o, n in zip(old.passages[i1:i2], new.passages[j1:j2], strict=True)
                if set(o.categories) != set(n.categories)]
            continue
        result.changes += _pair(old.passages[i1:i2], new.passages[j1:j2])
    return result


def _pair(old: tuple[Passage, ...], new: tuple[Passage, ...]) -> list[Change]:
    """Changes of a replaced stretch: rewordings paired in order, the rest added/removed."""
    out: list[Change] = []
    new_words = [p.text.lower().split() for p in new]
    cursor = 0
    for passage in old:
        words = passage.text.lower().split()
        best, best_ratio = -1, SIMILAR
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(words)
        for j in range(cursor, min(len(new), cursor + PAIR_WINDOW)):
            matcher.set_seq1(new_words[j])
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = j, ratio
        if best < 0:
            out.append(Change("removed", passage, None))
            continue
        out += [Change("added", None, p) for p in new[cursor:best]]
        out.append(Change("changed", passage, new[best]))
        cursor = best + 1
    out += [Change("added", None, p) for p in new[cursor:]]
    return out
