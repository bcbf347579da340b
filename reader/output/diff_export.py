"""A diff of two policy versions as HTML (for the History view) and as a PDF.

The same marks everywhere: added passages on a green edge, removed ones struck through on a
red edge, changed ones as old (struck) then new with the reworded words marked in each;
every passage carries its practice categories as coloured labels, in the highlight colours
the reader chose for the viewer (:func:`reader.analysis.tints.highlight_colour`:
intensity, palette, theme). The PDF starts with the "what changed" summary by practice and
the passages per category before and after.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from reader.analysis.diff import NO_DIFFERENCES, Change, LinkChange, PolicyDiff, word_changes
from reader.analysis.taxonomy import category, practice_categories
from reader.analysis.tints import HighlightLook, as_look, highlight_colour, text_colour_on
from reader.wording import counted

ADDED_EDGE = "#2E7D32"
REMOVED_EDGE = "#C62828"
CHANGED_EDGE = "#1565C0"
KIND_LABEL = {"added": "Added", "removed": "Removed", "changed": "Changed"}
KIND_EDGE = {"added": ADDED_EDGE, "removed": REMOVED_EDGE, "changed": CHANGED_EDGE}
# The words a rewording took out (in the struck old text) and put in (in the new text).
WORDS_TAKEN_OUT = "background-color:#FFCDD2;font-weight:bold"
WORDS_PUT_IN = "font-weight:bold;text-decoration:underline"
# Removed text on a dark page: #C62828 on #1E1E1E has a contrast of 2.9, too faint to read.
REMOVED_TEXT = {False: REMOVED_EDGE, True: "#EF9A9A"}
DARK_WORDS_TAKEN_OUT = "background-color:#7F1D1D;color:#FFFFFF;font-weight:bold"


def removed_text_colour(look: Look = None) -> str:
    """The colour of removed text, readable on the page of the look's theme."""
    return REMOVED_TEXT[as_look(look).dark]


Look = HighlightLook | bool | None  # a look, or the older dark-theme flag


def _marked(category_id: str, look: Look) -> str:
    """The style of text highlighted as ``category_id``: its background and a text colour
    that reads on it."""
    colour = highlight_colour(category_id, as_look(look))
    return f"background-color:{colour};color:{text_colour_on(colour)};"


def category_labels(categories: tuple[str, ...], look: Look = None) -> str:
    """Coloured category name labels (the highlight colours of the viewer)."""
    if not categories:
        return "<span style='color:#777777'>no practice</span>"
    return " ".join(
        f"<span style='{_marked(c, look)}'>"
        f"&nbsp;{html.escape(category(c).name)}&nbsp;</span>" for c in categories)


def marked_texts(change: Change, look: Look = None) -> tuple[str, str]:
    """The old and new text of a change as HTML; in a changed passage the words the
    rewording took out and put in are marked (see :func:`reader.analysis.diff.word_changes`)."""
    e = html.escape
    if change.kind != "changed":
        return (e(change.old.text) if change.old else "", e(change.new.text) if change.new
                else "")
    old_runs, new_runs = word_changes(change.old.text, change.new.text)

    def runs_html(runs: list[tuple[str, bool]], style: str) -> str:
        return "".join(f"<span style='{style}'>{e(text)}</span>" if differs else e(text)
                       for text, differs in runs)

    taken_out = DARK_WORDS_TAKEN_OUT if as_look(look).dark else WORDS_TAKEN_OUT
    return runs_html(old_runs, taken_out), runs_html(new_runs, WORDS_PUT_IN)


def change_html(change: Change, anchor: str = "", look: Look = None) -> str:
    """One change as a table row-like block: kind, categories, text with its marks."""
    background = _marked(change.categories[0], look) if change.categories else ""
    old, new = marked_texts(change, look)
    struck = (f"<span style='text-decoration:line-through;color:{removed_text_colour(look)}'>"
              f"{old}</span>")
    if change.kind == "added":
        text = f"<span style='{background}'>{new}</span>"
    elif change.kind == "removed":
        text = struck
    else:
        text = f"{struck}<br><span style='{background}'>{new}</span>"
    name = f"<a name='{anchor}'></a>" if anchor else ""
    return (f"<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:4px'>"
            f"<tr><td width='6' style='background-color:{KIND_EDGE[change.kind]}'></td>"
            f"<td>{name}<b>{KIND_LABEL[change.kind]}</b> · "
            f"{category_labels(change.categories, look)}<br>{text}</td></tr></table>")


LINK_KIND_LABEL = {"changed": "Link changed", "added": "Link added",
                   "removed": "Link removed"}


