"""Export a highlighted policy to PDF (QTextDocument printed on a QPdfWriter; no widgets).

The PDF holds a title block, the privacy facts card (as in the side panel), a legend of the
categories shown (colour and count), a summary table, then the whole policy with the same
highlight colours as the light-theme viewer.
Page numbers are printed at the foot of each page, each line once (:mod:`reader.output.pages`);
text stays selectable and the bundled DejaVu fonts are embedded. Files are written to a
temporary name and renamed, so a failed export never leaves half a file nor replaces a good
one.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import secrets
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader import __version__
from reader.analysis.fact_categories import (
    category_row_note,
    fact_note,
    facts_beside_categories,
)
from reader.analysis.facts import (
    ALSO_SAYS_NOT,
    NOT_RELIABLE,
    Evidence,
    Fact,
    card_note,
    card_rows,
)
from reader.analysis.taxonomy import practice_categories
from reader.analysis.tints import HighlightLook, highlight_colour
from reader.output.fonts import characters_without_a_font, register_fonts
from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus, PolicyLoadError
from reader.sources.layouts import is_privacy_policy
from reader.wording import counted

FONT_FAMILY = "DejaVu Sans"
BODY_POINT_SIZE = 10
PAGE_MARGIN_MM = 18


class ExportError(Exception):
    """An export that could not be written; the message says why and where."""


class ExportCancelled(ExportError):
    """The export was cancelled; nothing was written."""


class _NotCreated(Exception):
    """The temporary file could not be made (so there is none to remove)."""


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cancelled: bool = False
    # written file -> its characters that no font on this computer draws (empty boxes)
    unprintable: dict[Path, str] = field(default_factory=dict)


    def add_written(self, path: Path, unprintable: set[str]) -> None:
        """Record a PDF written and the characters of it no font draws (if any)."""
        self.written.append(path)
        if unprintable:
            self.unprintable[path] = "".join(sorted(unprintable))


def unprintable_notes(report: ExportReport) -> list[str]:
    """One message per written PDF that has characters no font on this computer draws."""
    from reader.output.fonts import missing_font_message

    return [missing_font_message(characters, path.name)
            for path, characters in report.unprintable.items() if characters]


def ensure_gui_application():
    """Qt needs an application object for fonts and painting; headless when there is none.

    A QApplication (not just QGuiApplication) is made so that widgets can still be created
    later in the same process.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if "QT_QPA_PLATFORM" not in os.environ:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication(sys.argv[:1])
    register_fonts()
    return app


def export_html(item: HighlightedPolicy, visible: set[str] | None = None,
                exported_on: dt.date | None = None, look: HighlightLook | None = None,
                confident_only: bool = False) -> str:
    """The whole export as HTML: title block, legend, summary table, highlighted policy."""
    return "".join(export_html_parts(item, visible, exported_on, look, confident_only))


