"""The company list: year, length and title in columns sorted by a header click, a filter
on domain and title, and a policy that stays open while the filter is typed."""

from __future__ import annotations

from conftest import wait_idle
from PySide6.QtCore import QPoint, Qt

from reader.ui.models import COMPANY_COLUMNS, DomainRole, TitleRole


def shown(window) -> list[str]:
    proxy = window.company_proxy
    return [proxy.index(row, 0).data(DomainRole) for row in range(proxy.rowCount())]


def column(window, number: int) -> list[str]:
    proxy = window.company_proxy
    return [proxy.index(row, number).data() for row in range(proxy.rowCount())]


def click_header(qtbot, window, section: int) -> None:
    header = window.company_list.horizontalHeader()
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))


def test_columns_show_company_year_length_and_title(make_window):
    window = make_window()
    header = window.company_list.horizontalHeader()
    assert [window.company_proxy.headerData(i, Qt.Orientation.Horizontal)
            for i in range(header.count())] == list(COMPANY_COLUMNS)
    row = window.company_model.row_of("bizdesign.com")
    values = [window.company_model.index(row, c).data() for c in range(4)]
    assert values == ["bizdesign.com", "2010", "1,475",
                      "Privacy Policy  (snapshot from bizsecure.com)"]


def test_header_clicks_sort_by_year_length_and_title_and_reverse(qtbot, make_window):
    window = make_window()
    wait_idle(qtbot, window)
    click_header(qtbot, window, 1)  # Year, oldest first
    assert shown(window) == ["bizdesign.com", "ipmart.com", "audiomidi.com", "bettymills.com",
                             "bmtmicro.com"]
    assert column(window, 1) == ["2010", "2013", "2014", "2015", "2016"]
    click_header(qtbot, window, 1)  # again: newest first
    assert column(window, 1) == ["2016", "2015", "2014", "2013", "2010"]
    click_header(qtbot, window, 2)  # Length
    lengths = [int(v.replace(",", "")) for v in column(window, 2)]
    assert lengths == sorted(lengths) and lengths[-1] == 1475
    click_header(qtbot, window, 3)  # Title, A-Z
    proxy = window.company_proxy
    titles = [proxy.index(r, 3).data(TitleRole).casefold() for r in range(proxy.rowCount())]
    assert titles == sorted(titles) and shown(window)[0] == "bettymills.com"
    click_header(qtbot, window, 0)  # Company, A-Z
    assert shown(window) == sorted(shown(window))
    assert window.current.policy.domain == window.company_list.currentIndex().data(DomainRole)


def test_filter_matches_the_domain_and_the_title(qtbot, make_window):
    window = make_window()
    qtbot.keyClicks(window.company_filter, "Accessib")  # only in audioMIDI's title
    assert shown(window) == ["audiomidi.com"]
    window.company_filter.clear()
    qtbot.keyClicks(window.company_filter, "AND SECUR")  # "Privacy and Security"
    assert shown(window) == ["bettymills.com"]
    window.company_filter.clear()
    qtbot.keyClicks(window.company_filter, "ipmar")  # the domain
    assert shown(window) == ["ipmart.com"]
    assert window.company_count.text() == "1 of 5 companies"
    window.company_filter.clear()
    assert len(shown(window)) == 5


def test_typing_in_the_filter_never_changes_the_open_policy(qtbot, make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    qtbot.waitUntil(lambda: window.current.policy.domain == "bmtmicro.com")
    opened = []
    window.policy_shown.connect(opened.append)
    window.company_filter.setFocus()
    for typed in ("b", "bi", "biz"):  # bmtmicro matches, then not; bizdesign is first
        qtbot.keyClick(window.company_filter, typed[-1])
        assert window.company_filter.text() == typed
        assert window.current.policy.domain == "bmtmicro.com"
        assert not window.loader.busy
    assert shown(window) == ["bizdesign.com"]
    assert not window.company_list.selectionModel().hasSelection()  # nothing looks open
    qtbot.keyClick(window.company_filter, Qt.Key.Key_Backspace)
    qtbot.keyClick(window.company_filter, Qt.Key.Key_Backspace)
    assert window.company_list.currentIndex().data(DomainRole) == "bmtmicro.com"
    assert opened == [] and window.current.policy.domain == "bmtmicro.com"
    window.company_filter.clear()
    selected = window.company_list.selectionModel().selectedRows()
    assert [index.data(DomainRole) for index in selected] == ["bmtmicro.com"]
    assert opened == []


def test_sort_order_is_kept_in_the_settings(qtbot, make_window, tmp_path):
    window = make_window(restore=True)
    window.sort_companies("date", descending=False)
    window.save_settings()
    window.close()
    again = make_window(restore=True)
    assert (again.company_model.sort_key, again.company_model.descending) == ("date", False)
    header = again.company_list.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        1, Qt.SortOrder.AscendingOrder)


def test_quick_start_shows_the_window_then_the_first_policy(qtbot):
    from reader.ui.main_window import MainWindow

    window = MainWindow(None, restore=False, quick_start=True)
    qtbot.addWidget(window)
    window.show()
    assert window.company_model.rowCount() == 5
    assert window.current is None and window.loader.busy  # analysed in the background
    assert window.busy_bar.isVisible()
    with qtbot.waitSignal(window.policy_shown, timeout=60000) as shown:
        pass
    assert shown.args == ["audiomidi.com"] and window.current.policy.domain == "audiomidi.com"
    assert not window.busy_bar.isVisible() and window.category_panel.tree.topLevelItemCount()
    window.select_company("bmtmicro.com")  # later policies of this size open at once
    assert window.current.policy.domain == "bmtmicro.com"
    wait_idle(qtbot, window)
    window.pool.waitForDone(10000)