def link_change_html(change: LinkChange, look: Look = None) -> str:
    """A link whose target changed (old target struck, new one bold) or that was added or
    taken out, with its text and the text around it. Targets are shown as text, never as
    links (policy text is untrusted)."""
    e = html.escape
    struck = f"text-decoration:line-through;color:{removed_text_colour(look)}"
    if change.kind == "changed":
        where = (f"<span style='{struck}'>{e(change.old.target)}</span> → "
                 f"<b>{e(change.new.target)}</b>")
    elif change.kind == "added":
        where = f"now points to <b>{e(change.new.target)}</b>"
    else:
        where = f"pointed to <span style='{struck}'>{e(change.old.target)}</span>"
    link = change.link
    return (f"<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:4px'>"
            f"<tr><td width='6' style='background-color:{CHANGED_EDGE}'></td>"
            f"<td><b>{LINK_KIND_LABEL[change.kind]}</b> · “{e(link.text or link.target)}” "
            f"{where}<br><span style='color:#777777'>{e(link.context)}</span></td></tr>"
            f"</table>")


def links_html(diff: PolicyDiff, look: Look = None) -> str:
    """The links that changed, under a heading (empty when none did)."""
    if not diff.links:
        return ""
    return (f"<h3>Links changed ({len(diff.links)})</h3>"
            + "".join(link_change_html(c, look) for c in diff.links))


def no_changes_note(diff: PolicyDiff) -> str:
    """What the list of changes says when no sentence changed: that only links did, or
    how the files differ (never "no differences" for two different files)."""
    if diff.links:
        return "No sentence changed; links did:"
    return diff.other_difference or NO_DIFFERENCES


def summary_html(diff: PolicyDiff, look: Look = None) -> str:
    """The "what changed" lines by practice and the passages per category table."""
    e = html.escape
    lines = "".join(f"<li>{e(line)}</li>" for line in diff.summary())
    rows = []
    for item in practice_categories():
        old, new = diff.category_counts.get(item.id, (0, 0))
        delta = new - old
        sign = f"+{delta}" if delta > 0 else str(delta) if delta else "="
        rows.append(f"<tr><td><span style='{_marked(item.id, look)}'>"
                    f"&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;{e(item.name)}</td>"
                    f"<td align='right'>{old}</td><td align='right'>{new}</td>"
                    f"<td align='right'>{sign}</td></tr>")
    counts = (f"<table border='1' cellspacing='0' cellpadding='3'>"
              f"<tr><th align='left'>Practice</th><th>{e(diff.old)}</th><th>{e(diff.new)}</th>"
              f"<th>change</th></tr>{''.join(rows)}</table>")
    added, removed, changed = (len(diff.of_kind(k)) for k in ("added", "removed", "changed"))
    totals = (f"<p>{counted(added, 'passage')} added, {removed} removed, {changed} changed "
              f"(reworded).</p>")
    return f"<h3>What changed</h3><ul>{lines}</ul>{totals}<h3>Passages per practice</h3>{counts}"


def diff_html(company: str, diff: PolicyDiff, look: Look = None,
              exported_on: dt.date | None = None) -> str:
    """The whole diff report: title, summary, then every change in document order."""
    e = html.escape
    stamp = (exported_on or dt.date.today()).isoformat()
    changes = "".join(change_html(c, f"c{i}", look) for i, c in enumerate(diff.changes))
    return (f"<h1>{e(company)}: what changed</h1>"
            f"<p>From the version of {e(diff.old)} to the version of {e(diff.new)}. "
            f"Exported {stamp} with Privacy Policy Reader.</p>"
            f"{summary_html(diff, look)}<hr><h2>Changes</h2>"
            f"{changes or f'<p>{e(no_changes_note(diff))}</p>'}{links_html(diff, look)}")


def write_diff_pdf(company: str, diff: PolicyDiff, out: Path,
                   look: HighlightLook | None = None,
                   cancelled: Callable[[], bool] | None = None,
                   unprintable: set[str] | None = None) -> Path:
    """Write the diff report as a PDF (atomically; in any thread), on white paper in the
    intensity and palette of ``look``; raises ``ExportError`` (``ExportCancelled`` when
    ``cancelled()`` turns true). ``unprintable``, when given, receives the characters no
    font on this computer draws."""
    from PySide6.QtGui import QTextDocument

    from reader.output.export import new_pdf_document, write_document_pdf

    def make_document() -> QTextDocument:
        document = new_pdf_document()
        document.setHtml(diff_html(company, diff, replace(look, dark=False) if look else None))
        return document

    return write_document_pdf(make_document, out,
                              f"{company}: changes {diff.old} to {diff.new}", cancelled,
                              unprintable)
