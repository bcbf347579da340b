"""The Compare window, driven through its widgets with pytest-qt (seed policies)."""

from __future__ import annotations

import pdfplumber
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialogButtonBox

from reader.sources.corpus import Corpus
from reader.ui.compare_view import CompareDialog, ComparePicker, open_compare
from reader.ui.models import DomainRole

AUDIOMIDI_BROWSER = ("The Help portion of the toolbar on most browsers will tell you how to "
                     "prevent your browser from accepting new cookies, how to have the browser "
                     "notify you when you receive a new cookie, or how to disable cookies "
                     "altogether.")
BMT_LEGAL = ("We will also release such information to cooperate with law enforcement or "
             "other governmental investigations")


def wait_compared(qtbot, dialog: CompareDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.model.rowCount() > 0,
                    timeout=60000)


def row_of(dialog: CompareDialog, row_id: str) -> int:
    return [r.id for r in dialog.model.comparison.rows].index(row_id)


def test_compare_dialog_table(qtbot, embedded_corpus, tmp_path):
    dialog = CompareDialog(Corpus.open(embedded_corpus), ["bmtmicro.com", "audiomidi.com"])
    qtbot.addWidget(dialog)
    dialog.show()
    wait_compared(qtbot, dialog)
    model = dialog.model
    assert (model.rowCount(), model.columnCount()) == (30, 2)  # 21 facts shown + 9 practices
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == [
        "bmtmicro.com", "audiomidi.com"]
    assert "8 of 30 rows differ" in dialog.title.text()
    # Which version of each and how long, in view (passage counts follow length).
    assert dialog.title.text().startswith(
        "<b>bmtmicro.com</b> (2016-11-26, 548 words), "
        "<b>audiomidi.com</b> (2014-04-08, 753 words): 8 of 30 rows differ")
    # A fact both state: plain row, "stated" in both cells.
    contact = row_of(dialog, "collects:contact")
    assert model.headerData(contact, Qt.Orientation.Vertical) == "   Collects: Contact details"
    assert [model.index(contact, c).data() for c in range(2)] == ["✓ stated", "✓ stated"]
    assert model.index(contact, 0).data(Qt.ItemDataRole.FontRole) is None
    # A fact that differs: marked, bold, and the tooltip says who states it.
    browser = row_of(dialog, "choice:browser_controls")
    assert (model.headerData(browser, Qt.Orientation.Vertical)
            == "≠ Choices: Browser or device controls")
    assert [model.index(browser, c).data() for c in range(2)] == ["– not stated", "✓ stated"]
    assert model.index(browser, 1).data(Qt.ItemDataRole.FontRole).bold()
    assert model.headerData(browser, Qt.Orientation.Vertical, Qt.ItemDataRole.FontRole).bold()
    tip = model.index(browser, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "the companies differ. audiomidi.com states it; bmtmicro.com does not" in tip
    assert "bmtmicro.com: not stated" in tip
    # Passages per practice: counts, differing when one policy has none.
    choice = row_of(dialog, "user_choice")
    assert model.headerData(choice, Qt.Orientation.Vertical) == "≠ Passages: Your choices"
    assert [model.index(choice, c).data() for c in range(2)] == ["0", "3"]  # test_compare.py
    security = row_of(dialog, "data_security")
    assert [model.index(security, c).data() for c in range(2)] == ["9", "6"]  # test_compare
    # A cell with nothing to open says so.
    dialog.open_cell(model.index(browser, 0))
    assert "bmtmicro.com: nothing to open, not stated" in dialog.status.text()
    # Export from the view, in the background.
    out = tmp_path / "compared.pdf"
    assert dialog.export_pdf(str(out))
    qtbot.waitUntil(lambda: dialog.export_worker is None, timeout=60000)
    assert dialog.status.text() == f"Saved {out}"
    with pdfplumber.open(out) as pdf:
        text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Compared: bmtmicro.com, audiomidi.com" in text
    assert "≠ Your choices 0 passages 3 passages" in text
    dialog.close()


def test_clicking_a_cell_opens_the_policy_at_its_evidence(qtbot, make_window):
    window = make_window()
    window.select_company("ipmart.com")
    dialog = open_compare(window, ["bmtmicro.com", "audiomidi.com"])
    qtbot.addWidget(dialog)
    wait_compared(qtbot, dialog)
    table = dialog.table
    browser_row = row_of(dialog, "choice:browser_controls")
    rect = table.visualRect(dialog.model.index(browser_row, 1))
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current.policy.domain == "audiomidi.com"
    assert window.company_list.currentIndex().data(DomainRole) == "audiomidi.com"
    assert window.browser.textCursor().selectedText() == AUDIOMIDI_BROWSER
    # Another company's fact: its policy opens at that sentence.
    legal = dialog.model.index(row_of(dialog, "purpose:legal"), 0)
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        dialog.open_cell(legal)
    assert window.current.policy.domain == "bmtmicro.com"
    assert window.browser.textCursor().selectedText().startswith(BMT_LEGAL)
    # Clicking again steps to the next evidence sentence of the cell.
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        dialog.open_cell(legal)
    assert window.browser.textCursor().selectedText().startswith(
        "In order to comply with the law or to protect against fraud")
    assert "evidence 2 of 2 (click again for the next)" in dialog.status.text()
    dialog.close()


def test_compare_action_uses_the_companies_selected_in_the_list(qtbot, make_window):
    window = make_window()
    listing = window.company_list
    selection = listing.selectionModel()
    selection.clearSelection()
    for domain in ("bmtmicro.com", "ipmart.com"):
        selection.select(window._list_index(domain), QItemSelectionModel.SelectionFlag.Select)
    assert window.compare_action in listing.actions()  # the list's context menu
    window.compare_action.trigger()
    dialogs = window.findChildren(CompareDialog)
    assert len(dialogs) == 1 and dialogs[0].domains == ["bmtmicro.com", "ipmart.com"]
    wait_compared(qtbot, dialogs[0])
    dialogs[0].close()


def test_picker_needs_two_to_four_companies(qtbot, embedded_corpus):
    domains = Corpus.open(embedded_corpus).domains()
    picker = ComparePicker(domains, ["bmtmicro.com"])
    qtbot.addWidget(picker)
    ok = picker.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert picker.chosen() == ["bmtmicro.com"] and not ok.isEnabled()
    picker.filter.setText("ipm")
    assert picker.proxy.rowCount() == 1
    picker.set_chosen("ipmart.com")
    assert picker.chosen() == ["bmtmicro.com", "ipmart.com"] and ok.isEnabled()
    assert picker.hint.text() == "2 chosen: bmtmicro.com, ipmart.com"
    picker.filter.clear()  # the chosen stay chosen, shown selected again
    assert picker.chosen() == ["bmtmicro.com", "ipmart.com"]
    assert len(picker.list.selectionModel().selectedRows()) == 2
    row = picker.proxy.mapFromSource(picker.names.index(domains.index("audiomidi.com")))
    qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=picker.list.visualRect(row).center())
    assert picker.chosen() == ["audiomidi.com", "bmtmicro.com", "ipmart.com"]
    for domain in domains:
        picker.set_chosen(domain)
    assert len(picker.chosen()) == 5 and not ok.isEnabled()
    assert picker.hint.text() == "5 chosen; choose 2 to 4."


