"""A policy ready to show: parsed, classified, rendered to HTML with chosen highlights.

Used by the GUI viewer, ``classify`` and the PDF export, so all show the same passages.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from reader.analysis.document import Document, Mark, parse_policy, to_html
from reader.analysis.practices import Analysis, analyze_document, highlight_marks
from reader.analysis.taxonomy import categories
from reader.search.query import Match
from reader.sources.corpus import Policy
from reader.sources.layouts import is_privacy_policy
from reader.sources.sites import snapshot_note

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
        return cls(policy, document, analyze_document(document))

    def body_html(self, visible: set[str] | None = None, dark_theme: bool = False,
                  matches: Iterable[Match] = ()) -> str:
        """The policy body with highlights of the ``visible`` categories and search marks."""
        marks = highlight_marks(self.analysis, visible, dark_theme)
        marks += [Mark(m.start, m.end, SEARCH_MARK_STYLE, f"m{i}", priority=1)
                  for i, m in enumerate(matches)]
        return to_html(self.document, marks)

    def visible_span_anchors(self, visible: set[str] | None) -> list[str]:
        """Anchors of highlighted passages in reading order (for next/previous)."""
        return [f"s{i}" for i, span in enumerate(self.analysis.spans)
                if visible is None or any(c in visible for c in span.categories)]

    def span_anchor(self, span_index: int) -> str:
        return f"s{span_index}"

    def counts(self) -> dict[str, int]:
        counted = self.analysis.passage_counts()
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
    parts.append(f"{policy.word_count:,} words · about {policy.reading_minutes} min read")
    if policy.source_url:
        url = html.escape(policy.source_url)
        parts.append(f'<a href="{url}">original snapshot</a>')
    return (f"<h2 style='margin:0'>{html.escape(policy.title)}</h2>"
            f"<div>{' · '.join(parts)}</div>")
