"""Selection and expansion in the company list and the category panel: one selected row
after opening a search hit, a check-box click that only ticks, no expanded category
carried over to the next policy."""

from __future__ import annotations

from conftest import wait_idle
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus
from reader.ui.category_panel import CategoryPanel
from reader.ui.models import DomainRole


def domains(indexes) -> list[str]:
    """The companies of selected indexes (one per row, whatever the columns)."""
    return sorted({index.siblingAtColumn(0).data(DomainRole) for index in indexes})


def check_box_centre(tree, item) -> QPoint:
    """Where the check box of a tree item is drawn."""
    index = tree.indexFromItem(item, 0)
    option = QStyleOptionViewItem()
    tree.initViewItemOption(option)
    option.rect = tree.visualRect(index)
    tree.itemDelegate().initStyleOption(option, index)
    return tree.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, tree).center()


def text_point(tree, item) -> QPoint:
    rect = tree.visualRect(tree.indexFromItem(item, 0))
    return QPoint(rect.left() + rect.width() // 2, rect.center().y())


def shown_panel(qtbot, demo_corpus, domain="northwind-books.example") -> CategoryPanel:
    panel = CategoryPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    panel.show_policy(HighlightedPolicy.of(Corpus.open(demo_corpus).load(domain)))
    return panel


def test_check_box_click_ticks_without_opening_the_category(qtbot, demo_corpus):
    panel = shown_panel(qtbot, demo_corpus)
    item = panel.items["data_security"]
    assert item.childCount() > 0 and not item.isExpanded()
    box = check_box_centre(panel.tree, item)
    assert panel.tree.visualRect(panel.tree.indexFromItem(item, 0)).contains(box)
    with qtbot.waitSignal(panel.visibility_changed):
        qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=box)
    assert item.checkState(0) == Qt.CheckState.Unchecked
    assert "data_security" not in panel.visible()
    assert not item.isExpanded()
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=box)
    assert item.checkState(0) == Qt.CheckState.Checked and not item.isExpanded()

    # a click on the name still opens and closes the passage list, box untouched
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=text_point(panel.tree, item))
    assert item.isExpanded() and item.checkState(0) == Qt.CheckState.Checked
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=text_point(panel.tree, item))
    assert not item.isExpanded()
    # the box of an open category closes nothing either
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=text_point(panel.tree, item))
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=check_box_centre(panel.tree, item))
    assert item.isExpanded() and item.checkState(0) == Qt.CheckState.Unchecked


def test_expanded_categories_do_not_carry_over_to_the_next_policy(make_window, qtbot,
                                                                   demo_corpus):
    window = make_window(demo_corpus)
    window.select_company("northwind-books.example")
    tree = window.category_panel.tree
    item = window.category_panel.items["data_security"]
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=text_point(tree, item))
    assert item.isExpanded()
    window.select_company("bluebird-bank.example")
    assert window.current.policy.domain == "bluebird-bank.example"
    assert not any(i.isExpanded() for i in window.category_panel.items.values())
    # the new policy's passages are listed when opened
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=text_point(tree, item))
    assert item.isExpanded()
    assert item.childCount() == window.current.counts()["data_security"]


def test_opening_a_search_hit_leaves_one_selected_company(make_window, qtbot, demo_corpus):
    window = make_window(demo_corpus)
    window.select_company("northwind-books.example")
    selection = window.company_list.selectionModel()
    assert domains(selection.selectedIndexes()) == ["northwind-books.example"]
    window.search_panel.run('"do not track"')
    wait_idle(qtbot, window)
    hit = next(h for h in window.search_panel.model.hits if h.domain == "metro-news.example")
    opened = []
    original_show = window.show_policy

    def counting_show(domain, finder=None, practices=()):
        opened.append(domain)
        return original_show(domain, finder=finder, practices=practices)

    window.show_policy = counting_show
    # the list is told (so it repaints the row selected before as not selected)
    with qtbot.waitSignal(selection.selectionChanged) as changed:
        window.search_panel.hit_activated.emit(hit)
    selected, deselected = changed.args
    assert domains(selected.indexes()) == ["metro-news.example"]
    assert domains(deselected.indexes()) == ["northwind-books.example"]
    assert domains(selection.selectedIndexes()) == ["metro-news.example"]
    assert window.company_list.currentIndex().data(DomainRole) == "metro-news.example"
    assert opened == ["metro-news.example"]  # opened once, with the search words marked
    assert window.current.policy.domain == "metro-news.example"
    assert window.current_matches