def test_long_company_names_fit_their_column_headers(qtbot, embedded_corpus, tmp_path):
    # Companies with long names (lesentrepreneursduweb.com in ../shared/corpus) had their
    # header cut at both ends ("esentrepreneursduweb.co"): the window now widens (up to the
    # screen, 800 pixels offscreen) so each name fits its column.
    names = ["lesentrepreneursduweb.com", "yamaha-motor.co.id.example"]
    for name, seed in zip(names, ["bmtmicro.com", "audiomidi.com"], strict=True):
        (tmp_path / f"{name}.md").write_bytes((embedded_corpus / f"{seed}.md").read_bytes())
    dialog = CompareDialog(Corpus.open(tmp_path), names)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_compared(qtbot, dialog)
    header = dialog.table.horizontalHeader()
    qtbot.waitUntil(lambda: all(header.sectionSize(c) >= header.sectionSizeFromContents(c).width()
                                for c in range(2)))
    assert header.textElideMode() == Qt.TextElideMode.ElideMiddle


def test_every_cell_is_readable_on_a_light_and_a_dark_palette(qtbot, embedded_corpus):
    # Cells of rows that do not differ were painted black whatever the theme: on a dark
    # palette "✓ stated" and the passage counts were black on #252525 (contrast 1.4).
    from PySide6.QtGui import QColor, QGuiApplication, QPalette
    from PySide6.QtWidgets import QApplication

    from reader.analysis.tints import contrast

    dialog = CompareDialog(Corpus.open(embedded_corpus), ["bmtmicro.com", "audiomidi.com"])
    qtbot.addWidget(dialog)
    wait_compared(qtbot, dialog)
    model = dialog.model
    light = QGuiApplication.palette()
    dark = QPalette(light)
    for role, colour in ((QPalette.ColorRole.Base, "#252525"),
                         (QPalette.ColorRole.Text, "#E0E0E0")):
        dark.setColor(role, QColor(colour))
    try:
        for palette in (light, dark):
            QApplication.setPalette(palette)
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    index = model.index(row, column)
                    fore = index.data(Qt.ItemDataRole.ForegroundRole)
                    back = index.data(Qt.ItemDataRole.BackgroundRole)
                    fore = fore.color() if fore is not None else palette.color(
                        QPalette.ColorRole.Text)
                    back = back.color() if back is not None else palette.color(
                        QPalette.ColorRole.Base)
                    assert contrast(fore.name(), back.name()) >= 4.5, (
                        model.row(row).id, column, fore.name(), back.name())
    finally:
        QApplication.setPalette(light)
