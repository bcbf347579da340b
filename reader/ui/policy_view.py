"""The policy viewer: a QTextBrowser that never loads remote resources or runs anything,
the busy bar shown above it while a large policy opens, and the part bar of a long policy.

A long policy is shown in parts (pages) of bounded size: Qt lays out the document shown on
the GUI thread, and a bounded part keeps that under 100 ms (bench/bench_responsiveness.py).
Every part is reachable; jumps to an anchor switch to the part that holds it."""

from __future__ import annotations

import bisect
import contextlib
import re
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
    QTextLength,
    QTextOption,
    QTextTable,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QTextEdit,
    QWidget,
)

from reader.analysis.taxonomy import categories
from reader.analysis.tints import HighlightLook, current_colour, text_colour_on

EXTERNAL_SCHEMES = {"http", "https", "mailto"}
WIDE_TABLE_COLUMNS = 5  # tables with more columns than this keep a readable column width
MIN_COLUMN_CHARS = 14  # ...of at least this many characters (the view scrolls sideways)
CURRENT_MATCH_COLOUR = "#FF9800"
# Links on a light and on a dark page (contrast >= 4.5:1 on white and on the dark theme's
# #1E1E1E). Qt colours a link when it imports the HTML, from the application's palette,
# whatever the view's background: a dark page under a light desktop had dark-blue links.
LINK_COLOURS = {False: "#0645AD", True: "#8AB4F8"}


def link_style(dark: bool) -> str:
    """The default style sheet that colours a document's links for a dark or light page."""
    return f"a {{ color: {LINK_COLOURS[dark]}; }}"
PASSAGE_TITLE = re.compile(r"Passage (\d+): (.+)")
MATCH_TITLE = re.compile(r"Search match (\d+)")


def keep_tables_readable(document: QTextDocument, font: QFont) -> None:
    """Give every column of a wide table at least ``MIN_COLUMN_CHARS`` characters: Qt would
    squeeze its cells to a letter or two; now the table grows wider than the view, which
    scrolls sideways instead."""
    width = QFontMetricsF(font).averageCharWidth() * MIN_COLUMN_CHARS
    frames = [document.rootFrame()]
    while frames:
        frame = frames.pop()
        frames.extend(frame.childFrames())
        if isinstance(frame, QTextTable) and frame.columns() > WIDE_TABLE_COLUMNS:
            table_format = frame.format()
            table_format.setColumnWidthConstraints(
                [QTextLength(QTextLength.Type.FixedLength, width)] * frame.columns())
            frame.setFormat(table_format)


def set_side_margins(document: QTextDocument, left: float, right: float) -> None:
    """Give the document's root frame these side margins (unless it has them: setting them
    lays the document out again)."""
    frame = document.rootFrame()
    frame_format: QTextFrameFormat = frame.frameFormat()
    if (abs(frame_format.leftMargin() - left) > 0.5
            or abs(frame_format.rightMargin() - right) > 0.5):
        frame_format.setLeftMargin(left)
        frame_format.setRightMargin(right)
        frame.setFrameFormat(frame_format)


@dataclass
class Passage:
    """A highlighted passage (``s3``) or search match (``m0``) as laid out in a document."""

    anchor: str
    start: int
    end: int
    categories: tuple[str, ...] = ()  # category names, for passages


def passages_in(document: QTextDocument) -> dict[str, Passage]:
    """The passages and search matches of a rendered document, by anchor, found from the
    tooltips their spans carry ("Passage 4: Security · Search match 2")."""
    found: dict[str, Passage] = {}
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            it += 1
            tip = fragment.charFormat().toolTip()
            if not tip:
                continue
            start, end = fragment.position(), fragment.position() + fragment.length()
            for title in tip.split(" · "):
                if m := PASSAGE_TITLE.fullmatch(title):
                    key = f"s{int(m.group(1)) - 1}"
                    names = tuple(m.group(2).split(", "))
                elif m := MATCH_TITLE.fullmatch(title):
                    key, names = f"m{int(m.group(1)) - 1}", ()
                else:
                    continue
                if key in found:
                    found[key].start = min(found[key].start, start)
                    found[key].end = max(found[key].end, end)
                else:
                    found[key] = Passage(key, start, end, names)
        block = block.next()
    return found


