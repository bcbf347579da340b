"""The side panel: categories with colour, explanation, passage count and a show/hide box;
a category's passages underneath, most confident first; clicking a passage asks the viewer
to scroll to it. A switch shows "confident only" or "all" highlights (kept in settings).
A category with no passage whose facts the facts card states says so ("0 passages · stated
in the facts card: ...", :mod:`reader.analysis.fact_categories`); clicking it selects the
facts' sentences in the viewer as the card does (not highlighted, not counted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.analysis.fact_categories import (
    FactsBesideCategories,
    category_row_note,
    category_row_tooltip,
    facts_beside_categories,
)
from reader.analysis.taxonomy import practice_categories
from reader.analysis.tints import HighlightLook, as_look, highlight_colour
from reader.wording import counted

if TYPE_CHECKING:  # the classifier loads when a policy opens, not with the window
    from reader.output.highlight import HighlightedPolicy

CategoryRole = Qt.ItemDataRole.UserRole + 10
SpanRole = Qt.ItemDataRole.UserRole + 11
PASSAGE_CHARS = 140
EAGER_PASSAGES = 300  # more passages than this are listed when their category is opened
CONFIDENT_ONLY_KEY = "highlights/confident_only"


def colour_icon(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class WrappingDelegate(QStyledItemDelegate):
    """Row heights that fit wrapped text (Qt paints the wrap but sizes rows for one line)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt override
        size = super().sizeHint(option, index)
        if index.column() != 0:
            return size
        # A passage is indented twice and has no check box or swatch; a category has
        # the branch, its check box and its colour swatch.
        passage = index.parent().isValid()
        decorations = 2 * self.tree.indentation() + 10 if passage else 72
        width = max(80, self.tree.columnWidth(0) - decorations)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width, 100000),
                                                 Qt.TextFlag.TextWordWrap, text)
        return QSize(size.width(), max(size.height(), bounds.height() + 6))


