"""Qt item models: the company list (with filter/sort proxy) and search results."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from reader.search.engine import Hit
from reader.sources.corpus import PolicyEntry
from reader.sources.layouts import PRIVACY_POLICY, is_privacy_policy
from reader.sources.sites import snapshot_note

DomainRole = int(Qt.ItemDataRole.UserRole) + 1
DateRole = int(Qt.ItemDataRole.UserRole) + 2
LengthRole = int(Qt.ItemDataRole.UserRole) + 3
HitRole = int(Qt.ItemDataRole.UserRole) + 4
TitleRole = int(Qt.ItemDataRole.UserRole) + 5
SiteRole = int(Qt.ItemDataRole.UserRole) + 6
TypeRole = int(Qt.ItemDataRole.UserRole) + 7

Index = QModelIndex | QPersistentModelIndex


@dataclass(slots=True)
class CompanyRow:
    domain: str
    size: int
    date: str = ""
    title: str = ""
    words: int = 0
    company: str = ""
    doc_type: str = PRIVACY_POLICY
    privacy_policy: bool = True  # False for terms of service and other documents
    site: str = ""  # the snapshot's site, when it is not the domain
    haystack: str = ""  # what the filter looks in, lowercase

    def refresh_haystack(self) -> str:
        self.haystack = "\n".join((self.domain, self.site, self.doc_type, self.title)).lower()
        return self.haystack

    @property
    def length(self) -> int:
        """Words, or an estimate from the file size until the words are known."""
        return self.words or self.size // 6

    def length_text(self) -> str:
        return f"{self.words:,}" if self.words else f"{self.size // 1024 + 1} KB"

    def title_text(self) -> str:
        """The title, and the snapshot's site when it is another one."""
        title = " ".join(self.title.split())
        if self.site:
            return f"{title or '…'}  ({snapshot_note(self.site)})"
        return title


# Columns of the company list, and the order each one sorts by.
COMPANY_COLUMNS = ("Company", "Year", "Length", "Title")
SORT_KEY_OF_COLUMN = ("name", "date", "length", "title")
NAME, YEAR, LENGTH, TITLE = range(4)


def _name_key(row: CompanyRow) -> tuple:
    """As :func:`reader.sources.corpus.entry_order` (the corpus lists in this order)."""
    return (row.company.lower(), row.company, row.doc_type.lower(), row.domain)


_SORT_VALUE = {
    "name": _name_key,
    "date": lambda r: (r.date, r.domain),
    "length": lambda r: (r.length, r.domain),
    "title": lambda r: (" ".join(r.title.lower().split()), r.domain),
}
_MISSING = {"date": lambda r: not r.date, "title": lambda r: not r.title}


