"""A comparison of companies as HTML and as a PDF (the same table as the Compare view).

One column per company; a row where the companies differ is marked with "≠" and bold text
(never by colour alone). Fact cells say "stated", "says it does not" or "not stated",
practice cells the number
of passages; after the tables each row's evidence is quoted in full: the sentence that
states the fact, or the most confident passage, per company.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from reader.analysis.compare import FACT_ROW, PRACTICE_ROW, Cell, Comparison, Row
from reader.analysis.facts import ALSO_SAYS_NOT, DOES_NOT, STATED_MEANS
from reader.analysis.taxonomy import category
from reader.wording import counted

DIFFERS_MARK = "≠"
DIFFERS_BACKGROUND = "#FFF3CD"
NOT_STATED_COLOUR = "#555555"


def _cell_html(row: Row, cell: Cell) -> str:
    if row.kind == PRACTICE_ROW:
        count = f"<b>{cell.count}</b> {'passage' if cell.count == 1 else 'passages'}"
        if cell.note:  # "0 passages · stated in the facts card: ..."
            return f"{count}<br><i>{html.escape(cell.note.split(' · ', 1)[1])}</i>"
        return count
    if cell.stated:
        return "<b>✓ stated</b>" + (f" <i>{html.escape(ALSO_SAYS_NOT)}</i>" if cell.denials else "")
    if cell.state == DOES_NOT:
        return "<i>✗ says it does not</i>"
    return f"<span style='color:{NOT_STATED_COLOUR}'>– not stated</span>"


def _evidence_html(comparison: Comparison, kind: str) -> str:
    """Per row, each company's best evidence sentence (or passage), quoted in full."""
    e = html.escape
    parts = []
    for row in comparison.rows_of(kind):
        quotes = [(company, cell.evidence[0].text)
                  for company, cell in zip(comparison.companies, row.cells, strict=True)
                  if cell.evidence]
        if not quotes:
            continue
        title = e(row.title)
        title = f"{DIFFERS_MARK} {title}" if row.differs else title
        items = "".join(f"<li><b>{e(company.domain)}</b>: “{e(text)}”</li>"
                        for company, text in quotes)
        parts.append(f"<p style='margin-bottom:0'><b>{title}</b></p><ul>{items}</ul>")
    return "".join(parts)


def _breakable(domain: str) -> str:
    """A domain for a narrow column header: a line may break after its dots and hyphens
    (``tiktok.`` / ``com``) rather than anywhere (``tiktok.co`` / ``m``)."""
    return re.sub(r"([.-])(?=.)", "\\1\u200b", html.escape(domain))


def _rows_html(comparison: Comparison, kind: str) -> str:
    e = html.escape
    width = 70 // len(comparison.companies)
    header = "".join(f"<th align='left' width='{width}%'>{_breakable(c.domain)}</th>"
                     for c in comparison.companies)
    lines = [f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
             f"<tr><th align='left' width='30%'>"
             f"{'Fact' if kind == FACT_ROW else 'Practice'}</th>{header}</tr>"]
    group = ""
    for row in comparison.rows_of(kind):
        if kind == FACT_ROW and row.group != group:
            group = row.group
            lines.append(f"<tr><td colspan='{len(comparison.companies) + 1}' "
                         f"style='background-color:#EEEEEE'><b>{e(group)}</b></td></tr>")
        label = e(row.label)
        if kind == PRACTICE_ROW:
            swatch = category(row.id).light
            label = (f"<span style='background-color:{swatch}'>&nbsp;&nbsp;&nbsp;</span>"
                     f"&nbsp;{label}")
        if row.differs:
            label = f"<b>{DIFFERS_MARK} {label}</b>"
        shade = f" style='background-color:{DIFFERS_BACKGROUND}'" if row.differs else ""
        cells = "".join(f"<td valign='top'{shade}>{_cell_html(row, cell)}</td>"
                        for cell in row.cells)
        lines.append(f"<tr><td valign='top'{shade}>{label}</td>{cells}</tr>")
    lines.append("</table>")
    return "".join(lines)


def comparison_html(comparison: Comparison, exported_on: dt.date | None = None) -> str:
    """The whole comparison report: title, the companies, the facts and practices tables."""
    e = html.escape
    stamp = (exported_on or dt.date.today()).isoformat()
    names = ", ".join(c.domain for c in comparison.companies)
    # A date and a length never wrap, a name breaks after a dot or at a space (four
    # companies on A4 read "2017-06-3" / "0" and "americanexpress.co" / "m").
    nowrap = "style='white-space:nowrap'"
    companies = "".join(
        f"<tr><td><b>{_breakable(c.label)}</b></td><td>{e(c.title)}</td>"
        f"<td {nowrap}>{e(c.archive_date or 'date unknown')}</td>"
        f"<td align='right' {nowrap}>{counted(c.word_count, 'word')}</td></tr>"
        + (f"<tr><td></td><td colspan='3'><b>Note:</b> {e(c.caveat)}</td></tr>"
           if c.caveat else "")
        for c in comparison.companies)
    differing = len(comparison.differing())
    return (f"<h1>Compared: {e(names)}</h1>"
            f"<p>Exported {stamp} with Privacy Policy Reader. "
            f"<b>{DIFFERS_MARK}</b> marks the {counted(differing, 'row')} where the companies "
            "differ "
            "(a fact stated, said not done or not stated by some; a practice with passages "
            "in some policies and none in others).</p>"
            f"<table cellspacing='0' cellpadding='2'>{companies}</table>"
            f"<h2>Privacy facts</h2>{_rows_html(comparison, FACT_ROW)}"
            f"<p style='color:{NOT_STATED_COLOUR}'>{e(STATED_MEANS)} “Not stated” means "
            f"no sentence of the policy is about the fact.</p>"
            f"<h2>Passages per practice</h2>{_rows_html(comparison, PRACTICE_ROW)}"
            f"<h2>Evidence: the sentences that state each fact</h2>"
            f"{_evidence_html(comparison, FACT_ROW)}"
            f"<h2>Evidence: the most confident passage of each practice</h2>"
            f"{_evidence_html(comparison, PRACTICE_ROW)}")


def write_comparison_pdf(comparison: Comparison, out: Path,
                         unprintable: set[str] | None = None) -> Path:
    """Write the comparison as a PDF (atomically); raises ``ExportError``. ``unprintable``,
    when given, receives the characters no font on this computer draws."""
    from PySide6.QtGui import QTextDocument

    from reader.output.export import new_pdf_document, write_document_pdf

    def make_document() -> QTextDocument:
        document = new_pdf_document()
        document.setHtml(comparison_html(comparison))
        return document

    names = ", ".join(c.domain for c in comparison.companies)
    return write_document_pdf(make_document, out, f"Compared: {names}",
                              unprintable=unprintable)
