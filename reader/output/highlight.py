"""A policy ready to show: parsed, classified, rendered to HTML with chosen highlights.

Used by the GUI viewer, ``classify`` and the PDF export, so all show the same passages.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from reader.analysis.document import Document, Mark, parse_policy, to_html_parts
from reader.analysis.practices import Analysis, analyze_policy, highlight_marks
from reader.analysis.taxonomy import categories, category
from reader.analysis.tints import HighlightLook
from reader.search.query import Match
from reader.sources.corpus import Policy
from reader.sources.layouts import is_privacy_policy
from reader.sources.sites import snapshot_note
from reader.wording import counted

SEARCH_MARK_STYLE = (
    "font-weight:bold;text-decoration:underline;color:#000000;background-color:#FFD54F"
)


@dataclass
class HighlightedPolicy:
    policy: Policy
    document: Document
    analysis: Analysis

    @classmethod
    def of(cls, policy: Policy) -> HighlightedPolicy:
        document = parse_policy(policy.body)
        return cls(policy, document, analyze_policy(policy.body, document))

    def body_html(self, visible: set[str] | None = None,
                  dark_theme: bool | HighlightLook = False,
                  matches: Iterable[Match] = (), anchors: bool = True,
                  confident_only: bool = False) -> str:
        """The policy body with highlights of the ``visible`` categories and search marks.

        With ``anchors`` each passage and match gets a jump target and a tooltip naming its
        categories (the distinct tooltip also keeps Qt's import of many anchors linear);
        without (for print), neither. ``confident_only`` leaves out unsure passages.
        ``dark_theme`` is the theme, or the whole :class:`HighlightLook` (tints).
        """
        return "".join(self.body_html_parts(visible, dark_theme, matches, anchors,
                                            confident_only))

    def body_html_parts(self, visible: set[str] | None = None,
                        dark_theme: bool | HighlightLook = False,
                        matches: Iterable[Match] = (), anchors: bool = True,
                        confident_only: bool = False) -> list[str]:
        """:meth:`body_html` in parts that Qt imports quickly one by one (see
        :func:`reader.analysis.document.to_html_parts`)."""
        marks = [self._titled(mark) if anchors else replace(mark, anchor=None)
                 for mark in highlight_marks(self.analysis, visible, dark_theme,
                                             confident_only)]
        marks += [Mark(m.start, m.end, SEARCH_MARK_STYLE, f"m{i}" if anchors else None,
                       priority=1, title=f"Search match {i + 1}" if anchors else None)
                  for i, m in enumerate(matches)]
        return to_html_parts(self.document, marks, block_anchors=False)

    def _titled(self, mark: Mark) -> Mark:
        """A passage's mark with the tooltip "Passage N: categories"."""
        if not mark.anchor or not mark.anchor.startswith("s"):
            return mark
        number = int(mark.anchor[1:])
        names = ", ".join(category(c).name for c in self.analysis.spans[number].categories)
        return replace(mark, title=f"Passage {number + 1}: {names}")

    def visible_span_anchors(self, visible: set[str] | None,
                             confident_only: bool = False) -> list[str]:
        """Anchors of highlighted passages in reading order (for next/previous)."""
        return [f"s{i}" for i, span in enumerate(self.analysis.spans)
                if any((visible is None or c in visible)
                       and (not confident_only or span.is_confident(c))
                       for c in span.categories)]

    def span_anchor(self, span_index: int) -> str:
        return f"s{span_index}"

    def counts(self, confident_only: bool = False) -> dict[str, int]:
        """Passages per category; with ``confident_only``, those :meth:`body_html`
        highlights in that mode (confident for the category)."""
        counted = self.analysis.passage_counts()
        if confident_only:
            counted = Counter(c for span in self.analysis.spans for c in span.categories
                              if span.is_confident(c))
        return {c.id: counted.get(c.id, 0) for c in categories()}


def header_html(policy: Policy) -> str:
    """Title, company, archive date, source link, word count and reading time."""
    parts = [f"<b>{html.escape(policy.company or policy.domain)}</b>"]
    if not is_privacy_policy(policy.doc_type):
        parts.append(html.escape(policy.doc_type))
    if policy.snapshot_site:
        parts.append(html.escape(snapshot_note(policy.snapshot_site)))
    if policy.archive_date:
        parts.append(f"archived {html.escape(policy.archive_date)}")
    parts.append(f"{counted(policy.word_count, 'word')} · about {policy.reading_minutes} min read")
    if policy.source_url:
        url = html.escape(policy.source_url)
        parts.append(f'<a href="{url}">original snapshot</a>')
    return (f"<h2 style='margin:0'>{html.escape(policy.title)}</h2>"
            f"<div>{' · '.join(parts)}</div>")