def export_html_parts(item: HighlightedPolicy, visible: set[str] | None = None,
                      exported_on: dt.date | None = None,
                      look: HighlightLook | None = None,
                      confident_only: bool = False) -> list[str]:
    """:func:`export_html` in parts for :func:`append_html`, highlighted with the
    intensity and palette of ``look`` (on white paper whatever the screen's theme);
    ``confident_only`` highlights and counts only confident passages, as the viewer's
    switch does."""
    policy = item.policy
    look = replace(look, dark=False) if look else HighlightLook()
    shown = _shown_categories(visible)
    counts = item.counts(confident_only)
    exported_on = exported_on or dt.date.today()
    e = html.escape
    rows = [("Company", e(policy.company_label)), ("Policy", e(policy.title)),
            *([] if is_privacy_policy(policy.doc_type) else [("Document", e(policy.doc_type))]),
            ("Archived", e(policy.archive_date or "unknown")),
            ("Source", f'<a href="{e(policy.source_url)}">{e(policy.source_url)}</a>'
             if policy.source_url else "local file"),
            ("Length", f"{counted(policy.word_count, 'word')}, "
                       f"about {policy.reading_minutes} min read"),
            ("Exported", exported_on.isoformat() + " with Privacy Policy Reader")]
    meta = "".join(f"<tr><td style='color:#555555'>{k}</td><td>{v}</td></tr>" for k, v in rows)
    legend = " ".join(
        f"<span style='background-color:{highlight_colour(c.id, look)}'>"
        f"&nbsp;{e(c.name)} ({counts[c.id]})&nbsp;</span>"
        for c in shown)
    beside = facts_beside_categories(item.analysis)
    notes = {fact_id: fact_note(outside) for fact_id, outside in beside.facts.items()}

    def stated_note(category_id: str) -> str:
        stated = beside.categories.get(category_id)
        return (f"<br><i style='color:#555555'>{e(category_row_note(stated))}</i>"
                if stated else "")

    summary = "".join(
        f"<tr><td><span style='background-color:{highlight_colour(c.id, look)}'>"
        f"&nbsp;&nbsp;&nbsp;&nbsp;</span>"
        f"&nbsp;{e(c.name)}</td><td>{e(c.explanation)}{stated_note(c.id)}</td>"
        f"<td align='right'>{counts[c.id]}</td></tr>" for c in shown)
    hidden = [c.name for c in practice_categories() if c not in shown]
    hidden_note = (f"<p style='color:#555555'>Not highlighted: {e(', '.join(hidden))}.</p>"
                   if hidden else "")
    if confident_only:
        ids = {c.id for c in shown}
        unsure = sum(1 for span in item.analysis.spans if ids & set(span.categories)
                     and not any(c in ids and span.is_confident(c) for c in span.categories))
        hidden_note += (f"<p style='color:#555555'>Confident passages only: "
                        f"{counted(unsure, 'unsure passage')} not highlighted.</p>")
    body = item.body_html_parts({c.id for c in shown}, dark_theme=look, anchors=False,
                                confident_only=confident_only)
    caveat = item.analysis.caveat()
    return [
        f"<h1>{e(policy.title)}</h1>"
        f"<table cellspacing='0' cellpadding='2'>{meta}</table>"
        f"{f'<p><b>Note:</b> {e(caveat)}</p>' if caveat else ''}"
        f"{facts_card_html(item.analysis.facts, item.analysis.text, notes)}"
        f"<h3>Legend</h3><p>{legend or 'No categories highlighted.'}</p>"
        f"<h3>Summary: passages per data practice</h3>"
        f"<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        f"<tr><th align='left'>Category</th><th align='left'>What it covers</th>"
        f"<th align='right'>Passages</th></tr>{summary}</table>{hidden_note}"
        f"<hr><h2>Policy text</h2>{body[0]}", *body[1:]
    ]


def facts_card_html(facts: Sequence[Fact], text: str,
                    notes: dict[str, str] | None = None) -> str:
    """The side panel's facts card for the PDF: per group, the facts stated (with the
    start of the sentence of ``text`` that states each, and its ``notes``: fact id ->
    "its sentence is not a passage of ..."), those it says it does not do (with theirs)
    and those not stated."""
    e = html.escape
    notes = notes or {}

    def noted(fact: Fact) -> str:
        note = notes.get(fact.id)
        return f" <span style='color:#555555'>({e(note)})</span>" if note else ""

    rows = []
    for row in card_rows(facts):
        if not row.shown:
            stated, missing = "", NOT_RELIABLE
        else:
            stated = "<br>".join(
                [f"<b>{e(fact.label)}</b>{_evidence_quote(fact.evidence, text)}{noted(fact)}"
                 + (f" <i>{e(ALSO_SAYS_NOT)}</i>{_evidence_quote(fact.denials, text)}"
                    if fact.denials else "")
                 for fact in row.stated]
                + [f"<i>says it does not:</i> <b>{e(fact.label)}</b>"
                   f"{_evidence_quote(fact.evidence, text)}" for fact in row.does_not])
            missing = e(", ".join(fact.label for fact in row.not_stated))
        rows.append(f"<tr><td width='15%'><b>{e(row.title)}</b></td>"
                    f"<td width='55%'>{stated or '&mdash;'}</td>"
                    f"<td width='30%' style='color:#555555'>{missing or '&mdash;'}</td></tr>")
    return (
        "<h3>Privacy facts</h3>"
        "<table border='1' cellspacing='0' cellpadding='2' width='100%' "
        "style='font-size:8pt'>"
        "<tr><th align='left'>Group</th><th align='left'>Stated, or says it does not "
        "(and where)</th>"
        f"<th align='left'>Not stated</th></tr>{''.join(rows)}</table>"
        f"<p style='color:#555555'><small>{e(card_note())}</small></p>")