def test_background_work_waits_for_the_first_policy(qtbot):
    """The index check and the file check of a folder just opened start once its first
    policy is on screen (they would share Python's lock with it); they exist at once, so
    waiting for them works."""
    from reader.ui.main_window import MainWindow

    window = MainWindow(None, restore=False, quick_start=True)
    qtbot.addWidget(window)
    window.show()
    assert window.loader.busy and window.waiting_for_first_policy
    assert window.index_worker is not None and window.index_worker in window.deferred_work
    assert window.check_worker is not None and window.check_worker in window.deferred_work
    assert window.policy_index.doc_count() == 0
    with qtbot.waitSignal(window.policy_shown, timeout=60000):
        pass
    wait_idle(qtbot, window)
    assert not window.deferred_work and not window.waiting_for_first_policy
    assert window.policy_index.doc_count() == 5
    window.company_proxy.set_filter_text("bmt")  # the filter's keys were made meanwhile
    assert window.company_proxy.rowCount() == 1
    window.pool.waitForDone(10000)


def test_listing_kept_from_last_time_notices_a_file_edited_since(qtbot, make_window, tmp_path,
                                                                 monkeypatch):
    from reader.paths import user_data_dir
    from reader.ui.main_window import MainWindow

    stale = []
    listing_stale = MainWindow._listing_stale
    monkeypatch.setattr(MainWindow, "_listing_stale",
                        lambda self, corpus: (stale.append(corpus.from_cache),
                                              listing_stale(self, corpus)))
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "alpha.com.md").write_text("# Alpha\n\nWe collect names.\n", "utf-8")
    (folder / "beta.com.md").write_text("# Beta\n\nWe collect emails.\n", "utf-8")
    first = make_window(folder)
    assert not first.corpus.from_cache
    assert list((user_data_dir() / "listings").glob("listing-*.bin"))
    first.close()
    (folder / "beta.com.md").write_text("# Beta\n\nWe collect emails and phone numbers.\n",
                                        "utf-8")  # edited in place: the folder's time stays
    again = make_window(folder)
    qtbot.waitUntil(lambda: again.corpus.entry("beta.com").size
                    == (folder / "beta.com.md").stat().st_size)
    again.select_company("beta.com")
    qtbot.waitUntil(lambda: again.current.policy.domain == "beta.com")
    assert "phone numbers" in again.browser.toPlainText()
    assert stale == [True]  # opened from the kept listing, then listed again


def test_backspace_reuses_the_rows_of_the_shorter_text_until_the_companies_change(qapp,
                                                                                  monkeypatch):
    from reader.sources.corpus import PolicyEntry
    from reader.ui.models import CompanyFilterModel, CompanyListModel

    source = CompanyListModel()
    source.set_entries([PolicyEntry(f"{name}.com", f"/x/{name}.com.md", 100, 0.0)
                        for name in ("yahoo", "yandex", "ebay", "news", "yardsale")])
    proxy = CompanyFilterModel()
    proxy.setSourceModel(source)
    passes: list[tuple[str, int | None]] = []
    matching = source.matching_rows

    def counted(text, among=None):
        passes.append((text, None if among is None else len(among)))
        return matching(text, among)

    monkeypatch.setattr(source, "matching_rows", counted)

    def shown() -> list[str]:
        return [proxy.index(row, 0).data(DomainRole) for row in range(proxy.rowCount())]

    for typed in ("y", "ya", "yah"):
        proxy.set_filter_text(typed)
    assert shown() == ["yahoo.com"]
    # "y" matched every row ("privacy policy"); then only the rows shown were looked at
    assert passes == [("y", None), ("ya", None), ("yah", 3)]
    for typed in ("ya", "y", "", "ya"):  # backspaces, then typed again
        proxy.set_filter_text(typed)
    assert passes == [("y", None), ("ya", None), ("yah", 3)]  # no pass at all
    assert shown() == ["yahoo.com", "yandex.com", "yardsale.com"]
    source.set_metadata({"ebay.com": {"title": "Yard sales"}})  # a title now matches
    proxy.set_filter_text("yar")
    proxy.set_filter_text("ya")
    assert shown() == ["yahoo.com", "yandex.com", "ebay.com", "yardsale.com"]


def test_down_or_enter_in_the_filter_moves_into_the_list(qtbot, make_window):
    """Typing a filter left a keyboard user nowhere to go but Tab: Down and Enter did
    nothing. Now they move into the list, its first company opened when none shown is."""
    window = make_window()
    window.select_company("bmtmicro.com")
    qtbot.waitUntil(lambda: window.current.policy.domain == "bmtmicro.com")
    qtbot.keyClicks(window.company_filter, "ipmar")
    assert shown(window) == ["ipmart.com"]
    assert window.current.policy.domain == "bmtmicro.com"
    qtbot.keyClick(window.company_filter, Qt.Key.Key_Return)
    assert window.focusWidget() is window.company_list
    qtbot.waitUntil(lambda: window.current.policy.domain == "ipmart.com")
    window.company_filter.clear()
    qtbot.keyClicks(window.company_filter, "com")  # ipmart.com still shown: it stays open
    qtbot.keyClick(window.company_filter, Qt.Key.Key_Down)
    assert window.focusWidget() is window.company_list
    assert window.company_list.currentIndex().data(DomainRole) == "ipmart.com"
    assert window.current.policy.domain == "ipmart.com"
    window.company_filter.setText("nothing matches this")
    window.company_filter.setFocus()
    qtbot.keyClick(window.company_filter, Qt.Key.Key_Down)
    assert window.focusWidget() is window.company_filter
