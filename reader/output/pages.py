"""Print a QTextDocument on pages (a QPdfWriter or a QPrinter), as ``QTextDocument.print_``
does, without the hidden copy of a line at each page break.

Qt's own ``print_`` draws, on each page, a paragraph from the line *before* the first one
inside the page (``QTextLayout::draw`` keeps the last line above the clip). The painter's
clip hides that line, but a PDF still holds its text above the top of the page, where text
extraction (pdfplumber, pdfminer, screen readers) reads it as a repeated line. Qt also
draws a table's header rows (``<thead>``, ``QTextTableFormat.headerRowCount``) again at the
top of each page the table runs onto: text printed twice as well. Here a table's header
rows are printed once, where the table starts; the document is laid out on the pages
exactly as Qt lays it out, every paragraph that runs over a page break is cut in two at
the break, and the pages are drawn as Qt draws them: the same positions, the same page
numbers, each line once.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPainter,
    QPalette,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)

FRAME_MARGIN_CM = 2.0  # the margin Qt's print_ adds inside the device's page rectangle
DEFAULT_PRINTER_MARGIN_MM = 2.0  # what Qt's print_ gives a printer with no margins
MAX_CUTTING_PASSES = 20


def _source_dpi() -> tuple[int, int]:
    """The resolution documents are laid out in (Qt's ``qt_defaultDpi``)."""
    if QGuiApplication.testAttribute(Qt.ApplicationAttribute.AA_Use96Dpi):
        return 96, 96
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return 100, 100
    return round(screen.logicalDotsPerInchX()), round(screen.logicalDotsPerInchY())


LINE_BREAKS = " \u2028"  # a space or a forced line break (<br>) that ends a line


def page_break_positions(document: QTextDocument, page_height: float) -> list[int]:
    """Document positions where a paragraph's line starts on a later page than the line
    before it (the document already laid out on pages ``page_height`` high)."""
    document.pageCount()  # lays the whole document out
    layout = document.documentLayout()
    positions: list[int] = []
    block = document.begin()
    while block.isValid():
        lines = block.layout()
        if lines.lineCount() > 1:
            top = layout.blockBoundingRect(block).top()  # where the lines' y is from
            page = int((top + lines.lineAt(0).y()) // page_height)
            for number in range(1, lines.lineCount()):
                line = lines.lineAt(number)
                line_page = int((top + line.y()) // page_height)
                if line_page != page:
                    positions.append(block.position() + line.textStart())
                page = line_page
        block = block.next()
    return positions


def cut_paragraphs_at(document: QTextDocument, positions: list[int]) -> None:
    """Cut the paragraphs at ``positions`` in two, so that the second part starts where the
    line did: no margin or first-line indent between the parts, the second part no new list
    item, the space or forced line break that ended the first part's line taken out (the
    cut is the line break; a space's highlight would show). All cuts are one edit: Qt lays
    the document out again once, not after each cut (a diff of 2,569 changes, each a small
    table, took 92 ms a cut: 40 s for its 197 pages)."""
    editing = QTextCursor(document)
    editing.beginEditBlock()
    try:
        _cut_paragraphs(document, positions)
    finally:
        editing.endEditBlock()


def _cut_paragraphs(document: QTextDocument, positions: list[int]) -> None:
    for position in sorted(positions, reverse=True):
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        first = cursor.block()
        first_format = first.blockFormat()
        cursor.insertBlock()
        second = cursor.block()
        if second.textList() is not None:
            second.textList().remove(second)
        second_format = second.blockFormat()
        second_format.setTopMargin(0)
        second_format.setTextIndent(0)
        cursor.setBlockFormat(second_format)
        first_format.setBottomMargin(0)
        end = QTextCursor(first)
        end.setBlockFormat(first_format)
        end.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        if end.positionInBlock() and document.characterAt(end.position() - 1) in LINE_BREAKS:
            end.deletePreviousChar()


def _tables(frame: QTextFrame):
    """The tables in ``frame``, nested ones too."""
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def print_header_rows_once(document: QTextDocument) -> None:
    """Make no table repeat its header rows at the top of each page it runs onto: they
    are a table's first rows like any other.

    The layout is finished first. Qt lays a document out lazily, a part at a time, after
    its page size is set; a table whose format changes before that layout has reached it
    is laid out again, and the blocks after the table are then taken as laid out when they
    never were: they have no lines and are never drawn (apple.com's PDF lost the 570
    characters after its table)."""
    document.pageCount()  # lays the whole document out
    for table in list(_tables(document.rootFrame())):
        table_format = table.format()
        if table_format.headerRowCount():
            table_format.setHeaderRowCount(0)
            table.setFormat(table_format)


def _pages_of(block: QTextBlock, page_height: float) -> tuple[int, int]:
    """The pages (from 0) of a laid-out block's first and last line."""
    top = block.document().documentLayout().blockBoundingRect(block).top()
    lines = block.layout()
    first, last = lines.lineAt(0), lines.lineAt(lines.lineCount() - 1)
    return int((top + first.y()) // page_height), int((top + last.y()) // page_height)


def _shown(block: QTextBlock, step: str) -> QTextBlock:
    """``block`` or the nearest block from it (``step``: "next" or "previous") with a line
    of text, or an invalid block (the empty block Qt keeps after a table is passed by)."""
    while block.isValid() and (block.length() <= 1 or block.layout().lineCount() == 0):
        block = getattr(block, step)()
    return block


def headings_ending_pages(document: QTextDocument, page_height: float) -> list[QTextBlock]:
    """The headings that end a page apart from what they head: the block after the heading
    starts on a later page (or the heading itself runs over the break), while the block
    before it ends on the heading's page (a heading first on its page stays)."""
    document.pageCount()  # lays the whole document out
    found: list[QTextBlock] = []
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() and block.layout().lineCount():
            first, last = _pages_of(block, page_height)
            before = _shown(block.previous(), "previous")
            after = _shown(block.next(), "next")
            if (after.isValid() and before.isValid()
                    and _pages_of(before, page_height)[1] == first
                    and (last > first or _pages_of(after, page_height)[0] > last)):
                found.append(block)
        block = block.next()
    return found


def keep_headings_with_next(document: QTextDocument, page_height: float) -> bool:
    """Start each heading that would end a page alone on the next page (before the block
    it heads); whether any was moved."""
    new_page = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
    headings = headings_ending_pages(document, page_height)
    for heading in headings:
        block_format = heading.blockFormat()
        block_format.setPageBreakPolicy(block_format.pageBreakPolicy() | new_page)
        QTextCursor(heading).setBlockFormat(block_format)
        # A heading after it that was moved to the next page goes on under it there.
        after = _shown(heading.next(), "next")
        after_format = after.blockFormat()
        if (after.isValid() and after_format.headingLevel()
                and after_format.pageBreakPolicy() & new_page):
            after_format.setPageBreakPolicy(after_format.pageBreakPolicy() & ~new_page)
            QTextCursor(after).setBlockFormat(after_format)
    return bool(headings)


def cut_at_page_breaks(document: QTextDocument, page_height: float) -> None:
    """Keep each heading with the block after it (:func:`keep_headings_with_next`) and cut
    every paragraph that runs over a page break, until no heading ends a page and no
    paragraph runs over a break (a cut can move what follows by a little, and with it a
    later break)."""
    for _ in range(MAX_CUTTING_PASSES):
        moved = keep_headings_with_next(document, page_height)
        positions = page_break_positions(document, page_height)
        if not positions and not moved:
            return
        cut_paragraphs_at(document, positions)


def print_pages(document: QTextDocument, device: QPagedPaintDevice) -> None:
    """Print ``document`` on ``device`` as ``document.print_(device)`` would (2 cm margins
    inside the device's page rectangle, page numbers at the foot, a printer's page range),
    each line once, no heading alone at the foot of a page. ``document`` is changed: it is
    laid out for the device, its tables' header rows are printed once
    (:func:`print_header_rows_once`), a heading that would end a page starts the next one
    and it is cut at the page breaks."""
    if document.pageSize().isValid() and document.pageSize().height() < 2**31 - 1:
        raise ValueError("print_pages lays out an unpaginated document")
    margins = device.pageLayout().margins(QPageLayout.Unit.Millimeter)
    if margins.isNull():
        device.setPageMargins(QMarginsF(*(DEFAULT_PRINTER_MARGIN_MM,) * 4),
                              QPageLayout.Unit.Millimeter)
    painter = QPainter(device)
    if not painter.isActive():
        return
    try:
        dpi_x, dpi_y = _source_dpi()
        layout = document.documentLayout()
        layout.setPaintDevice(device)
        horizontal = int(FRAME_MARGIN_CM / 2.54 * dpi_x)
        vertical = int(FRAME_MARGIN_CM / 2.54 * dpi_y)
        frame = document.rootFrame().frameFormat()
        frame.setLeftMargin(horizontal)
        frame.setRightMargin(horizontal)
        frame.setTopMargin(vertical)
        frame.setBottomMargin(vertical)
        document.rootFrame().setFrameFormat(frame)
        body = QRectF(0, 0, device.width(), device.height())
        number_at = QPointF(
            body.width() - horizontal * device.logicalDpiX() / dpi_x,
            body.height() - vertical * device.logicalDpiY() / dpi_y
            + QFontMetrics(document.defaultFont(), device).ascent()
            + 5 * device.logicalDpiY() / 72.0)
        document.setPageSize(body.size())
        print_header_rows_once(document)
        cut_at_page_breaks(document, body.height())
        first, last = _page_range(device, document.pageCount())
        for number in range(first, last + 1):
            if number > first and not device.newPage():
                return
            _print_page(painter, document, number, body, number_at)
    finally:
        painter.end()


def _page_range(device: QPagedPaintDevice, pages: int) -> tuple[int, int]:
    ranges = device.pageRanges()
    first, last = (ranges.firstPage(), ranges.lastPage()) if not ranges.isEmpty() else (0, 0)
    if first == 0 and last == 0:
        first, last = 1, pages
    return max(1, first), min(pages, last)


def _print_page(painter: QPainter, document: QTextDocument, number: int, body: QRectF,
                number_at: QPointF) -> None:
    """Qt's ``printPage``: draw page ``number`` (from 1) and its number."""
    painter.save()
    try:
        painter.translate(body.left(), body.top() - (number - 1) * body.height())
        view = QRectF(0, (number - 1) * body.height(), body.width(), body.height())
        painter.setClipRect(view)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = view
        context.palette.setColor(QPalette.ColorRole.Text, QColor(Qt.GlobalColor.black))
        document.documentLayout().draw(painter, context)
        painter.setClipping(False)
        painter.setFont(QFont(document.defaultFont()))
        label = str(number)
        painter.drawText(
            round(number_at.x() - painter.fontMetrics().horizontalAdvance(label)),
            round(number_at.y() + view.top()), label)
    finally:
        painter.restore()