EVIDENCE_QUOTE_CHARS = 70


def _evidence_quote(evidence: Sequence[Evidence], text: str) -> str:
    """' — "the start of the best sentence…"' (nothing when there is no evidence)."""
    if not evidence:
        return ""
    quote = " ".join(text[evidence[0].start:evidence[0].end].split())
    if len(quote) > EVIDENCE_QUOTE_CHARS:
        quote = quote[:max(quote.rfind(" ", 0, EVIDENCE_QUOTE_CHARS), 1)] + "…"
    return f" <span style='color:#555555'>&mdash; &ldquo;{html.escape(quote)}&rdquo;</span>"


def append_html(document, parts: list[str]) -> None:
    """Import HTML ``parts`` into an empty QTextDocument one after the other: PySide holds
    Python's lock while Qt imports HTML, so one big import in a worker thread would stall
    the GUI thread's Python code as long; parts keep each stall short. Each part starts in
    a new plain block if need be: ``insertHtml`` alone merges a part's first paragraph into the last
    one before it (their words ran together)."""
    from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor

    if not parts:
        return
    document.setHtml(parts[0])
    cursor = QTextCursor(document)
    for part in parts[1:]:
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if cursor.block().length() > 1:  # not the empty block Qt keeps after a table
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.insertHtml(part)


def _shown_categories(visible: set[str] | None):
    return [c for c in practice_categories() if visible is None or c.id in visible]


def new_pdf_document():
    """An empty QTextDocument with the PDF's body font and heading sizes."""
    from PySide6.QtGui import QFont, QTextDocument

    ensure_gui_application()
    document = QTextDocument()
    font = QFont(FONT_FAMILY)
    font.setPointSize(BODY_POINT_SIZE)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet("h1{font-size:18pt} h2{font-size:14pt} h3{font-size:12pt}")
    return document


def build_document(item: HighlightedPolicy, visible: set[str] | None = None,
                   look: HighlightLook | None = None, confident_only: bool = False):
    from PySide6.QtGui import QTextDocument

    document = new_pdf_document()
    append_html(document, export_html_parts(item, visible, look=look,
                                            confident_only=confident_only))
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle,
                                f"{item.policy.domain}: {item.policy.title}")
    return document


def write_pdf(item: HighlightedPolicy, out: Path, visible: set[str] | None = None,
              cancelled: Callable[[], bool] | None = None,
              look: HighlightLook | None = None, confident_only: bool = False,
              unprintable: set[str] | None = None) -> Path:
    """Write one PDF atomically; raises :class:`ExportError` with a clear message.
    ``unprintable``, when given, receives the characters no font on this computer draws."""
    return write_document_pdf(lambda: build_document(item, visible, look, confident_only), out,
                              f"{item.policy.domain}: {item.policy.title}", cancelled,
                              unprintable)