class CompanyListModel(QAbstractTableModel):
    """Companies of the open corpus with their year, length and title, in the chosen order.

    Sorting happens here, with Python's sort on plain values (one model reset), rather than
    in a proxy, whose comparisons would call :meth:`data` millions of times on 100,000
    companies. Metadata (date, title, words, snapshot site) arrives later from the index.
    Privacy policies come before other documents (terms of service...) of a collection,
    and rows without the sorted value (no date, no title) come last, in either order.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # A row is made when first needed (painting asks only for the rows in view):
        # making 100,000 of them up front took 0.2 s of the window's start-up. ``None``
        # stands for the row of ``self._entries[i]``, without metadata yet.
        self._rows: list[CompanyRow | None] = []
        self._entries: list[PolicyEntry] = []
        self._policy_types: dict[str, bool] = {}
        self._row_of: dict[str, int] = {}
        self._haystacks: list[str] | None = []  # per row, lowercase; None: not made yet
        self.sort_key = "name"
        self.descending = False

    def set_entries(self, entries: list[PolicyEntry], keep_metadata: bool = False) -> None:
        """Show ``entries`` (in the corpus's order, see
        :func:`reader.sources.corpus.entry_order`); with ``keep_metadata`` (a reload of the
        same folder), rows of unchanged files keep the date, title and words known."""
        previous = {row.domain: row for row in self._all_rows()} if keep_metadata else {}
        self.beginResetModel()
        self._entries = list(entries)
        self._rows = [None] * len(self._entries)
        self._haystacks = None
        if previous:
            for row in self._all_rows():
                old = previous.get(row.domain)
                if old and old.size == row.size:
                    row.date, row.title, row.words, row.site = (old.date, old.title, old.words,
                                                                old.site)
                    row.refresh_haystack()
        self._order(presorted=True)
        self.endResetModel()

    def _is_policy(self, doc_type: str) -> bool:
        known = self._policy_types.get(doc_type)
        if known is None:
            known = self._policy_types[doc_type] = is_privacy_policy(doc_type)
        return known

    def _row(self, number: int) -> CompanyRow:
        row = self._rows[number]
        if row is None:
            e = self._entries[number]
            row = self._rows[number] = CompanyRow(
                e.domain, e.size, company=e.company or e.domain, doc_type=e.doc_type,
                privacy_policy=self._is_policy(e.doc_type))
            row.refresh_haystack()
        return row

    def _all_rows(self) -> list[CompanyRow]:
        """Every row, made now if not yet."""
        rows = self._rows
        for number, row in enumerate(rows):
            if row is None:
                self._row(number)
        return rows  # type: ignore[return-value]

    @property
    def haystacks(self) -> list[str]:
        """Per row, lowercase: what the filter looks in (domain, site, type, title)."""
        if self._haystacks is None:
            self._haystacks = [
                row.haystack if row is not None
                else "\n".join((e.domain, "", e.doc_type, "")).lower()  # as a fresh row's
                for row, e in zip(self._rows, self._entries, strict=True)]
        return self._haystacks

    def prepare_filter(self) -> None:
        """Make what the filter looks in now (40 ms at 100,000 companies), not on the first
        keystroke."""
        _ = self.haystacks

    def sort_by(self, key: str, descending: bool | None = None) -> None:
        """Order by ``name`` (A-Z), ``date``, ``length`` or ``title``; ``descending``
        defaults to newest / longest first and to A-Z for names and titles."""
        if descending is None:
            descending = key in ("date", "length")
        self.beginResetModel()
        self.sort_key, self.descending = key, descending
        self._order()
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Qt's sort (a click on a column header)."""
        if 0 <= column < len(SORT_KEY_OF_COLUMN):
            self.sort_by(SORT_KEY_OF_COLUMN[column], order == Qt.SortOrder.DescendingOrder)

    @property
    def sort_column(self) -> int:
        return SORT_KEY_OF_COLUMN.index(self.sort_key)

    def _order(self, presorted: bool = False) -> None:
        """Sort the rows; ``presorted``: they come in the corpus's own order (privacy
        policies first, then by company), which is the A-Z order by name."""
        if presorted and self.sort_key == "name" and not self.descending:
            if any(row is not None for row in self._rows):
                self._row_of = {row.domain: i for i, row in enumerate(self._all_rows())}
            else:  # rows not made yet are in the entries' order
                self._row_of = {e.domain: i for i, e in enumerate(self._entries)}
            self._haystacks = None
            return
        rows = self._all_rows()
        value = _SORT_VALUE.get(self.sort_key, _name_key)
        rows.sort(key=value, reverse=self.descending)
        missing = _MISSING.get(self.sort_key)
        if missing is None:  # stable: the order above holds within each group
            rows.sort(key=lambda r: not r.privacy_policy)
        else:
            rows.sort(key=lambda r: (not r.privacy_policy, missing(r)))
        self._entries = []  # every row is made: the entries' order no longer holds
        self._row_of = {row.domain: i for i, row in enumerate(rows)}
        self._haystacks = [row.haystack for row in rows]

    def set_metadata(self, metadata: dict[str, dict]) -> None:
        """Fill dates, titles and word counts (from the search index's stored fields)."""
        rows = self._all_rows()
        for row in rows:
            stored = metadata.get(row.domain)
            if stored:
                row.date = stored.get("date") or ""
                row.title = stored.get("title") or ""
                row.words = int(stored.get("words") or 0)
                row.site = stored.get("site") or ""
                row.refresh_haystack()
        if self.sort_key != "name":
            self.sort_by(self.sort_key, self.descending)
        elif rows:
            self._haystacks = [row.haystack for row in rows]
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(rows) - 1, len(COMPANY_COLUMNS) - 1))

    def matching_rows(self, text: str, among: list[int] | None = None) -> list[int] | None:
        """Rows (ascending) whose domain, snapshot site, document type or title contains
        ``text`` (case-insensitive), looking only at ``among`` if given; None: all."""
        needle = text.strip().lower()
        if not needle:
            return None
        haystacks = self.haystacks
        if among is None:
            return [i for i, haystack in enumerate(haystacks) if needle in haystack]
        return [i for i in among if needle in haystacks[i]]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COMPANY_COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COMPANY_COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COMPANY_COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Sort by {COMPANY_COLUMNS[section].lower()} (click again to reverse)"
        return None

    def row_of(self, domain: str) -> int | None:
        return self._row_of.get(domain)

    def domain_at(self, row: int) -> str:
        return self._row(row).domain

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, number: int, column: int, role: int):
        """What :meth:`data` answers for row ``number`` (the filter calls this directly:
        painting asks a dozen roles of every visible cell)."""
        role = int(role)
        if role not in _COMPANY_ROLES:
            return None
        row = self._row(number)
        if role == _DISPLAY:
            if column == NAME:
                return row.domain
            if column == YEAR:
                return row.date[:4]
            if column == LENGTH:
                return row.length_text()
            return row.title_text()
        if role == _ALIGNMENT:
            return _RIGHT if column in (YEAR, LENGTH) else None
        if role == DomainRole:
            return row.domain
        if role == _TOOLTIP:
            parts = [row.domain]
            if row.title:
                parts.append(" ".join(row.title.split()))
            if row.site:
                parts.append(snapshot_note(row.site))
            if row.date:
                parts.append(f"archived {row.date}")
            parts.append(f"{row.words:,} words" if row.words else f"{row.size // 1024 + 1} KB")
            return " · ".join(parts)
        if role == TitleRole:
            return row.title
        if role == SiteRole:
            return row.site
        if role == TypeRole:
            return row.doc_type
        if role == DateRole:
            return row.date
        if role == LengthRole:
            return row.length
        if role == _ACCESSIBLE:
            parts = [row.domain, row.title_text(), row.date[:4],
                     f"{row.words:,} words" if row.words else ""]
            return ", ".join(p for p in parts if p)
        return None


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_COMPANY_ROLES = frozenset({_DISPLAY, _ALIGNMENT, _TOOLTIP, _ACCESSIBLE, int(DomainRole),
                            int(TitleRole), int(SiteRole), int(TypeRole), int(DateRole),
                            int(LengthRole)})
_ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemNeverHasChildren)


RECENT_FILTERS = 12  # filter texts whose rows are kept (see CompanyFilterModel)
RECENT_ROWS = 300_000  # and at most this many rows in all (~10 MB)


class CompanyFilterModel(QAbstractProxyModel):
    """The companies whose domain, snapshot site, document type or title contains the
    filter text (case-insensitive), in the source model's order.

    The shown rows are a plain list of source rows, recomputed in one pass over the
    precomputed lowercase keys (and only over the rows already shown when the text grows),
    then one model reset: typing stays well under 50 ms on 100,000 companies, where a
    QSortFilterProxyModel calls a Python ``filterAcceptsRow`` once per row. The rows of
    the last few filter texts are kept until the companies change, so a backspace (a
    text that shrinks, which the pass over the shown rows cannot answer) costs no pass
    over all 100,000 keys.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._shown: list[int] | None = None  # None: every source row
        self.filter_text = ""
        self._needle = ""
        self._recent: dict[str, list[int] | None] = {}  # filter text -> its rows, newest last

    def setSourceModel(self, source: CompanyListModel) -> None:  # noqa: N802
        super().setSourceModel(source)
        self._source = source
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._source_reset)
        source.dataChanged.connect(self._source_changed)

    def set_filter_text(self, text: str) -> None:
        needle = text.strip().lower()
        if needle == self._needle:
            self.filter_text = text
            return
        if not needle:
            shown = None
        elif needle in self._recent:
            shown = self._recent.pop(needle)
        else:
            among = self._shown if self._needle and self._needle in needle else None
            shown = self._source.matching_rows(needle, among)
            if shown is not None and len(shown) == self._source.rowCount():
                shown = None  # every row: the same view, without a list of them all
        if needle:
            self._recent[needle] = shown
        while len(self._recent) > RECENT_FILTERS or sum(
                len(rows) for rows in self._recent.values() if rows) > RECENT_ROWS:
            self._recent.pop(next(iter(self._recent)))
        self.filter_text, self._needle = text, needle
        if shown == self._shown:
            return  # the same rows: nothing to repaint
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()

    def _source_reset(self) -> None:
        source = self.sourceModel()
        self._recent = {}  # other rows, or in another order
        self._shown = source.matching_rows(self._needle) if self._needle else None
        self.endResetModel()

    def _source_changed(self, *_args) -> None:
        self._recent = {}
        if self._needle:  # titles changed: they may match now, or not any more
            self.beginResetModel()
            self._shown = self.sourceModel().matching_rows(self._needle)
            self.endResetModel()
        elif self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.sourceModel() is None:
            return 0
        return self.sourceModel().rowCount() if self._shown is None else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COMPANY_COLUMNS)

    def index(self, row: int, column: int = 0, parent: Index = QModelIndex()):  # noqa: B008
        if parent.isValid() or not (0 <= row < self.rowCount()) or not (
                0 <= column < len(COMPANY_COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: Index = QModelIndex()):  # noqa: B008
        return QModelIndex()

    def sibling(self, row: int, column: int, index: Index):
        return self.index(row, column)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self.rowCount() > 0

    def mapToSource(self, proxy_index: Index):  # noqa: N802
        if not proxy_index.isValid() or self.sourceModel() is None:
            return QModelIndex()
        row = proxy_index.row()
        if self._shown is not None:
            if row >= len(self._shown):
                return QModelIndex()
            row = self._shown[row]
        return self.sourceModel().index(row, proxy_index.column())

    def mapFromSource(self, source_index: Index):  # noqa: N802
        if not source_index.isValid():
            return QModelIndex()
        row = source_index.row()
        if self._shown is not None:
            at = bisect_left(self._shown, row)
            if at >= len(self._shown) or self._shown[at] != row:
                return QModelIndex()
            row = at
        return self.index(row, source_index.column())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = index.row()
        if self._shown is not None:
            row = self._shown[row]
        return self._source.cell(row, index.column(), role)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        return self.sourceModel().headerData(section, orientation, role)

    def flags(self, index: Index):
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


class SearchResultsModel(QAbstractListModel):
    """Ranked search hits of one query, loaded a page at a time.

    Rows are appended as hits stream in. The view asks for more (``canFetchMore`` /
    ``fetchMore``, Qt's lazy-loading idiom) when it is scrolled to the end; the model then
    emits :attr:`more_wanted` with the rank of the next hit, and whoever runs searches
    streams that page in. Every hit is reachable this way, however many match.
    """

    more_wanted = Signal(str, int)  # query, offset of the next page
    paging_changed = Signal()  # loaded count, total or loading state changed

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.hits: list[Hit] = []
        self.query = ""
        self.total = 0  # as reported by the search
        self.total_is_exact = True  # False: Whoosh's estimate (very large indexes)
        self.exhausted = True  # no hit after the last one loaded
        self.loading = False

    def clear(self) -> None:
        self.beginResetModel()
        self.hits = []
        self.query, self.total, self.exhausted, self.loading = "", 0, True, False
        self.endResetModel()
        self.paging_changed.emit()

    def start(self, query: str, total: int, exact: bool = True) -> None:
        """A new query's first page is on its way; ``total`` hits match it (or about that
        many: then pages are asked for until one comes back short)."""
        self.query, self.total, self.total_is_exact = query, total, exact
        self.exhausted = total == 0
        self.loading = True
        self.paging_changed.emit()

    def set_snippet(self, row: int, snippet: str) -> None:
        """Show ``snippet`` (HTML) for the hit in ``row`` instead of what it showed."""
        if 0 <= row < len(self.hits):
            self.hits[row].snippets = [snippet]
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def append(self, hit: Hit) -> None:
        row = len(self.hits)
        self.beginInsertRows(QModelIndex(), row, row)
        self.hits.append(hit)
        self.endInsertRows()

    def page_done(self, received: int, page_size: int) -> None:
        """A page finished with ``received`` hits (fewer than asked: the list is complete)."""
        self.loading = False
        if received < page_size or (self.total_is_exact and len(self.hits) >= self.total):
            self.exhausted = True
            self.total = max(self.total, len(self.hits))
        self.paging_changed.emit()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self.loading and not self.exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent):
            self.loading = True
            self.paging_changed.emit()
            self.more_wanted.emit(self.query, len(self.hits))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit_html(hit)
        if role == HitRole:
            return hit
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            found_for = hit.found_for()
            return f"{hit.domain}: {hit.title}" + (f", {found_for}" if found_for else "")
        return None


def hit_html(hit: Hit) -> str:
    import html

    date = f" · {hit.date}" if hit.date else ""
    found_for = hit.found_for()
    matches = f" · {html.escape(found_for)}" if found_for else ""
    snippet = hit.snippets[0] if hit.snippets else ""
    return (f"<b>{html.escape(hit.domain)}</b><span style='color:gray'>{date}{matches}</span>"
            f"<br><small>{snippet}</small>")
