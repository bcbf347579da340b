"""Qt item models: the company list (with filter/sort proxy) and search results."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from reader.search.index import Hit
from reader.sources.corpus import PolicyEntry
from reader.sources.layouts import PRIVACY_POLICY, is_privacy_policy
from reader.sources.sites import snapshot_note
from reader.wording import counted

DomainRole = Qt.ItemDataRole.UserRole + 1
DateRole = Qt.ItemDataRole.UserRole + 2
LengthRole = Qt.ItemDataRole.UserRole + 3
HitRole = Qt.ItemDataRole.UserRole + 4
TitleRole = Qt.ItemDataRole.UserRole + 5
SiteRole = Qt.ItemDataRole.UserRole + 6
TypeRole = Qt.ItemDataRole.UserRole + 7

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
    haystack: str = ""  # what the filter looks in, lowercase; "" until first needed

    def refresh_haystack(self) -> str:
        self.haystack = "\n".join((self.domain, self.site, self.doc_type, self.title)).lower()
        return self.haystack

    def first_line(self) -> str:
        """Company (and type), year and length: what a reader needs to choose."""
        parts = [self.domain]
        if self.date:
            parts.append(self.date[:4])
        parts.append(f"{self.words:,} words" if self.words else f"{self.size // 1024 + 1} KB")
        return "  ·  ".join(parts)

    def second_line(self) -> str:
        """The title, and the snapshot's site when it is another one."""
        title = " ".join(self.title.split()) or "…"
        return f"{title}  ({snapshot_note(self.site)})" if self.site else title


class CompanyListModel(QAbstractListModel):
    """Companies of the open corpus, in the chosen order.

    Sorting happens here, with Python's sort on plain values (one model reset), rather than
    in the proxy, whose comparisons would call :meth:`data` millions of times on 100,000
    companies. Metadata (date, title, words, snapshot site) arrives later from the index.
    Each row shows the company, year and length, then the title (and the site the snapshot
    was taken on when it is not the company's). Privacy policies come before other
    documents (terms of service...) of a collection.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[CompanyRow] = []
        self._row_of: dict[str, int] = {}
        self.sort_key = "name"

    def set_entries(self, entries: list[PolicyEntry], keep_metadata: bool = False) -> None:
        """Show ``entries``; with ``keep_metadata`` (a reload of the same folder), rows of
        unchanged files keep the date, title and words already known."""
        previous = {row.domain: row for row in self._rows} if keep_metadata else {}
        self.beginResetModel()
        self._rows = []
        policy_types: dict[str, bool] = {}
        for e in entries:
            is_policy = policy_types.get(e.doc_type)
            if is_policy is None:
                is_policy = policy_types[e.doc_type] = is_privacy_policy(e.doc_type)
            row = CompanyRow(e.domain, e.size, company=e.company or e.domain,
                             doc_type=e.doc_type, privacy_policy=is_policy)
            old = previous.get(e.domain)
            if old and old.size == e.size:
                row.date, row.title, row.words, row.site = old.date, old.title, old.words, old.site
            self._rows.append(row)
        self._order()
        self.endResetModel()

    def sort_by(self, key: str) -> None:
        """Order by ``name`` (A-Z), ``date`` (newest first) or ``length`` (longest first)."""
        self.beginResetModel()
        self.sort_key = key
        self._order()
        self.endResetModel()

    def _order(self) -> None:
        if self.sort_key == "date":
            self._rows.sort(key=lambda r: (r.privacy_policy, r.date or "", r.domain),
                            reverse=True)
        elif self.sort_key == "length":
            self._rows.sort(key=lambda r: (r.privacy_policy, r.words or r.size // 6, r.domain),
                            reverse=True)
        else:
            self._rows.sort(key=lambda r: (not r.privacy_policy, r.company.lower(),
                                           r.doc_type.lower(), r.domain))
        self._row_of = {row.domain: i for i, row in enumerate(self._rows)}

    def set_metadata(self, metadata: dict[str, dict]) -> None:
        """Fill dates, titles and word counts (from the search index's stored fields)."""
        for row in self._rows:
            stored = metadata.get(row.domain)
            if stored:
                row.date = stored.get("date") or ""
                row.title = stored.get("title") or ""
                row.words = int(stored.get("words") or 0)
                row.site = stored.get("site") or ""
                row.haystack = ""
        if self.sort_key != "name":
            self.sort_by(self.sort_key)
        elif self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def matching_rows(self, text: str) -> bytearray | None:
        """1 for each row whose domain, snapshot site, document type or title contains
        ``text`` (case-insensitive); None: all."""
        needle = text.strip().lower()
        if not needle:
            return None
        return bytearray(needle in (row.haystack or row.refresh_haystack())
                         for row in self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def row_of(self, domain: str) -> int | None:
        return self._row_of.get(domain)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.first_line()}\n{row.second_line()}"
        if role == DomainRole:
            return row.domain
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [row.title or row.domain]
            if row.site:
                parts.append(snapshot_note(row.site))
            if row.date:
                parts.append(f"archived {row.date}")
            parts.append(f"{row.words} words" if row.words else f"{row.size // 1024 + 1} KB")
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
            return row.words or row.size // 6
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.domain}, {row.second_line()}" if row.title else row.domain
        return None


class CompanyFilterModel(QSortFilterProxyModel):
    """Shows the companies whose domain, snapshot site, document type or title contains the
    filter text (case-insensitive).

    The source model computes which rows match in one pass; each row's test here is a
    lookup, so typing stays quick on 100,000 companies.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._accepted: bytearray | None = None
        self.filter_text = ""

    def set_filter_text(self, text: str) -> None:
        self.filter_text = text
        self._refilter()

    def _refilter(self) -> None:
        source = self.sourceModel()
        self.beginFilterChange()
        self._accepted = source.matching_rows(self.filter_text) if source else None
        self.endFilterChange()

    def source_reset(self) -> None:
        """Recompute the filter after the source model re-ordered its rows."""
        if self.filter_text:
            self._refilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        accepted = self._accepted
        return accepted is None or source_row >= len(accepted) or bool(accepted[source_row])


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
        self.total = 0  # as reported by the search (an estimate when not exact)
        self.exhausted = True  # no hit after the last one loaded
        self.loading = False

    def clear(self) -> None:
        self.beginResetModel()
        self.hits = []
        self.query, self.total, self.exhausted, self.loading = "", 0, True, False
        self.endResetModel()
        self.paging_changed.emit()

    def start(self, query: str, total: int) -> None:
        """A new query's first page is on its way; ``total`` hits match it."""
        self.query, self.total = query, total
        self.exhausted = total == 0
        self.loading = True
        self.paging_changed.emit()

    def append(self, hit: Hit) -> None:
        row = len(self.hits)
        self.beginInsertRows(QModelIndex(), row, row)
        self.hits.append(hit)
        self.endInsertRows()

    def page_done(self, received: int, page_size: int) -> None:
        """A page finished with ``received`` hits (fewer than asked: the list is complete)."""
        self.loading = False
        if received < page_size or len(self.hits) >= self.total:
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
            return f"{hit.domain}: {hit.title}, {counted(hit.match_count, 'match')}"
        return None


def hit_html(hit: Hit) -> str:
    import html

    date = f" · {hit.date}" if hit.date else ""
    matches = f" · {counted(hit.match_count, 'match')}"
    snippet = hit.snippets[0] if hit.snippets else ""
    return (f"<b>{html.escape(hit.domain)}</b><span style='color:gray'>{date}{matches}</span>"
            f"<br><small>{snippet}</small>")