def pdf_target(out: Path) -> Path:
    """The file an export to ``out`` writes (``.pdf`` added), checked: its folder exists
    and it is not a folder; raises :class:`ExportError` saying why not."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise ExportError(f"Cannot export to {out}: it is a folder.")
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    folder = out.parent.resolve() if out.parent != Path("") else Path.cwd()
    if not folder.is_dir():
        raise ExportError(f"Cannot export to {out}: the folder {folder} does not exist.")
    if out.is_dir():
        raise ExportError(f"Cannot export to {out}: it is a folder.")
    return folder / out.name


def write_document_pdf(make_document: Callable[[], object], out: Path, title: str,
                       cancelled: Callable[[], bool] | None = None,
                       unprintable: set[str] | None = None) -> Path:
    """Print the QTextDocument ``make_document()`` builds to ``out`` on A4, atomically.
    ``unprintable``, when given, receives the document's characters that no font on this
    computer draws (they print as empty boxes; :func:`characters_without_a_font`).

    Runs in any thread (the QTextDocument and QPdfWriter are made where it runs). The
    temporary ``.part`` file is removed whatever stops the export: an error, ``cancelled()``
    turning true (:class:`ExportCancelled`), Ctrl+C or an exit.
    """
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    from reader.output.pages import print_pages

    out = pdf_target(out)
    folder = out.parent
    # The .part file is made inside the try, so that an interrupt (Ctrl+C, SIGTERM) right
    # after it appears still removes it.
    temp = folder / f".{out.stem}.{secrets.token_hex(6)}.pdf.part"
    try:
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise _NotCreated(f"Cannot write to {folder}: {exc.strerror or exc}.") from exc
        document = make_document()
        if cancelled and cancelled():
            raise ExportCancelled(f"Export to {out} cancelled.")
        if unprintable is not None:
            unprintable.update(characters_without_a_font(document.toPlainText()))
        writer = QPdfWriter(str(temp))
        writer.setTitle(title)
        writer.setCreator(f"Privacy Policy Reader {__version__}")
        writer.setResolution(300)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Portrait,
                                         QMarginsF(PAGE_MARGIN_MM, PAGE_MARGIN_MM,
                                                   PAGE_MARGIN_MM, PAGE_MARGIN_MM),
                                         QPageLayout.Unit.Millimeter))
        print_pages(document, writer)
        del writer  # finishes and closes the file
        if cancelled and cancelled():
            raise ExportCancelled(f"Export to {out} cancelled.")
        os.chmod(temp, 0o666 & ~_umask())  # made 0600 while written; honour the umask
        if temp.stat().st_size < 100:
            raise ExportError(f"Cannot export to {out}: the PDF could not be written.")
        os.replace(temp, out)
    except _NotCreated as exc:
        raise ExportError(str(exc)) from exc.__cause__
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ExportError(f"Cannot export to {out}: {exc.strerror or exc}.") from exc
    except BaseException:  # ExportError, KeyboardInterrupt, SystemExit (SIGTERM in the CLI)
        temp.unlink(missing_ok=True)
        raise
    return out


def _umask() -> int:
    """The process umask (read from /proc where possible, so it is never changed)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def print_document(item: HighlightedPolicy, printer, visible: set[str] | None = None,
                   look: HighlightLook | None = None, confident_only: bool = False) -> None:
    """Print the same pages as the PDF export on a QPrinter."""
    from reader.output.pages import print_pages

    print_pages(build_document(item, visible, look, confident_only), printer)


ExportProgress = Callable[[int, int, str], None]


class StopOnSignals:
    """While entered (main thread only), SIGINT and SIGTERM do not kill the process but ask
    the export to stop: pass the object as ``cancelled``. The export then removes its
    ``.part`` file and raises :class:`ExportCancelled` (or reports ``cancelled``); a signal
    that arrives while Qt prints is acted on as soon as it returns. ``signum`` says which
    signal came (exit with ``128 + signum``)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum = 0
        self._previous: dict[int, object] = {}

    def __call__(self) -> bool:
        return bool(self.signum)

    def _received(self, signum: int, _frame) -> None:
        self.signum = signum

    def __enter__(self) -> StopOnSignals:
        for number in self.SIGNALS:
            self._previous[number] = signal.signal(number, self._received)
        return self

    def __exit__(self, *_exc) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)


def export_many(corpus: Corpus, domains: Sequence[str], folder: Path,
                visible: set[str] | None = None, progress: ExportProgress | None = None,
                cancelled: Callable[[], bool] | None = None,
                look: HighlightLook | None = None,
                confident_only: bool = False) -> ExportReport:
    """Export several policies into ``folder`` as ``<domain>.pdf``; failures are listed."""
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(exist_ok=True)  # the folder itself, like -o's file; never its parents
    except FileNotFoundError as exc:
        raise ExportError(f"Cannot export to {folder}: the folder {folder.parent} does not "
                          "exist.") from exc
    except OSError as exc:
        raise ExportError(f"Cannot create the folder {folder}: {exc.strerror or exc}.") from exc
    report = ExportReport()
    for done, domain in enumerate(domains, 1):
        if cancelled and cancelled():
            report.cancelled = True
            break
        try:
            item = HighlightedPolicy.of(corpus.load(domain))
            missing: set[str] = set()
            report.add_written(write_pdf(item, folder / f"{domain}.pdf", visible, cancelled,
                                         look, confident_only, missing), missing)
        except ExportCancelled:
            report.cancelled = True
            break
        except (PolicyLoadError, ExportError, KeyError) as exc:
            report.failed.append(f"{domain}: {exc}")
        if progress:
            progress(done, len(domains), domain)
    return report
