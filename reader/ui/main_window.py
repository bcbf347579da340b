"""The main window: companies | highlighted policy | categories and search."""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader import __version__
from reader.analysis.taxonomy import category
from reader.output.export import unprintable_notes
from reader.output.fonts import characters_without_a_font, missing_font_message
from reader.paths import embedded_corpus_dir, folder_problem, user_data_dir
from reader.search.engine import (
    Hit,
    Progress,
    SearchIndex,
    UpdateReport,
    chosen_engine,
    open_index,
    tantivy_available,
)
from reader.search.query import Match, MatchFinder
from reader.sources.corpus import (
    Corpus,
    CorpusError,
    PolicyEntry,
    PolicyLoadError,
    corpus_folder_problem,
)
from reader.ui.category_panel import CategoryPanel
from reader.ui.compare_view import add_compare_actions
from reader.ui.corpus_watch import CorpusCheckWorker, CorpusWatcher
from reader.ui.facts_card import FactsCard, select_passage
from reader.ui.find_bar import FindBar, edit_focused
from reader.ui.help_dialog import maybe_welcome, show_help
from reader.ui.keys import FieldIntoList
from reader.ui.models import (
    SORT_KEY_OF_COLUMN,
    CompanyFilterModel,
    CompanyListModel,
    DomainRole,
)
from reader.ui.notice_bar import NoticeBar
from reader.ui.policy_loader import (
    LARGE_NOTICE_FROM,
    AnalysisWarmUp,
    PolicyLoader,
    RenderedPolicy,
    opens_in_background,
)
from reader.ui.policy_view import BusyBar, PageBar, PolicyBrowser
from reader.ui.preferences_dialog import (
    ENGINE_NAMES,
    PreferencesDialog,
    ReadingPreferences,
    engine_argument,
    load_search_engine,
)
from reader.ui.recent_folders import RecentFolders
from reader.ui.search_panel import SearchPanel
from reader.ui.workers import PAGE_SIZE, IndexWorker, PracticeSnippetWorker, SearchWorker
from reader.wording import counted

if TYPE_CHECKING:  # the classifier loads with the first policy, not with the window
    from reader.output.highlight import HighlightedPolicy

log = logging.getLogger(__name__)
CACHE_SIZE = 8
SETTINGS_DELAY_MS = 300  # settings are written this long after they change (not only at exit)
FIRST_POLICY_TRIES = 50  # a corpus whose first files are broken opens on the first good one


def settings() -> QSettings:
    """App settings in an INI file under the user data dir (Qt's default place if that
    folder cannot be created)."""
    try:
        folder = user_data_dir()
    except OSError:
        return QSettings()
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def policy_header(policy) -> str:
    from reader.output.highlight import header_html

    return header_html(policy)


def listing_cache_dir() -> Path | None:
    """Where corpus listings are kept between runs (None: the data folder is unusable)."""
    try:
        return user_data_dir() / "listings"
    except OSError:
        return None


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