class CategoryPanel(QWidget):
    visibility_changed = Signal()
    passage_activated = Signal(int)  # span index
    # A passage-less category's stated fact: select its sentence (text, where it starts
    # as a fraction of the policy), as the facts card's evidence_activated.
    evidence_activated = Signal(str, float)
    policy_shown = Signal(object)  # the HighlightedPolicy (or None) now listed

    def __init__(self, settings: QSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.mode = QComboBox(self)
        self.mode.addItems(["Highlight all passages", "Highlight confident passages only"])
        self.mode.setAccessibleName("Which highlights to show")
        self.mode.setToolTip("Passages not marked confident were highlighted only so that "
                             "each practice found in a paragraph has a passage.")
        stored = settings.value(CONFIDENT_ONLY_KEY, False) if settings is not None else False
        self.mode.setCurrentIndex(1 if str(stored).lower() in {"true", "1"} else 0)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Data practice", "Passages"])
        self.tree.setAccessibleName("Data practice categories")
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setItemDelegate(WrappingDelegate(self.tree))
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # Wrapped rows need a new layout when the column width changes.
        self.tree.header().sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.hint = QLabel("Tick a category to show its highlights; "
                           "click it to list its passages.", self)
        self.hint.setWordWrap(True)
        # Above everything the panel shows: why not to trust it (a policy in French, say).
        self.caveat = QLabel(self)
        self.caveat.setWordWrap(True)
        self.caveat.setFrameShape(QFrame.Shape.StyledPanel)
        self.caveat.setMargin(4)
        self.caveat.setAccessibleName("Caveat about these highlights")
        self.caveat.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caveat)
        layout.addWidget(self.mode)
        layout.addWidget(self.tree)
        layout.addWidget(self.hint)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._dark = False
        self._building = False
        self._checked_item: QTreeWidgetItem | None = None
        for cat in practice_categories():
            item = QTreeWidgetItem(self.tree, [f"{cat.name}\n{cat.explanation}", ""])
            item.setData(0, CategoryRole, cat.id)
            item.setToolTip(0, cat.explanation)
            item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, cat.explanation)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.items[cat.id] = item
        self.set_dark(False)
        self.tree.itemChanged.connect(self._changed)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        self.tree.itemExpanded.connect(self._fill)
        self._shown: HighlightedPolicy | None = None
        self._unfilled: set[str] = set()
        self._beside = FactsBesideCategories({}, {})
        self._next_sentence: dict[str, int] = {}  # per category, the sentence clicked next

    def set_dark(self, dark: bool | HighlightLook) -> None:
        """Swatches in the highlight colours of the theme (or whole look) in use."""
        look = as_look(dark)
        self._dark = look.dark
        for cat in practice_categories():
            self.items[cat.id].setIcon(0, colour_icon(highlight_colour(cat.id, look)))

    def visible(self) -> set[str]:
        return {cid for cid, item in self.items.items()
                if item.checkState(0) == Qt.CheckState.Checked}

    def confident_only(self) -> bool:
        """Whether only confident passages are highlighted."""
        return self.mode.currentIndex() == 1

    def set_confident_only(self, on: bool) -> None:
        self.mode.setCurrentIndex(1 if on else 0)

    def _mode_changed(self) -> None:
        if self.settings is not None:
            self.settings.setValue(CONFIDENT_ONLY_KEY, self.confident_only())
            self.settings.sync()
        self._show_counts()
        self.visibility_changed.emit()

    def _show_counts(self) -> None:
        """Each category's count of highlighted passages: with "confident passages only",
        the confident ones, and "(+N)" for the unsure ones listed (in italics) but not
        highlighted, so the count is what the page and the PDF show."""
        shown = self._shown
        every = shown.counts() if shown else {}
        highlighted = shown.counts(self.confident_only()) if shown else {}
        building, self._building = self._building, True
        for category_id, item in self.items.items():
            count = highlighted.get(category_id, 0)
            unsure = every.get(category_id, 0) - count
            item.setText(1, "" if shown is None else f"{count} (+{unsure})" if unsure
                         else str(count))
            item.setToolTip(1, f"{counted(count, 'passage')} highlighted; "
                               f"{counted(unsure, 'unsure passage')} listed in italics, "
                               "not highlighted" if unsure else "")
        self._building = building

    def set_visible(self, category_id: str, shown: bool) -> None:
        self.items[category_id].setCheckState(
            0, Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)

    def show_policy(self, highlighted: HighlightedPolicy | None) -> None:
        """Counts and passage lists for a policy (or empty for none)."""
        self._building = True
        counts = highlighted.counts() if highlighted else {}
        caveat = highlighted.analysis.caveat() if highlighted else None
        self.caveat.setText(f"\u26a0 {caveat}" if caveat else "")
        self.caveat.setVisible(bool(caveat))
        self._shown = highlighted
        self._show_counts()
        lazy = bool(highlighted) and len(highlighted.analysis.spans) > EAGER_PASSAGES
        self._unfilled = set()
        self._beside = (facts_beside_categories(highlighted.analysis) if highlighted
                        else FactsBesideCategories({}, {}))
        self._next_sentence = {}
        for cat in practice_categories():
            item = self.items[cat.id]
            item.setExpanded(False)
            item.takeChildren()
            count = counts.get(cat.id, 0)
            stated = self._beside.categories.get(cat.id, ())
            text = f"{cat.name}\n{cat.explanation}"
            item.setText(0, f"{text}\n{category_row_note(stated)}" if stated else text)
            item.setToolTip(0, category_row_tooltip(cat.id, stated) if stated
                            else cat.explanation)
            item.setDisabled(bool(highlighted) and count == 0 and not stated)
            if not highlighted or not count:
                continue
            if lazy:  # thousands of rows would block the window: made when opened
                self._unfilled.add(cat.id)
                item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            else:
                self._fill(item)
        self._building = False
        self.policy_shown.emit(highlighted)

    def _fill(self, item: QTreeWidgetItem) -> None:
        """List a category's passages under it (once per policy)."""
        category_id = item.data(0, CategoryRole)
        if self._shown is None or (item.childCount() and category_id not in self._unfilled):
            return
        self._unfilled.discard(category_id)
        building, self._building = self._building, True
        analysis = self._shown.analysis
        children = []
        numbered = [(n, span) for n, span in enumerate(analysis.spans)
                    if category_id in span.categories]
        # Most confident first; reading order among equals.
        numbered.sort(key=lambda pair: -pair[1].scores[pair[1].categories.index(category_id)])
        for number, span in numbered:
            score = span.scores[span.categories.index(category_id)]
            confident = span.is_confident(category_id)
            text = " ".join(analysis.passage_text(span).split())
            short = text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS] + "…"
            label = f"{score:.0%} · {short}" if confident else f"{score:.0%} (unsure) · {short}"
            child = QTreeWidgetItem([label, ""])
            child.setData(0, SpanRole, number)
            child.setToolTip(0, text)
            if not confident:
                font = QFont(child.font(0))
                font.setItalic(True)
                child.setFont(0, font)
            children.append(child)
        item.addChildren(children)
        item.setChildIndicatorPolicy(
            QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)
        self._building = building

    def step_to_stated_fact(self, category_id: str) -> bool:
        """Ask the viewer to select the next sentence of the facts the card states for a
        category with no passage (False when it has none)."""
        sentences = self._beside.sentences_of(category_id)
        if self._shown is None or not sentences:
            return False
        number = self._next_sentence.get(category_id, 0) % len(sentences)
        self._next_sentence[category_id] = number + 1
        text = self._shown.analysis.text
        evidence = sentences[number]
        self.evidence_activated.emit(text[evidence.start:evidence.end],
                                     evidence.start / max(len(text), 1))
        return True

    def list_passages(self, category_id: str) -> bool:
        """Open a category's list of passages and go to the first (the most confident), as
        a click on it does; False when the policy shown has no passage of it."""
        item = self.items.get(category_id)
        if self._shown is None or item is None:
            return False
        self._fill(item)
        if not item.childCount():
            return False
        item.setExpanded(True)
        first = item.child(0)
        self.tree.setCurrentItem(first)
        self.tree.scrollToItem(first)
        self.passage_activated.emit(int(first.data(0, SpanRole)))
        return True

    def passages_of(self, category_id: str) -> list[QTreeWidgetItem]:
        item = self.items[category_id]
        self._fill(item)
        return [item.child(i) for i in range(item.childCount())]

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._building and column == 0 and item.data(0, CategoryRole):
            # A click on the check box also reports a click on the item: that one must
            # not open or close the passage list (it is forgotten once the click is over).
            self._checked_item = item
            QTimer.singleShot(0, self._forget_checked_item)
            self.visibility_changed.emit()

    def _forget_checked_item(self) -> None:
        self._checked_item = None

    def _clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if item is self._checked_item:  # the click ticked or unticked the box
            self._checked_item = None
            return
        span = item.data(0, SpanRole)
        category_id = item.data(0, CategoryRole)
        if span is not None:
            self.passage_activated.emit(int(span))
        elif category_id in self._beside.categories:
            self.step_to_stated_fact(category_id)
        elif item.data(0, CategoryRole) and (item.childCount()
                                             or item.data(0, CategoryRole) in self._unfilled):
            item.setExpanded(not item.isExpanded())
