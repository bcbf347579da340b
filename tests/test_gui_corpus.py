"""Opening a corpus in the GUI never misleads: missing folders, broken and duplicate files,
files added or deleted while the app runs, and search without a usable data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import wait_idle
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from reader.paths import embedded_corpus_dir
from reader.ui import main_window as main_window_module
from reader.ui.main_window import MainWindow
from reader.ui.models import DomainRole

GOOD = "# {name} Privacy Policy\n\nWe collect your email address to send {word} newsletters.\n"


def listed(window: MainWindow) -> list[str]:
    model = window.company_model
    return [model.index(row, 0).data(DomainRole) for row in range(model.rowCount())]


def visible_boxes(window: MainWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


@pytest.fixture
def broken_corpus(tmp_path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "aaa-binary.com.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (folder / "empty.com.md").write_bytes(b"")
    (folder / "blank.com.md").write_bytes(b" \n\n ")
    (folder / "latin1.com.md").write_bytes("Café policy".encode("latin-1"))
    (folder / "good.com.md").write_text(GOOD.format(name="Good", word="weekly"), "utf-8")
    (folder / "ipmart.com.md").write_text(GOOD.format(name="IPMart", word="daily") * 20,
                                          "utf-8")
    (folder / "ipmart.com.txt").write_text("three word file", "utf-8")
    return folder


def test_missing_folder_on_the_command_line_shows_a_notice_not_another_corpus_silently(
        make_window, tmp_path):
    window = make_window(tmp_path / "typo")
    assert window.corpus.root == embedded_corpus_dir().resolve()
    notice = window.notice_bar.summary("corpus-missing")
    assert f"corpus folder not found: {tmp_path / 'typo'}" in notice
    assert "the embedded corpus is shown instead" in notice
    assert window.notice_bar.isVisible()


def test_folder_restored_from_settings_that_is_gone(make_window, tmp_path, nested_corpus):
    folder = tmp_path / "was-here"
    folder.mkdir()
    (folder / "gone.com.md").write_text(GOOD.format(name="Gone", word="old"), "utf-8")
    first = make_window(folder)
    first.close()
    (folder / "gone.com.md").unlink()
    folder.rmdir()
    again = make_window(restore=True)
    assert again.corpus.root == embedded_corpus_dir().resolve()
    assert "open last time cannot be opened" in again.notice_bar.summary("corpus-missing")
    assert not visible_boxes(again)


def test_opening_a_missing_folder_keeps_the_previous_corpus(make_window, nested_corpus,
                                                            tmp_path):
    window = make_window(nested_corpus)
    assert not window.open_corpus(str(tmp_path / "typo"))
    assert window.corpus.root == nested_corpus.resolve()
    assert listed(window) == ["acme-widgets.test", "zorbo.test"]
    assert "corpus folder not found" in window.last_error
    assert [box.text() for box in visible_boxes(window)] == [window.last_error]


def test_broken_and_duplicate_files_are_skipped_and_listed_in_a_dismissible_notice(
        make_window, qtbot, broken_corpus):
    window = make_window(broken_corpus)
    # The first file is binary: no error greets the user, the first good policy opens.
    assert window.current.policy.domain == "good.com"
    assert not visible_boxes(window)
    assert listed(window) == ["good.com", "ipmart.com"]
    assert window.company_count.text() == "2 companies"
    assert window.corpus.entry("ipmart.com").relpath == "ipmart.com.md"
    summary = window.notice_bar.summary("skipped")
    assert summary == ("4 files skipped: cannot be read as text (empty, binary, not UTF-8 or "
                       "unreadable); 1 duplicate file skipped: a second file for a company "
                       "(the .md, then the larger file is shown).")
    details = "\n".join(window.notice_bar.details("skipped"))
    for name in ("aaa-binary.com.md", "empty.com.md", "blank.com.md", "latin1.com.md",
                 "ipmart.com.txt"):
        assert name in details
    row = window.notice_bar.rows["skipped"]
    assert row.isVisible() and not row.details.isVisible()
    qtbot.mouseClick(row.details_button, Qt.MouseButton.LeftButton)
    assert row.details.isVisible()
    assert "not UTF-8" in row.details.toPlainText()
    qtbot.mouseClick(row.close_button, Qt.MouseButton.LeftButton)
    assert "skipped" not in window.notice_bar.rows
    assert not window.notice_bar.isVisible()
    # Search finds only the good files.
    window.search("newsletters")
    wait_idle(qtbot, window)
    assert sorted(window.search_panel.model.hits[i].domain
                  for i in range(window.search_panel.model.rowCount())) == [
        "good.com", "ipmart.com"]


def test_reload_f5_shows_new_files_and_drops_deleted_ones_from_list_and_search(
        make_window, qtbot, broken_corpus):
    window = make_window(broken_corpus)
    window.watcher.stop()  # this test drives File > Reload itself
    (broken_corpus / "ipmart.com.md").unlink()
    (broken_corpus / "newco.com.md").write_text(GOOD.format(name="NewCo", word="monthly"),
                                                "utf-8")
    (broken_corpus / "latin1.com.md").write_text("Café policy, now in UTF-8", "utf-8")
    assert window.reload_action.shortcut().toString() == "F5"
    window.reload_action.trigger()
    wait_idle(qtbot, window)
    # The .txt that lost to ipmart.com.md is now the only file for ipmart.com.
    assert listed(window) == ["good.com", "ipmart.com", "latin1.com", "newco.com"]
    assert window.corpus.entry("ipmart.com").relpath == "ipmart.com.txt"
    assert "added" in window.statusBar().currentMessage() or window.index_worker is None
    window.search("daily")
    wait_idle(qtbot, window)
    assert window.search_panel.model.rowCount() == 0  # the deleted policy is gone
    window.search("monthly")
    wait_idle(qtbot, window)
    assert [window.search_panel.model.hits[0].domain] == ["newco.com"]
    assert "ipmart.com.txt" not in "\n".join(window.notice_bar.details("skipped"))


def test_folder_watcher_notices_added_and_deleted_files(make_window, qtbot, broken_corpus):
    window = make_window(broken_corpus)
    (broken_corpus / "later.com.md").write_text(GOOD.format(name="Later", word="yearly"),
                                                "utf-8")
    qtbot.waitUntil(lambda: "later.com" in listed(window), timeout=15000)
    (broken_corpus / "good.com.md").unlink()
    qtbot.waitUntil(lambda: "good.com" not in listed(window), timeout=15000)
    wait_idle(qtbot, window)
    assert listed(window) == ["ipmart.com", "later.com"]
    assert window.current.policy.domain in {"ipmart.com", "later.com"}


def test_clicking_a_file_deleted_since_listing_explains_and_reloads(make_window, qtbot,
                                                                    broken_corpus):
    window = make_window(broken_corpus)
    window.watcher.stop()
    (broken_corpus / "ipmart.com.md").unlink()
    window.select_company("ipmart.com")
    assert "cannot be shown" in window.browser.toPlainText()
    assert "cannot read the file" in window.notice_bar.summary("unreadable-policy")
    qtbot.waitUntil(lambda: window.corpus.entry("ipmart.com").relpath == "ipmart.com.txt",
                    timeout=15000)
    assert not visible_boxes(window)


def test_unwritable_data_folder_turns_search_off_with_a_notice(make_window, qtbot,
                                                               tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", "utf-8")
    monkeypatch.setenv("PRIVACY_READER_DATA", str(blocker / "data"))
    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(main_window_module, "settings",
                        lambda: QSettings(ini, QSettings.Format.IniFormat))
    window = make_window()
    assert window.current.policy.domain == "audiomidi.com"  # reading works
    assert window.policy_index is None
    notice = window.notice_bar.summary("search-off")
    assert notice.startswith("Search is off: the search index cannot be used: the folder "
                             f"{blocker / 'data'} cannot be used (")
    assert "Policies can still be read." in notice
    assert not visible_boxes(window)
    window.search("cookies")
    assert "Search is not available" in window.search_panel.status.text()
    # Once the folder can be used, File > Rebuild Search Index turns search back on.
    blocker.unlink()
    window.rebuild_index()
    wait_idle(qtbot, window)
    assert window.policy_index is not None
    assert "search-off" not in window.notice_bar.rows
    window.search("cookies")
    wait_idle(qtbot, window)
    assert window.search_panel.model.rowCount() > 0


def test_a_first_folder_without_policies_says_the_embedded_corpus_is_shown(make_window,
                                                                           tmp_path):
    # Started on a folder with no policies (or one emptied since last time), the message
    # said "The current corpus stays open." when none was open yet; the embedded corpus
    # then opened without a word.
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.4")
    window = make_window(empty)
    assert window.corpus.root == embedded_corpus_dir().resolve()
    assert window.last_error.endswith("has no policy files (.md, .markdown or .txt). "
                                      "The embedded corpus is shown instead.")
    assert [box.text() for box in visible_boxes(window)] == [window.last_error]
    assert not window.open_corpus(str(empty))  # with a corpus open, it stays
    assert window.last_error.endswith("The current corpus stays open.")