class MainWindow(QMainWindow):
    policy_shown = Signal(str)  # domain: a policy is on screen with its highlights

    def __init__(self, corpus_path: str | None = None, restore: bool = True,
                 quick_start: bool = False) -> None:
        """``quick_start``: the window shows before the first policy is analysed (it opens
        in the background, as large ones always do); the app starts this way."""
        super().__init__()
        self.background_until_first = quick_start
        self.setWindowTitle("Privacy Policy Reader")
        self.setAcceptDrops(True)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)  # index, search, file check, opening a policy
        self.corpus: Corpus | None = None
        self.policy_index: SearchIndex | None = None
        self.index_worker: IndexWorker | None = None
        self.export_worker = None
        self.search_worker: SearchWorker | None = None
        self.snippet_worker: PracticeSnippetWorker | None = None  # see _search_finished
        self.check_worker: CorpusCheckWorker | None = None
        self.history_source = None  # the corpus's CorpusHistory, once detected
        self.reindex_pending = False
        self.asked_practices: list[str] = []  # see show_policy
        self.engine_switch_pending = False
        # Background work of a corpus just opened (index check, file check, history) starts
        # once its first policy is on screen: the first policy does not share Python's lock.
        self.waiting_for_first_policy = False
        self.deferred_work: list = []
        self.search_generation = 0
        self.selecting_quietly = False  # the company list follows the policy shown
        self.current: HighlightedPolicy | None = None
        self.current_matches: list[Match] = []
        self.highlight_anchors: list[str] = []
        self.highlight_position = -1
        self.match_position = -1
        self.cache: OrderedDict[str, HighlightedPolicy] = OrderedDict()
        self.last_error = ""
        self.preferences = ReadingPreferences.load(settings())
        self.search_engine = load_search_engine(settings())  # "auto", "whoosh", "tantivy"
        self.system_dark = system_is_dark()
        self.dark = self.preferences.is_dark(self.system_dark)
        self.preferences_dialog: PreferencesDialog | None = None
        self._build_widgets()
        self._build_actions()
        self.apply_preferences(self.preferences)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        stored = settings()
        if restore:
            self._restore_layout(stored)
        self._open_first_corpus(corpus_path, stored if restore else None)
        self.welcome = maybe_welcome(self, stored) if restore else None

    # -- construction --------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.company_filter = QLineEdit()
        self.company_filter.setPlaceholderText("Filter companies (Ctrl+L)")
        self.company_filter.setClearButtonEnabled(True)
        self.company_filter.setAccessibleName("Filter companies")
        self.company_model = CompanyListModel(self)
        self.company_proxy = CompanyFilterModel(self)
        self.company_proxy.setSourceModel(self.company_model)
        self.settings_timer = QTimer(self)
        self.settings_timer.setSingleShot(True)
        self.settings_timer.setInterval(SETTINGS_DELAY_MS)
        self.settings_timer.timeout.connect(self.save_settings)
        self.company_list = company_table(self.company_proxy)
        FieldIntoList(self.company_filter, self.company_list)  # Down / Enter: into the list
        self.company_count = QLabel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 0, 4)
        left_layout.addWidget(self.company_filter)
        left_layout.addWidget(self.company_list, 1)
        left_layout.addWidget(self.company_count)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setOpenExternalLinks(False)
        self.header.linkActivated.connect(self._open_external)
        self.header.setAccessibleName("Policy details")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.browser = PolicyBrowser()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 4, 4, 4)
        centre_layout.addWidget(self.header)
        self.busy_bar = BusyBar()
        centre_layout.addWidget(self.busy_bar)
        self.page_bar = PageBar(self.browser)
        centre_layout.addWidget(self.page_bar)
        self.find_bar = FindBar(self.browser)
        centre_layout.addWidget(self.find_bar)
        self.browser.page_changed.connect(self.find_bar.part_changed)
        self.browser.categories_at_cursor.connect(self._show_categories_at_cursor)
        centre_layout.addWidget(self.browser, 1)
        # Opening a policy has threads of its own: it never queues behind the index,
        # the file check or history detection (minutes on a large corpus).
        self.reading_pool = QThreadPool(self)
        self.reading_pool.setMaxThreadCount(2)
        if self.background_until_first:  # the app starting: models load as the folder lists
            self.reading_pool.start(AnalysisWarmUp())
        self.loader = PolicyLoader(self.reading_pool, self)
        self.loader.loaded.connect(self._policy_rendered)
        self.loader.failed.connect(self._policy_failed)
        self.busy_bar.cancel_requested.connect(self.cancel_opening)

        self.category_panel = CategoryPanel(settings())
        self.facts_card = FactsCard()  # at the top of the side panel, shows what it shows
        self.category_panel.layout().insertWidget(1, self.facts_card)  # under its caveat
        self.category_panel.policy_shown.connect(self.facts_card.show_policy)
        self.facts_card.evidence_activated.connect(
            lambda text, at: select_passage(self.browser, text, at))
        self.category_panel.evidence_activated.connect(
            lambda text, at: select_passage(self.browser, text, at))
        self.search_panel = SearchPanel()
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.category_panel, "Categories")
        self.side_tabs.addTab(self.search_panel, "Search")
        self.side_tabs.setAccessibleName("Side panel")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 690, 340])  # the company list shows two lines a row
        self.notice_bar = NoticeBar()
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.notice_bar)
        central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.watcher = CorpusWatcher(self)
        self.watcher.changed.connect(lambda: self.reload_corpus(announce_unchanged=False))

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setAccessibleName("Indexing progress")
        self.progress_label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel indexing")
        self.cancel_button.clicked.connect(self.cancel_background_work)
        status = self.statusBar()
        status.addPermanentWidget(self.progress_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        self._show_progress(False)

        self.company_filter.textChanged.connect(self._filter_companies)
        self.company_list.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        self.company_list.selectionModel().currentRowChanged.connect(self._company_selected)
        self.category_panel.visibility_changed.connect(self._rerender)
        self.category_panel.passage_activated.connect(self.jump_to_passage)
        self.search_panel.query_submitted.connect(self.search)
        self.search_panel.hit_activated.connect(self.open_hit)
        self.search_panel.export_requested.connect(self.export_results)
        self.search_panel.model.more_wanted.connect(self._search_page)
        self.splitter.splitterMoved.connect(self.settings_changed)

    def _build_actions(self) -> None:
        def action(menu, text, slot, shortcut=None, tip=None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
            if tip:
                act.setStatusTip(tip)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        keys = QKeySequence.StandardKey
        menu = self.menuBar().addMenu("&File")
        self.open_action = action(menu, "&Open Corpus Folder...", self.choose_corpus,
                                  QKeySequence(keys.Open), "Read policies from another folder")
        self.recent_menu = RecentFolders(settings, self.open_corpus, self.inform, self)
        menu.addMenu(self.recent_menu)
        action(menu, "Open &Embedded Corpus", lambda: self.open_corpus(str(embedded_corpus_dir())))
        self.reload_action = action(menu, "&Reload Folder", self.reload_corpus,
                                    QKeySequence(keys.Refresh),
                                    "List the folder again: new, deleted and changed files")
        self.rebuild_index_action = action(
            menu, "Re&build Search Index", self.rebuild_index,
            tip="Build the search index again from the policy files")
        menu.addSeparator()
        self.export_action = action(menu, "&Export PDF...", self.export_pdf,
                                    QKeySequence("Ctrl+E"), "Save the highlighted policy as PDF")
        self.print_action = action(menu, "&Print...", self.print_policy,
                                   QKeySequence(keys.Print))
        self.export_results_action = action(menu, "Export Search &Results to PDF...",
                                            self.export_results, QKeySequence("Ctrl+Shift+E"),
                                            "Save every policy found by the search as a PDF")
        menu.addSeparator()
        action(menu, "&Quit", self.close, QKeySequence(keys.Quit))

        menu = self.menuBar().addMenu("&Edit")
        self.copy_action = action(menu, "&Copy", lambda: edit_focused(self, "copy"),
                                  QKeySequence(keys.Copy))
        self.select_all_action = action(menu, "Select &All",
                                        lambda: edit_focused(self, "selectAll"),
                                        QKeySequence(keys.SelectAll))
        menu.addSeparator()
        self.find_action = action(menu, "&Find in Policy...", self.find_bar.open_bar,
                                  QKeySequence(keys.Find), "Find a word or phrase in this policy")
        menu.addSeparator()
        self.preferences_action = action(
            menu, "&Preferences...", self.show_preferences, QKeySequence("Ctrl+,"),
            "Font, line width, highlight intensity, colour-blind palette, theme, search engine")

        menu = self.menuBar().addMenu("&View")
        action(menu, "Zoom &In", self.zoom_in, [QKeySequence(keys.ZoomIn), QKeySequence("Ctrl+=")])
        action(menu, "Zoom &Out", self.zoom_out, QKeySequence(keys.ZoomOut))
        action(menu, "&Reset Zoom", self.zoom_reset, QKeySequence("Ctrl+0"))
        menu.addSeparator()
        action(menu, "&Next Highlight", self.next_highlight, [QKeySequence("F8"),
                                                                QKeySequence("Ctrl+]")])
        action(menu, "&Previous Highlight", self.previous_highlight,
               [QKeySequence("Shift+F8"), QKeySequence("Ctrl+[")])
        action(menu, "Next Search &Match", self.next_match, QKeySequence(keys.FindNext))
        action(menu, "Previous Search Ma&tch", self.previous_match,
               QKeySequence(keys.FindPrevious))
        menu.addSeparator()
        action(menu, "&Search Policies", self.focus_search, QKeySequence("Ctrl+K"))
        action(menu, "Filter &Companies", self.focus_companies, QKeySequence("Ctrl+L"))
        action(menu, "Show C&ategories", lambda: self.side_tabs.setCurrentIndex(0),
               QKeySequence("Ctrl+1"))
        self.history_action = action(menu, "Policy &History...", self.show_history,
                                     QKeySequence("Ctrl+H"))
        self.compare_action = add_compare_actions(self, menu)

        menu = self.menuBar().addMenu("&Help")
        self.guide_action = action(menu, "&Guide", lambda: show_help(self, "guide"),
                                   QKeySequence(keys.HelpContents))
        action(menu, "&Search Syntax", lambda: show_help(self, "syntax"))
        action(menu, "&Keyboard Shortcuts", lambda: show_help(self, "shortcuts"))
        action(menu, "&About Privacy Policy Reader", self.about)
        self.zoom_level = 0

    def show_evidence(self, domain: str, start: int, end: int) -> None:
        """Open a policy with the sentence ``start:end`` of its text selected (as the facts
        card selects its evidence)."""
        def select(shown: str) -> None:
            if shown == domain and self.current is not None:
                text = self.current.document.text
                select_passage(self.browser, text[start:end], start / max(len(text), 1))

        self.policy_shown.connect(select, Qt.ConnectionType.SingleShotConnection)
        self.company_filter.clear()
        self._apply_company_filter()
        self._select_quietly(domain)
        self.show_policy(domain)

    def show_history(self):
        """Open the History window of the company shown (versions, chart, what changed)."""
        from reader.ui.history_panel import HistoryDialog

        if self.corpus is None or self.current is None:
            return None
        dialog = HistoryDialog(self.corpus, self.current.policy.domain, self.look, self,
                               source=self.history_source)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def detect_history(self) -> None:
        """Find the open corpus's history (git repository, dated files) in the
        background; the status bar says what was found."""
        from reader.ui.history_panel import HistoryDetector

        self.history_source = None
        if self.corpus is None or self.corpus.root == embedded_corpus_dir().resolve():
            return  # the seed policies that ship with the app have no history of their own
        detector = HistoryDetector(self.corpus)
        detector.signals.detected.connect(self._history_detected)
        self.start_background(detector)

    def _history_detected(self, corpus: Corpus, source, summary: str) -> None:
        if corpus is not self.corpus or source is None:
            return
        self.history_source = source
        if summary:
            self.statusBar().showMessage(summary, 15000)

    def _restore_layout(self, stored: QSettings) -> None:
        geometry = stored.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        state = stored.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
        zoom = int(stored.value("zoom", 0) or 0)
        for _ in range(abs(zoom)):
            self.zoom_in() if zoom > 0 else self.zoom_out()
        sort_key = stored.value("sort", "name")
        if sort_key in SORT_KEY_OF_COLUMN:
            descending = stored.value("sort_descending", sort_key in ("date", "length"))
            self.sort_companies(sort_key, str(descending).lower() == "true")

    def save_settings(self) -> None:
        stored = settings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("splitter", self.splitter.saveState())
        stored.setValue("zoom", self.zoom_level)
        stored.setValue("sort", self.company_model.sort_key)
        stored.setValue("sort_descending", self.company_model.descending)
        if self.corpus:
            stored.setValue("corpus", str(self.corpus.root))
        if self.current:
            stored.setValue("policy", self.current.policy.domain)
        stored.sync()

    def settings_changed(self, *_args) -> None:
        """Write the settings shortly (a crash or a kill then loses nothing)."""
        self.settings_timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.settings_changed()

    def moveEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().moveEvent(event)
        self.settings_changed()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.settings_timer.stop()
        self.save_settings()
        self.loader.cancel()
        self.cancel_background_work()
        self.drop_deferred_work()
        self.watcher.stop()
        if self.check_worker:
            self.check_worker.cancel()
        if self.search_worker:
            self.search_worker.cancel()
        if self.snippet_worker:
            self.snippet_worker.cancel()
        self.pool.waitForDone(10000)
        self.reading_pool.waitForDone(10000)
        if self.policy_index:
            self.policy_index.close()
        super().closeEvent(event)

    # -- messages ------------------------------------------------------------------------

    def notify_error(self, title: str, text: str) -> None:
        """A clear, non-blocking message; the app keeps running."""
        self.last_error = text
        log.info("%s: %s", title, text)
        self.statusBar().showMessage(text, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def inform(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def about(self) -> None:
        self.inform("About Privacy Policy Reader", about_text())

    # -- corpus --------------------------------------------------------------------------

    def choose_corpus(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of policies",
                                                  str(self.corpus.root if self.corpus else ""))
        if folder:
            self.open_corpus(folder)

    def _open_first_corpus(self, requested: str | None, stored: QSettings | None) -> None:
        """The folder given on the command line, else the one open last time, else the
        embedded corpus; a folder that is gone is said so in the notice bar."""
        embedded = str(embedded_corpus_dir())
        restore_policy = stored.value("policy") if stored is not None else None
        origin = "given"
        if not requested and stored is not None and stored.value("corpus"):
            requested, origin = str(stored.value("corpus")), "open last time"
        if requested:
            problem = corpus_folder_problem(requested)
            if problem is None and self.open_corpus(requested, restore_policy):
                return
            if problem:
                self.last_error = problem
                self.notice_bar.show_notice(
                    "corpus-missing", f"The folder {origin} cannot be opened ({problem}); "
                    "the embedded corpus is shown instead.")
        self.open_corpus(embedded, restore_policy)

    def open_corpus(self, path: str, restore_policy: str | None = None) -> bool:
        """Open a folder of policies; on failure keep what is open and say why."""
        try:
            corpus = Corpus.open(path, cache_dir=listing_cache_dir())
        except CorpusError as exc:
            self.notify_error("Cannot open the folder", f"{exc}. {self._kept_instead()}")
            return False
        if len(corpus) == 0:
            from reader.sources.history import nothing_checked_out

            hint = nothing_checked_out(corpus.root)
            self.notify_error("No policies found",
                              f"{corpus.root} has no policy files (.md, .markdown or .txt). "
                              + (f"{hint}. " if hint else "") + self._kept_instead())
            return False
        self.cancel_indexing()
        self.drop_deferred_work()
        if self.check_worker:
            self.check_worker.cancel()
            self.check_worker = None
        if self.policy_index:
            self.pool.waitForDone(5000)
            self.policy_index.close()
            self.policy_index = None
        self.corpus = corpus
        self.cache.clear()
        self.setWindowTitle(f"Privacy Policy Reader — {corpus.root.name}")
        self.notice_bar.dismiss("unreadable-policy")
        self.watcher.watch(corpus)
        first = self._first_readable(restore_policy if restore_policy in corpus else None)
        self.waiting_for_first_policy = first is not None
        self._open_index(corpus)
        self.detect_history()
        self._start_check()
        self._refresh_company_list()
        if first:
            self.select_company(first)
        if not self.loader.busy:  # shown at once (or not at all)
            self.start_deferred_work()
        self.settings_changed()
        self.recent_menu.add(str(corpus.root))
        return True

    def _kept_instead(self) -> str:
        """What a folder that cannot be opened leaves on screen (at start: nothing yet, so
        the embedded corpus)."""
        return ("The current corpus stays open." if self.corpus is not None
                else "The embedded corpus is shown instead.")

    def start_background(self, worker) -> None:
        """Run ``worker`` on the pool, or once the corpus's first policy is on screen (or
        failed, or its opening was cancelled) while that is still opening."""
        if self.waiting_for_first_policy:
            self.deferred_work.append(worker)
        else:
            self.pool.start(worker)

    def drop_deferred_work(self) -> None:
        """Forget the work that waited for the first policy (another folder opens)."""
        self.waiting_for_first_policy = False
        for worker in self.deferred_work:
            if worker is self.index_worker:
                self.index_worker = None
                self._show_progress(False)
            if worker is self.check_worker:
                self.check_worker = None
        self.deferred_work = []

    def start_deferred_work(self) -> None:
        """Start the background work that waited for the first policy."""
        if self.waiting_for_first_policy:
            QTimer.singleShot(0, self.company_model.prepare_filter)
        self.waiting_for_first_policy = False
        work, self.deferred_work = self.deferred_work, []
        for worker in work:
            self.pool.start(worker)

    def _open_index(self, corpus: Corpus) -> None:
        """Open the corpus's search index; without one, reading still works and the notice
        bar says why search is off."""
        try:
            self.policy_index = open_index(corpus, engine_argument(self.search_engine))
            self.policy_index.open()
        except Exception as exc:  # noqa: BLE001 - the index is optional for reading
            self.policy_index = None
            why = folder_problem(exc) if isinstance(exc, OSError) else str(exc)
            self.notice_bar.show_notice(
                "search-off", f"Search is off: the search index cannot be used: {why}. "
                "Policies can still be read.")
            return
        self.notice_bar.dismiss("search-off")
        if self.preferences_dialog is not None:
            self.preferences_dialog.show_engine_in_use(self.policy_index.engine)
        for message in self.policy_index.messages:
            self.statusBar().showMessage(message, 15000)
        self.start_indexing()

    def _first_readable(self, preferred: str | None) -> str | None:
        """The policy to open first: ``preferred`` or the first listed one that reads;
        unreadable ones met on the way leave the list (and show in the notice bar)."""
        assert self.corpus is not None
        candidates = ([preferred] if preferred else []) + self.corpus.domains()
        for domain in candidates[:FIRST_POLICY_TRIES]:
            if domain not in self.corpus:
                continue
            try:
                self.corpus.load(domain)  # readable? (opening it may happen in the background)
            except PolicyLoadError as exc:
                self.corpus.discard(domain, str(exc))
                continue
            return domain
        return self.corpus.domains()[0] if len(self.corpus) else None

    def _refresh_company_list(self, keep_metadata: bool = False) -> None:
        """Show the corpus's current entries, keep the selection, update count and notice."""
        assert self.corpus is not None
        current = self.current.policy.domain if self.current else None
        self.company_model.set_entries(self.corpus.entries, keep_metadata)
        self._update_count()
        if current:
            self._select_quietly(current)
        self._show_skipped_files()

    def _show_skipped_files(self) -> None:
        """The notice listing files left out of the list, or none if all are shown."""
        problems = self.corpus.problems if self.corpus else []
        if not problems:
            self.notice_bar.dismiss("skipped")
            return
        duplicates = sum("a second policy for" in p for p in problems)
        parts = []
        if len(problems) > duplicates:
            count = len(problems) - duplicates
            parts.append(f"{count:,} {'file' if count == 1 else 'files'} skipped: "
                         "cannot be read as text (empty, binary, not UTF-8 or unreadable)")
        if duplicates:
            parts.append(f"{duplicates:,} duplicate {'file' if duplicates == 1 else 'files'} "
                         "skipped: a second file for a company (the .md, then the larger "
                         "file is shown)")
        self.notice_bar.show_notice("skipped", "; ".join(parts) + ".", problems)

    def _start_check(self, entries: list[PolicyEntry] | None = None) -> None:
        """Read the listed files in the background; unreadable ones leave the list."""
        if not self.corpus:
            return
        worker = CorpusCheckWorker(self.corpus, entries)
        worker.signals.finished.connect(self._check_finished)
        worker.signals.stale.connect(self._listing_stale)
        self.check_worker = worker
        self.start_background(worker)

    def _check_finished(self, corpus: Corpus, broken: list) -> None:
        if self.sender() is not (self.check_worker.signals if self.check_worker else None):
            return
        self.check_worker = None
        if corpus is not self.corpus:
            return
        discarded = [entry.domain for entry, message in broken
                     if corpus.discard(entry, message)]
        for domain in discarded:
            self.cache.pop(domain, None)
        if discarded:
            self._refresh_company_list(keep_metadata=True)

    def _listing_stale(self, corpus: Corpus) -> None:
        """Files were edited since the listing kept from last time: list the folder again."""
        if corpus is self.corpus:
            self.reload_corpus(announce_unchanged=False)

    def reload_corpus(self, *, announce_unchanged: bool = True) -> None:
        """File > Reload (F5), also run when the watched folder changes: list the folder
        again, keep the policy shown, and bring the search index up to date."""
        if not self.corpus:
            return
        self.start_deferred_work()
        try:
            changes = self.corpus.rescan()
        except CorpusError as exc:
            self.notify_error("The folder is gone",
                              f"{exc}. The list stays as it was; open another folder.")
            return
        self.watcher.watch(self.corpus)
        for domain in changes.removed + changes.changed:
            self.cache.pop(domain, None)
        current = self.current.policy.domain if self.current else None
        self._refresh_company_list(keep_metadata=True)
        if current and current in changes.removed:
            self.current = None
            first = self._first_readable(None)
            if first:
                self.select_company(first)
        elif current and current in changes.changed:
            self.show_policy(current)
        if changes:
            self.statusBar().showMessage(
                f"Folder reloaded: {len(changes.added):,} added, {len(changes.removed):,} "
                f"removed, {len(changes.changed):,} changed", 10000)
            self._reindex()
            self.detect_history()  # new commits or dated files: versions listed again
            fresh = set(changes.added) | set(changes.changed)
            if self.check_worker:  # the first full check had not finished: check all again
                self.check_worker.cancel()
                self._start_check()
            elif fresh:
                self._start_check([e for e in self.corpus.entries if e.domain in fresh])
        elif announce_unchanged:
            self.statusBar().showMessage("Folder reloaded: no changes", 5000)

    def _reindex(self) -> None:
        """Bring the index up to date now, or as soon as the running update stops."""
        if self.index_worker:
            self.reindex_pending = True
            self.index_worker.cancel()
        else:
            self.start_indexing()

    def _update_count(self) -> None:
        shown = self.company_proxy.rowCount()
        total = self.company_model.rowCount()
        self.company_count.setText(f"{shown:,} of {counted(total, 'company')}"
                                   if shown != total else counted(total, "company"))

    def _filter_companies(self, _text: str) -> None:
        self._apply_company_filter()

    def _apply_company_filter(self) -> None:
        """Filter as you type; the policy shown stays shown (and selected while listed)."""
        self.company_proxy.set_filter_text(self.company_filter.text())
        self._update_count()
        self._reselect_current()

    def sort_companies(self, key: str, descending: bool | None = None) -> None:
        """Sort the company list by ``name``, ``date``, ``length`` or ``title`` (what a
        click on a column header does)."""
        if descending is None:
            descending = key in ("date", "length")
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.company_list.horizontalHeader().setSortIndicator(
            SORT_KEY_OF_COLUMN.index(key), order)

    def _sorted(self, *_args) -> None:
        self._reselect_current()
        self.settings_changed()

    def _reselect_current(self) -> None:
        if self.current:
            self._select_quietly(self.current.policy.domain)

    def _list_index(self, domain: str):
        """The company list's index of ``domain`` (invalid if filtered out or unknown)."""
        row = self.company_model.row_of(domain)
        if row is None:
            return QModelIndex()
        return self.company_proxy.mapFromSource(self.company_model.index(row, 0))

    def _select_quietly(self, domain: str) -> None:
        """Select a company in the list without reopening its policy."""
        if self.company_model.row_of(domain) is None:
            return
        proxy_index = self._list_index(domain)
        # Not blockSignals: the list would never hear of the change and keep painting the
        # row selected before as selected too (two rows looked selected).
        self.selecting_quietly = True
        try:
            if proxy_index.isValid():
                self.company_list.setCurrentIndex(proxy_index)
            else:  # filtered out: nothing looks selected
                self.company_list.selectionModel().clear()
        finally:
            self.selecting_quietly = False
        if proxy_index.isValid():
            self.company_list.scrollTo(proxy_index)

    # -- indexing ------------------------------------------------------------------------

    def start_indexing(self, rebuild: bool = False) -> None:
        if not self.policy_index:
            return
        worker = IndexWorker(self.policy_index, rebuild)
        worker.signals.progress.connect(self._index_progress)
        worker.signals.finished.connect(self._index_finished)
        worker.signals.failed.connect(self._index_failed)
        self.index_worker = worker
        self._show_progress(True)
        self.progress.setRange(0, 0)
        self.progress_label.setText("Checking the search index…")
        self.start_background(worker)

    def rebuild_index(self) -> None:
        """File > Rebuild Search Index."""
        if self.policy_index is None and self.corpus:
            self._open_index(self.corpus)  # search was off: try the data folder again
            return
        if self.index_worker:
            self.statusBar().showMessage(
                "The index is being updated; rebuild it when that has finished.", 8000)
        else:
            self.start_indexing(rebuild=True)

    def cancel_indexing(self) -> None:
        if self.index_worker:
            self.index_worker.cancel()

    def cancel_background_work(self) -> None:
        """The status bar's Cancel: stops indexing and batch export."""
        self.cancel_indexing()
        if self.export_worker:
            self.export_worker.cancel()

    def _show_progress(self, shown: bool) -> None:
        for widget in (self.progress, self.progress_label, self.cancel_button):
            widget.setVisible(shown)

    def _index_progress(self, progress: Progress) -> None:
        if self.sender() is not (self.index_worker.signals if self.index_worker else None):
            return
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            eta = f", {progress.eta:.0f} s left" if progress.eta else ""
            self.progress_label.setText(
                f"Indexing {progress.done:,}/{progress.total:,} · {progress.rate:.0f}/s{eta}")

    def _index_finished(self, report: UpdateReport, metadata: dict) -> None:
        if self.sender() is not (self.index_worker.signals if self.index_worker else None):
            return
        self.index_worker = None
        self._show_progress(False)
        if self.engine_switch_pending:
            self._switch_engine()
            return
        if self.reindex_pending:
            self.reindex_pending = False
            self.start_indexing()
            return
        if report.cancelled:
            message = (f"Indexing cancelled after {counted(report.indexed, 'policy')}; "
                       "search covers those.")
        elif report.indexed or report.deleted:
            message = (f"Search index updated: {report.added:,} added, {report.changed:,} "
                       f"changed, {report.deleted:,} removed in {report.seconds:.1f} s")
        else:
            message = "Search index is up to date"
        if report.failed:
            message += f"; {counted(len(report.failed), 'file')} could not be read"
        if report.rebuilt_because:
            message = f"Search index rebuilt (it {report.rebuilt_because}). {message}"
        self.statusBar().showMessage(message, 10000)
        current = self.current.policy.domain if self.current else None
        self.company_model.set_metadata(metadata)
        if current:
            self._select_quietly(current)

    def _index_failed(self, message: str) -> None:
        self.index_worker = None
        self._show_progress(False)
        self.reindex_pending = False
        if self.engine_switch_pending:
            self._switch_engine()
            return
        self.notify_error("Search index", message)

    def set_search_engine(self, setting: str) -> None:
        """Edit > Preferences > Search engine (``auto``, ``whoosh``, ``tantivy``): search
        moves to that engine's index, which is brought up to date (built, the first time)
        in the background with progress; the update running is stopped first."""
        self.search_engine = setting
        if self.corpus is None:
            return
        wanted = chosen_engine(self.corpus, engine_argument(setting))
        if self.policy_index is not None and self.policy_index.engine == wanted:
            self.statusBar().showMessage(
                f"Search already uses {ENGINE_NAMES.get(wanted, wanted)}", 8000)
            return
        if self.index_worker:  # it stops after the current batch; then the switch
            self.engine_switch_pending = True
            self.index_worker.cancel()
            return
        self._switch_engine()

    def _switch_engine(self) -> None:
        """Close the index in use and open (and update) the chosen engine's."""
        self.engine_switch_pending = False
        self.reindex_pending = False
        if self.corpus is None:
            return
        old, self.policy_index = self.policy_index, None
        if old is not None:
            if self.search_worker:  # a search still reading the old index closes it
                self.search_worker.cancel()
                self.search_worker.signals.finished.connect(
                    lambda *_args: old.close(), Qt.ConnectionType.SingleShotConnection)
            else:
                old.close()
        self._open_index(self.corpus)
        if self.policy_index is not None:
            name = ENGINE_NAMES.get(self.policy_index.engine, self.policy_index.engine)
            self.statusBar().showMessage(f"Search engine: {name}; its index is being "
                                         "brought up to date", 10000)

    # -- showing a policy ----------------------------------------------------------------

    def select_company(self, domain: str) -> None:
        if self.company_model.row_of(domain) is None:
            return
        proxy_index = self._list_index(domain)
        if proxy_index.isValid():
            self.company_list.setCurrentIndex(proxy_index)
            self.company_list.scrollTo(proxy_index)
        else:
            self.show_policy(domain)

    def _company_selected(self, current, _previous) -> None:
        if current.isValid() and not self.selecting_quietly:
            domain = current.data(DomainRole)
            if not (self.current and self.current.policy.domain == domain
                    and not self.loader.busy):
                self.show_policy(domain)

    def highlighted(self, domain: str) -> HighlightedPolicy:
        if domain in self.cache:
            self.cache.move_to_end(domain)
            return self.cache[domain]
        assert self.corpus is not None
        from reader.output.highlight import HighlightedPolicy

        return self._remember(HighlightedPolicy.of(self.corpus.load(domain)))

    def _remember(self, item: HighlightedPolicy) -> HighlightedPolicy:
        self.cache[item.policy.domain] = item
        self.cache.move_to_end(item.policy.domain)
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
        return item

    def show_policy(self, domain: str, finder: MatchFinder | None = None,
                    practices: Sequence[str] = ()) -> bool:
        """Show a policy; with ``finder``, the search terms are marked and the view scrolls
        to the first one; else with ``practices`` (what a search by category asked for),
        the first of them the policy has lists its passages and the view goes to the
        first. Large policies open in the background (True: started)."""
        if not self.corpus:
            return False
        self.asked_practices = list(practices)
        self.loader.cancel()  # whatever was opening is superseded
        self.busy_bar.stop()
        entry = self.corpus.find(domain)
        cached = self.cache.get(domain)
        size = len(cached.document.text) if cached else entry.size if entry else 0
        if opens_in_background(size) or self.background_until_first:
            self._open_in_background(domain, cached, finder)
            return True
        try:
            item = self.highlighted(domain)
        except (PolicyLoadError, KeyError) as exc:
            self.current = None
            self.header.setText(f"<h2>{html.escape(domain)}</h2>")
            self.browser.setHtml(f"<p><b>This policy cannot be shown.</b></p>"
                                 f"<p>{html.escape(str(exc))}</p>")
            self.category_panel.show_policy(None)
            self.last_error = str(exc)
            self.notice_bar.show_notice("unreadable-policy",
                                        f"{domain} cannot be shown: {exc}")
            entry = self.corpus.find(domain)
            if entry is not None and not entry.path.exists():
                QTimer.singleShot(0, self.reload_corpus)  # deleted since it was listed
            return False
        self.current = item
        self.current_matches = finder.find(item.document.text) if finder else []
        self._show_header(item.policy)
        self.category_panel.show_policy(item)
        self._render(keep_scroll=False)
        self._policy_ready()
        return True

    def _show_header(self, policy) -> None:
        """The policy's header; its tooltip gives the title as the file writes it when the
        header shows it cleaned of site furniture."""
        self.header.setText(policy_header(policy))
        raw = " ".join(policy.raw_title.split())
        self.header.setToolTip(f"Title as written: {raw}" if raw and raw != policy.title
                               else "")

    def _policy_ready(self) -> None:
        self.background_until_first = False
        if self.waiting_for_first_policy:  # once it is painted
            QTimer.singleShot(0, self.start_deferred_work)
        self.match_position = -1
        if self.current_matches:
            self.next_match()
        else:
            self._list_asked_passages()
        self.settings_changed()
        assert self.current is not None
        missing = characters_without_a_font(self.current.document.text)
        if missing:
            self.notice_bar.show_notice("no-font", missing_font_message(
                missing, self.current.policy.domain))
        else:
            self.notice_bar.dismiss("no-font")
        self.policy_shown.emit(self.current.policy.domain)

    def _list_asked_passages(self) -> None:
        """After a search by category: the passages of the first practice asked for that
        the policy has, listed in the side panel, the view at the most confident one."""
        asked, self.asked_practices = self.asked_practices, []
        for category_id in asked:
            if self.category_panel.list_passages(category_id):
                self.statusBar().showMessage(
                    f"Passages of {category(category_id).name}: the most "
                    "confident first (click one in the side panel to go to it)", 5000)
                return

    def _open_in_background(self, domain: str, cached: HighlightedPolicy | None,
                            finder: MatchFinder | None, matches=None) -> None:
        """Read, classify and render in a worker; the busy bar offers Cancel meanwhile."""
        assert self.corpus is not None
        entry = self.corpus.find(domain)
        size = entry.size if entry else len(cached.document.text) if cached else 0
        note = (" — a very large policy: this can take a while; Cancel goes back"
                if size >= LARGE_NOTICE_FROM else "")
        verb = "Opening" if cached is None or cached is not self.current else "Updating"
        self.busy_bar.start(f"{verb} {html.escape(domain)} ({size / 1e6:.1f} MB){note}…"
                            if size >= 100_000 else f"{verb} {html.escape(domain)}…")
        self.loader.start(self.corpus, domain, cached, self.category_panel.visible(), self.look,
                          self.browser.font(), finder, matches,
                          confident_only=self.category_panel.confident_only(),
                          margins=self.browser.side_margins(self.browser.font()))

    def _policy_rendered(self, rendered: RenderedPolicy) -> None:
        self.busy_bar.stop()
        item = rendered.item
        same = self.current is item
        scroll = self.browser.verticalScrollBar().value()
        page = self.browser.page
        self.current = self._remember(item)
        self.current_matches = rendered.matches
        if not same:
            self._show_header(item.policy)
            self.category_panel.show_policy(item)
        self.browser.show_pages(rendered.pages, page if same else 0)
        self.find_bar.refresh()
        self.highlight_anchors = (
            rendered.highlight_anchors if rendered.highlight_anchors is not None
            else item.visible_span_anchors(rendered.visible, rendered.confident_only))
        self.highlight_position = -1
        if same:
            self.browser.verticalScrollBar().setValue(scroll)
            return
        self._policy_ready()

    def _policy_failed(self, domain: str, message: str) -> None:
        self.background_until_first = False
        self.start_deferred_work()
        self.busy_bar.stop()
        self.current = None
        self.header.setText(f"<h2>{html.escape(domain)}</h2>")
        self.browser.setHtml(f"<p><b>This policy cannot be shown.</b></p>"
                             f"<p>{html.escape(message)}</p>")
        self.category_panel.show_policy(None)
        self.last_error = message
        self.notice_bar.show_notice("unreadable-policy", f"{domain} cannot be shown: {message}")

    def cancel_opening(self) -> None:
        """The busy bar's Cancel: keep the policy shown before, and select it again."""
        domain = self.loader.domain
        if self.loader.cancel():
            self.start_deferred_work()
            self.busy_bar.stop()
            self.statusBar().showMessage(f"Opening {domain} cancelled", 5000)
            if self.current:
                self._select_quietly(self.current.policy.domain)

    def _render(self, keep_scroll: bool = True) -> None:
        if not self.current:
            return
        if opens_in_background(len(self.current.document.text)):  # re-render in a worker
            self._open_in_background(self.current.policy.domain, self.current, None,
                                     self.current_matches)
            return
        visible = self.category_panel.visible()
        scroll = self.browser.verticalScrollBar().value()
        confident_only = self.category_panel.confident_only()
        self.browser.setHtml(self.current.body_html(visible, self.look, self.current_matches,
                                                    confident_only=confident_only))
        self.find_bar.refresh()
        self.highlight_anchors = self.current.visible_span_anchors(visible, confident_only)
        self.highlight_position = -1
        if keep_scroll:
            self.browser.verticalScrollBar().setValue(scroll)

    def _rerender(self) -> None:
        self._render(keep_scroll=True)

    def _scheme_changed(self, scheme) -> None:
        self.system_dark = scheme == Qt.ColorScheme.Dark
        if self.preferences.is_dark(self.system_dark) != self.dark:
            self.apply_preferences(self.preferences)

    # -- reading preferences (see reader.ui.preferences_dialog) --------------------------

    @property
    def look(self):
        """How highlights look: the reader's intensity and palette in the theme in use."""
        return self.preferences.look(self.system_dark)

    def show_preferences(self) -> PreferencesDialog:
        if self.preferences_dialog is None:
            self.preferences_dialog = PreferencesDialog(
                self.preferences, settings(), self, tantivy_installed=tantivy_available())
            self.preferences_dialog.changed.connect(self.apply_preferences)
            self.preferences_dialog.search_engine_changed.connect(self.set_search_engine)
            if self.policy_index is not None:
                self.preferences_dialog.show_engine_in_use(self.policy_index.engine)
        self.preferences_dialog.show()
        return self.preferences_dialog

    def apply_preferences(self, preferences: ReadingPreferences) -> None:
        """Show the policy (and the panel's swatches) as ``preferences`` say, at once."""
        changed_theme = preferences.theme != self.preferences.theme
        self.preferences = preferences
        self.dark = preferences.is_dark(self.system_dark)
        if changed_theme and hasattr(QGuiApplication.styleHints(), "setColorScheme"):
            QGuiApplication.styleHints().setColorScheme(
                {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
                    preferences.theme, Qt.ColorScheme.Unknown))
        self.browser.look = self.look
        self.browser.setStyleSheet(
            "QTextBrowser { background: #1E1E1E; color: #E6E6E6; }" if self.dark
            and preferences.theme == "dark" else
            "QTextBrowser { background: #FFFFFF; color: #000000; }"
            if preferences.theme == "light" else "")
        font = preferences.font()
        font.setPointSize(max(1, font.pointSize() + self.zoom_level))
        self.browser.setFont(font)
        self.browser.set_line_width(preferences.line_width)
        self.category_panel.set_dark(self.look)
        self._render()

    def jump_to_passage(self, span_index: int) -> None:
        if not self.current:
            return
        anchor = self.current.span_anchor(span_index)
        self.browser.go_to_anchor(anchor)
        if anchor in self.highlight_anchors:
            self.highlight_position = self.highlight_anchors.index(anchor)

    def next_highlight(self) -> None:
        self._step_highlight(+1)

    def previous_highlight(self) -> None:
        self._step_highlight(-1)

    def _step_highlight(self, step: int) -> None:
        if not self.highlight_anchors:
            self.statusBar().showMessage("No highlighted passages shown", 3000)
            return
        count = len(self.highlight_anchors)
        if self.highlight_position < 0:
            self.highlight_position = 0 if step > 0 else count - 1
        else:
            self.highlight_position = (self.highlight_position + step) % count
        self.browser.go_to_anchor(self.highlight_anchors[self.highlight_position])
        self.statusBar().showMessage(
            f"Highlight {self.highlight_position + 1} of {count}", 3000)

    def next_match(self) -> None:
        self._step_match(+1)

    def previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        """Scroll to the next or previous search match in the policy shown."""
        count = len(self.current_matches)
        if not count:
            self.statusBar().showMessage("No search matches in this policy", 3000)
            return
        self.match_position = (self.match_position + step) % count
        self.browser.go_to_anchor(f"m{self.match_position}")
        self.statusBar().showMessage(f"Match {self.match_position + 1} of {count}", 3000)

    def _show_categories_at_cursor(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        elif self.statusBar().currentMessage().startswith("Passage "):
            self.statusBar().clearMessage()

    def _open_external(self, link: str) -> None:
        url = QUrl(link)
        if url.scheme() in {"http", "https"}:
            QDesktopServices.openUrl(url)

    # -- search --------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.side_tabs.setCurrentWidget(self.search_panel)
        self.search_panel.field.setFocus()
        self.search_panel.field.selectAll()

    def focus_companies(self) -> None:
        self.company_filter.setFocus()
        self.company_filter.selectAll()

    def search(self, text: str) -> None:
        if not self.policy_index:
            self.search_panel.status.setText("Search is not available: the index cannot open.")
            return
        self.search_generation += 1
        self.search_panel.model.clear()
        self.search_panel.status.setText("Searching…")
        self.side_tabs.setCurrentWidget(self.search_panel)
        self._search_page(text, 0)

    def _search_page(self, text: str, offset: int) -> None:
        """Stream one page of a search's hits (the first, or the next one the results list
        asks for when it is scrolled to its end) from a background worker."""
        if self.search_worker:
            self.search_worker.cancel()
        if self.snippet_worker:
            self.snippet_worker.cancel()
        if not self.policy_index:
            return
        worker = SearchWorker(self.policy_index, text, self.search_generation, offset=offset)
        worker.signals.started.connect(self._search_started)
        worker.signals.empty_index.connect(self._search_index_empty)
        worker.signals.hit.connect(self._search_hit)
        worker.signals.failed.connect(self._search_failed)
        worker.signals.finished.connect(self._search_finished)
        self.search_worker = worker
        self.pool.start(worker)

    def _search_started(self, generation: int, total: int, exact: bool, suggestion: str,
                        text: str) -> None:
        if generation != self.search_generation:
            return
        self.search_panel.model.start(text, total, exact)
        about = "" if exact else "about "
        parts = [f"{about}{counted(total, 'policy')} {'matches' if total == 1 else 'match'}"]
        if self.index_worker:
            parts.append("(indexing is still running, results may be incomplete)")
        if suggestion:
            parts.append(f'— did you mean <a href="suggest:{html.escape(suggestion)}">'
                         f"{html.escape(suggestion)}</a>?")
        self.search_panel.status.setText(" ".join(parts))

    def _search_index_empty(self, generation: int) -> None:
        if generation == self.search_generation:
            self.search_panel.status.setText(
                "The search index is still being built; try again in a moment "
                "(progress is in the status bar).")

    def _search_hit(self, generation: int, hit: Hit) -> None:
        if generation == self.search_generation:
            self.search_panel.model.append(hit)

    def _search_failed(self, generation: int, message: str) -> None:
        if generation == self.search_generation:
            self.search_panel.status.setText(f"<b>{html.escape(message)}</b>")
        if self.policy_index and self.policy_index.damaged and not self.index_worker:
            self.start_indexing()  # the index was found damaged and cleared: rebuild it

    def _search_finished(self, generation: int, sent: int) -> None:
        if generation == self.search_generation:
            self.search_worker = None
            self.search_panel.model.page_done(sent, PAGE_SIZE)
            self._fill_practice_snippets(generation, sent)

    def _fill_practice_snippets(self, generation: int, sent: int) -> None:
        """The page's hits of a search by category show their strongest passage of that
        practice in place of the policy's opening, filled in one by one after the list."""
        hits = self.search_panel.model.hits
        page = [(row, hit) for row, hit in enumerate(hits[len(hits) - sent:],
                                                     len(hits) - sent)
                if hit.practices and not hit.match_count]
        if not page:
            return
        worker = PracticeSnippetWorker(page, generation)
        worker.signals.snippet.connect(self._practice_snippet)
        worker.signals.finished.connect(self._practice_snippets_done)
        self.snippet_worker = worker
        self.pool.start(worker)

    def _practice_snippet(self, generation: int, row: int, snippet: str) -> None:
        if generation == self.search_generation:
            self.search_panel.model.set_snippet(row, snippet)

    def _practice_snippets_done(self, generation: int) -> None:
        if generation == self.search_generation:
            self.snippet_worker = None

    def open_hit(self, hit: Hit) -> None:
        """Open a search result scrolled to its first match, the terms marked."""
        self.company_filter.clear()
        self._apply_company_filter()
        self._select_quietly(hit.domain)
        self.show_policy(hit.domain, finder=hit.finder, practices=hit.practices)

    # -- zoom ----------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.browser.zoomIn(1)
        self.zoom_level += 1
        self.settings_changed()

    def zoom_out(self) -> None:
        self.browser.zoomOut(1)
        self.zoom_level -= 1
        self.settings_changed()

    def zoom_reset(self) -> None:
        self.browser.zoomIn(-self.zoom_level)
        self.zoom_level = 0
        self.settings_changed()

    # -- export / print (see reader.output.export) ---------------------------------------------

    def export_pdf(self) -> None:
        from reader.ui.export_dialog import export_current

        export_current(self)

    def print_policy(self) -> None:
        from reader.ui.export_dialog import print_current

        print_current(self)

    def export_results(self) -> None:
        from reader.ui.export_dialog import export_results

        export_results(self)

    def start_batch_export(self, worker) -> None:
        worker.signals.progress.connect(self._export_progress)
        worker.signals.finished.connect(self._export_finished)
        worker.signals.failed.connect(self._export_failed)
        self.export_worker = worker
        self._show_progress(True)
        one = len(worker.domains) == 1
        self.progress.setRange(0, 0 if one else len(worker.domains))  # one file: busy
        self.progress.setValue(0)
        self.progress_label.setText(f"Exporting {worker.domains[0]} to PDF…" if one
                                    else "Exporting…")
        self.pool.start(worker)

    def _export_progress(self, done: int, total: int, domain: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress_label.setText(f"Exporting {done}/{total}: {domain}")

    def _export_finished(self, report) -> None:
        self.export_worker = None
        self._show_progress(self.index_worker is not None)
        message = f"Exported {counted(len(report.written), 'PDF file')}"
        if len(report.written) == 1:
            message = f"Exported {report.written[0]}"
        elif report.written:
            message += f" to {report.written[0].parent}"
        if report.cancelled:
            message += " (cancelled)"
        self.statusBar().showMessage(message, 15000)
        notes = unprintable_notes(report)
        if notes:
            self.notice_bar.show_notice("unprintable", notes[0] if len(notes) == 1 else
                                        f"{counted(len(notes), 'PDF file')} have characters "
                                        "that print as empty boxes (no font has them).", notes)
        if report.failed:
            self.notify_error("Some policies were not exported", "\n".join(report.failed[:20]))

    def _export_failed(self, message: str) -> None:
        self.export_worker = None
        self._show_progress(self.index_worker is not None)
        self.notify_error("Export failed", message)

    # -- drag and drop -------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and Path(urls[0].toLocalFile()).is_dir():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_corpus(urls[0].toLocalFile())
            event.acceptProposedAction()


def company_table(model: CompanyFilterModel) -> QTableView:
    """The company list: one line per company, columns sortable by a header click."""
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName("Companies")
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures 100,000 rows
    rows.setDefaultSectionSize(table.fontMetrics().height() + 6)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    width = table.fontMetrics().horizontalAdvance
    for column, sample in enumerate(("bizdesign-co.com", " 2020 ", " 12,345 ")):
        header.resizeSection(column, width(sample) + 16)
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    return table


def about_text() -> str:
    return (f"Privacy Policy Reader {__version__}\n\n"
            "Read, search and compare website privacy policies, with their data practices "
            "highlighted.\n\nHighlights come from a classifier trained on the OPP-115 corpus "
            "(Wilson et al., ACL 2016). Search uses Whoosh. Policy text is shown as "
            "untrusted: no scripts run and nothing is loaded from the web.")