class PolicyDocument(QTextDocument):
    """A policy's rendered text; loads no resource. Can be built in a worker thread (then
    moved to the GUI thread) so that Qt's HTML import does not block the window."""

    passages: dict[str, Passage] | None = None  # found by the worker that built it

    @classmethod
    def of_html(cls, parts: list[str], font: QFont,
                margins: tuple[float, float] | None = None,
                dark: bool = False) -> PolicyDocument:
        """The document of HTML ``parts`` (imported one by one, see :func:`append_html`),
        with its passages found and the side ``margins`` the view will give it (both are
        GUI-thread work on a big part otherwise), its links coloured for a ``dark`` page
        or a light one."""
        from reader.output.export import append_html

        document = cls()
        document.setDefaultFont(font)
        document.setDefaultStyleSheet(link_style(dark))
        append_html(document, parts)
        keep_tables_readable(document, font)
        if margins is not None:
            set_side_margins(document, *margins)
        document.passages = passages_in(document)
        return document

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        return None


class PolicyBrowser(QTextBrowser):
    """Shows rendered policy HTML. In-page anchors scroll; web links open in the system
    browser only when clicked; images and other resources are never fetched."""

    external_link_requested = Signal(QUrl)
    page_changed = Signal(int, int)  # part shown (0-based), number of parts
    categories_at_cursor = Signal(str)  # "Passage 3: Security, Retention" or ""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # Words wrap only at spaces (a narrow table cell never breaks a word letter by letter)
        self.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._watched_layout = None  # whose size changes fit the sideways scroll bar
        self.line_width = 0  # characters per line at most (0: the whole width)
        self.look = HighlightLook()
        self.current_anchor = ""
        self._passages: dict[str, Passage] | None = None
        self._passage_starts: list[tuple[int, str]] = []
        self._names = {c.name: c for c in categories()}
        self.cursorPositionChanged.connect(self._announce_categories)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._follow)
        self.setAccessibleName("Policy text")
        self.open_external = QDesktopServices.openUrl
        self.pages: list[PolicyDocument] = []
        self.page = 0
        self._page_of_anchor: dict[str, int] = {}
        # Parts belong to a holder, not the browser: QTextEdit deletes a document that is
        # its child when another one is set, and parts are switched back and forth.
        self._page_holder = QObject(self)

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt override
        return None  # nothing is loaded: no images, no style sheets, no remote content

    def show_document(self, document: PolicyDocument) -> None:
        """Show a document built elsewhere (already in the GUI thread); the one it replaces
        is deleted. Qt lays it out lazily, the visible part first."""
        self.show_pages([PolicyPage(document, set())])

    def show_pages(self, pages: list[PolicyPage], page: int = 0) -> None:
        """Show a policy in ``pages`` (built elsewhere, already in the GUI thread), starting
        at ``page``; the documents shown before are deleted."""
        old = self.pages
        self.pages = [p.document for p in pages]
        self._page_of_anchor = {a: i for i, p in enumerate(pages) for a in p.anchors}
        for document in self.pages:
            document.setParent(self._page_holder)
        self.page = -1
        self.show_page(min(max(page, 0), len(self.pages) - 1))
        delete_one_by_one([d for d in old if d not in self.pages])

    def setHtml(self, text: str) -> None:  # noqa: N802 - Qt override
        """Small policies and messages: one page, in the browser's own document."""
        if self.pages:
            old, self.pages, self._page_of_anchor, self.page = self.pages, [], {}, 0
            self._drop_marks()
            self.setDocument(PolicyDocument(self))
            delete_one_by_one(old)
            self.page_changed.emit(0, 1)
        self.document().setDefaultStyleSheet(link_style(self.look.dark))
        super().setHtml(text)
        keep_tables_readable(self.document(), self.font())
        self.document_replaced()

    def _drop_marks(self) -> None:
        """Clear the extra selections (the passage or match stepped to, the find bar's
        marks) before another document is set: setDocument deletes a document the browser
        owns (a small policy's, from setHtml) at once, and clearing selections whose
        cursors pointed into it afterwards crashed the app (F8 on a small policy, then
        opening a large one)."""
        self.setExtraSelections([])

    # -- reading comfort: line width, current passage, categories beside the text --------

    def document_replaced(self) -> None:
        """A new document is shown: fit its margins, forget the passages of the old one."""
        layout = self.document().documentLayout()
        if layout is not self._watched_layout:
            self._watched_layout = layout
            layout.documentSizeChanged.connect(self._fit_sideways)
        self._passages = None
        self.current_anchor = ""
        self.setExtraSelections([])
        self.fit_line_width()
        self._announce_categories()  # the status bar no longer names the old passage

    def _fit_sideways(self, size=None) -> None:
        """No sideways scroll bar for a table that only reaches into the right margin: all
        of it is in view, only the empty margin after it is not (a four-column table of
        badoo.com's policy was 1 px too wide for the centred column, and the whole policy
        got a scroll bar). A table wider than the view keeps it."""
        document = self.document()
        width = (size or document.size()).width()
        right = document.rootFrame().frameFormat().rightMargin() + document.documentMargin()
        overflow = width - self.viewport().width()
        policy = (Qt.ScrollBarPolicy.ScrollBarAlwaysOff if 0 < overflow <= right
                  else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        if self.horizontalScrollBarPolicy() != policy:
            self.setHorizontalScrollBarPolicy(policy)
            self.horizontalScrollBar().setValue(0)

    def set_line_width(self, characters: int) -> None:
        """Keep lines at most ``characters`` long (0: the whole width), centred."""
        self.line_width = characters
        self.fit_line_width()

    def gutter_width(self) -> float:
        """Room on the left for the category labels beside passages."""
        return self._label_metrics().horizontalAdvance("Audience") + 12

    def side_margins(self, font: QFont | None = None,
                     document_margin: float | None = None) -> tuple[float, float]:
        """(left, right) margins that keep lines at the chosen length, centred in the view,
        with the gutter for category labels on the left; for the document shown, or for
        one in ``font`` (a part a worker builds)."""
        document = self.document()
        font = font if font is not None else document.defaultFont()
        margin = document.documentMargin() if document_margin is None else document_margin
        gutter = self.gutter_width()
        side = 0.0
        if self.line_width:
            text = QFontMetricsF(font).averageCharWidth() * self.line_width
            side = max(0.0, (self.viewport().width() - 2 * margin - gutter - text) / 2)
        return gutter + side, side

    def fit_line_width(self) -> None:
        """Set the document's side margins (see :meth:`side_margins`)."""
        set_side_margins(self.document(), *self.side_margins())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_line_width()

    def passages(self) -> dict[str, Passage]:
        """The passages and matches of the document shown, by anchor (found once)."""
        if self._passages is None:
            document = self.document()
            found = getattr(document, "passages", None)
            self._passages = found if found is not None else passages_in(document)
            self._passage_starts = sorted((p.start, a) for a, p in self._passages.items()
                                          if a.startswith("s"))
        return self._passages

    def passage_at(self, position: int) -> Passage | None:
        """The highlighted passage that holds text ``position``, if any."""
        passages = self.passages()
        i = bisect.bisect_right(self._passage_starts, (position, "\uffff")) - 1
        for candidate in self._passage_starts[max(0, i - 1):i + 1][::-1]:
            passage = passages[candidate[1]]
            if passage.start <= position < passage.end:
                return passage
        return None

    def categories_at(self, position: int) -> str:
        """"Passage 3: Security, Retention" for a position in a passage, else ""."""
        passage = self.passage_at(position)
        if passage is None:
            return ""
        return f"Passage {int(passage.anchor[1:]) + 1}: {', '.join(passage.categories)}"

    def _announce_categories(self) -> None:
        self.categories_at_cursor.emit(self.categories_at(self.textCursor().position()))

    def mark_current(self, anchor: str) -> bool:
        """Mark passage or match ``anchor`` as the one stepped to: its category's strongest
        colour (a stronger orange for a match), ruled above and below. False if it is not
        in the part shown."""
        passage = self.passages().get(anchor)
        self.current_anchor = anchor if passage else ""
        if passage is None:
            self.setExtraSelections([])
            return False
        if anchor.startswith("s") and passage.categories:
            first = self._names.get(passage.categories[0])
            background = current_colour(first.id, self.look) if first else CURRENT_MATCH_COLOUR
        else:
            background = CURRENT_MATCH_COLOUR
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(passage.start)
        cursor.setPosition(passage.end, QTextCursor.MoveMode.KeepAnchor)
        char_format = QTextCharFormat()
        char_format.setBackground(QColor(background))
        char_format.setForeground(QColor(text_colour_on(background)))
        char_format.setFontUnderline(True)
        char_format.setFontOverline(True)
        selection.cursor = cursor
        selection.format = char_format
        self.setExtraSelections([selection])
        return True

    def margin_labels(self) -> list[tuple[str, float, str]]:
        """The category labels beside the passages in view: (label, y, category id), one
        per paragraph and category; a "+" says the passage has more categories (hover or the
        status bar names them)."""
        passages = self.passages()
        if not self._passage_starts:
            return []
        top = self.cursorForPosition(QPoint(0, 0)).position()
        bottom = self.cursorForPosition(QPoint(0, self.viewport().height())).position()
        first = max(0, bisect.bisect_left(self._passage_starts, (top, "")) - 1)
        height = self._label_metrics().height() + 2
        labels: list[tuple[str, float, str]] = []
        last_y = -1e9
        last: tuple[str, int] = ("", -1)  # label and paragraph of the label before
        document = self.document()
        for start, anchor in self._passage_starts[first:]:
            if start > bottom:
                break
            passage = passages[anchor]
            category = self._names.get(passage.categories[0]) if passage.categories else None
            if category is None or passage.end <= top:
                continue
            label = category.short + ("+" if len(passage.categories) > 1 else "")
            paragraph = document.findBlock(max(start, top)).blockNumber()
            if (label, paragraph) == last:
                continue  # one label per paragraph for a run of the same categories
            last = (label, paragraph)
            cursor = QTextCursor(document)
            cursor.setPosition(max(start, top))
            natural = float(self.cursorRect(cursor).top())
            if labels and labels[-1][0] == label and natural < last_y + height:
                continue  # the same label on the same line (cells of a table row)
            y = max(natural, last_y + height)
            if y > self.viewport().height():
                break
            last_y = y
            labels.append((label, y, category.id))
        return labels

    def label_x(self) -> float:
        """Where the labels start: just left of the text, in the gutter."""
        left = self.document().rootFrame().frameFormat().leftMargin()
        return max(0.0, left - self.gutter_width()) + 2 - self.horizontalScrollBar().value()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        """The text, then each visible passage's category label in the left gutter."""
        super().paintEvent(event)
        labels = self.margin_labels()
        if not labels:
            return
        painter = QPainter(self.viewport())
        metrics = self._label_metrics()
        painter.setFont(self._label_font())
        left = self.label_x()
        for label, y, category_id in labels:
            colour = current_colour(category_id, self.look)
            box = QRectF(left, y, metrics.horizontalAdvance(label) + 6, metrics.height() + 1)
            painter.fillRect(box, QColor(colour))
            painter.setPen(QColor(text_colour_on(colour)))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.end()

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
        font.setBold(True)
        return font

    def _label_metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self._label_font())

    @property
    def page_count(self) -> int:
        return max(1, len(self.pages))

    def show_page(self, page: int, at_end: bool = False) -> bool:
        """Show part ``page`` (0-based) at its top (or end); False if there is no such part."""
        if not 0 <= page < len(self.pages):
            return False
        if page != self.page:
            self.page = page
            self._drop_marks()
            self.setDocument(self.pages[page])
            self.document_replaced()
            self.page_changed.emit(page, len(self.pages))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum() if at_end else 0)
        return True

    def next_page(self) -> bool:
        return self.show_page(self.page + 1)

    def previous_page(self) -> bool:
        return self.show_page(self.page - 1, at_end=True)

    def page_of_anchor(self, anchor: str) -> int:
        return self._page_of_anchor.get(anchor, self.page)

    def go_to_anchor(self, anchor: str) -> None:
        """Scroll to ``anchor``, switching first to the part that holds it."""
        page = self._page_of_anchor.get(anchor)
        if page is not None and page != self.page:
            self.show_page(page)
        self.scrollToAnchor(anchor)
        if self.mark_current(anchor):
            self._show_lines_above(self.passages()[anchor].start)

    def _show_lines_above(self, position: int) -> None:
        """scrollToAnchor puts the target on the view's top edge, the line above it cut
        through: a search match read without the words before it. Keep a quarter of the
        view above the target (as the facts card's evidence has a third)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        room = self.viewport().height() // 4
        top = self.cursorRect(cursor).top()
        if top < room:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() - (room - top))

    def all_text(self) -> str:
        """The plain text of every part, in order (the whole policy as shown)."""
        if not self.pages:
            return self.toPlainText()
        return "\n".join(document.toPlainText() for document in self.pages)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        """PageDown at the end of a part continues with the next; PageUp at its top goes
        back to the end of the one before."""
        bar = self.verticalScrollBar()
        key = event.key()
        if (key == Qt.Key.Key_PageDown and bar.value() >= bar.maximum()
                and self.next_page()):
            return
        if key == Qt.Key.Key_PageUp and bar.value() <= bar.minimum() and self.previous_page():
            return
        super().keyPressEvent(event)

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in EXTERNAL_SCHEMES:
            self.external_link_requested.emit(url)
            self.open_external(url)
        elif url.hasFragment() and not url.scheme():
            self.go_to_anchor(url.fragment())


def delete_one_by_one(documents: list[QTextDocument]) -> None:
    """Delete documents one per event-loop turn: freeing the parts of a 4 MB policy at
    once holds the GUI thread for a tenth of a second."""
    if not documents:
        return
    with contextlib.suppress(RuntimeError):  # already gone with its window
        documents[0].deleteLater()
    if len(documents) > 1:
        QTimer.singleShot(0, lambda rest=documents[1:]: delete_one_by_one(rest))


ANCHOR_PATTERN = re.compile(r'<a name="([^"]+)"|\sid="([^"]+)"')


class PolicyPage:
    """One part of a long policy: its document and the anchors it holds."""

    def __init__(self, document: PolicyDocument, anchors: set[str]) -> None:
        self.document = document
        self.anchors = anchors

    @classmethod
    def of_html(cls, parts: list[str], font: QFont,
                margins: tuple[float, float] | None = None, dark: bool = False) -> PolicyPage:
        anchors = {a or b for html in parts for a, b in ANCHOR_PATTERN.findall(html)}
        return cls(PolicyDocument.of_html(parts, font, margins, dark), anchors)


class PageBar(QWidget):
    """"Part 2 of 7" with Previous/Next, shown above a long policy; hidden otherwise."""

    def __init__(self, browser: PolicyBrowser, parent=None) -> None:
        super().__init__(parent)
        self.browser = browser
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.previous_button = QPushButton("◀ Previous part")
        self.previous_button.setAccessibleName("Previous part of the policy")
        self.previous_button.setToolTip("Previous part (Ctrl+PgUp; PgUp at the top)")
        self.previous_button.clicked.connect(self.browser.previous_page)
        self.next_button = QPushButton("Next part ▶")
        self.next_button.setAccessibleName("Next part of the policy")
        self.next_button.setToolTip("Next part (Ctrl+PgDown; PgDown at the end)")
        self.next_button.clicked.connect(self.browser.next_page)
        for keys, slot in (("Ctrl+PgDown", self.browser.next_page),
                           ("Ctrl+PgUp", self.browser.previous_page)):
            shortcut = QShortcut(QKeySequence(keys), browser)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        browser.page_changed.connect(self.update_parts)
        self.hide()

    def update_parts(self, page: int, count: int) -> None:
        if count <= 1:
            self.hide()
            return
        self.label.setText(f"<b>Part {page + 1} of {count}</b> — this policy is long, so it "
                           "is shown in parts; nothing is left out (PgDown at the end of a "
                           "part continues).")
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)
        self.show()


class BusyBar(QWidget):
    """"Opening … (size)" with a moving bar and Cancel, above the policy text."""

    cancel_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: no known end
        self.bar.setMaximumWidth(160)
        self.bar.setAccessibleName("Opening the policy")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel opening the policy")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()
