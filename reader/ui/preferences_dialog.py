"""Preferences (Edit > Preferences…, Ctrl+,): the reading ones (font and size, line width,
highlight intensity, colour-blind palette, theme) and the search engine. Stored in QSettings;
every change applies at once (the dialog emits :attr:`PreferencesDialog.changed` and the
main window re-renders; :attr:`PreferencesDialog.search_engine_changed` and the main window
moves search to that engine's index, building it in the background)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFontComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
)

from reader.analysis.tints import INTENSITIES, HighlightLook

THEMES = ("system", "light", "dark")
THEME_LABELS = {"system": "Same as the system", "light": "Light", "dark": "Dark"}
INTENSITY_LABELS = {"soft": "Soft (text first)", "medium": "Medium", "strong": "Strong"}
LINE_WIDTHS = (0, 60, 70, 80, 90)  # characters; 0: the whole width of the window
MIN_FONT_SIZE, MAX_FONT_SIZE = 8, 32
SETTINGS_GROUP = "reading"
# The search engine setting: "auto" is the CLI's default (PRIVACY_READER_ENGINE if set,
# else by corpus size, see reader.search.engine.chosen_engine); the others name an engine.
SEARCH_ENGINE_KEY = "search/engine"
SEARCH_ENGINES = ("auto", "whoosh", "tantivy")
SEARCH_ENGINE_LABELS = {"auto": "Automatic (by the folder's size)", "whoosh": "Whoosh",
                        "tantivy": "tantivy"}
ENGINE_NAMES = {"whoosh": "Whoosh", "tantivy": "tantivy"}


def load_search_engine(stored: QSettings) -> str:
    """The stored search engine setting (``auto`` when unset or unknown)."""
    value = str(stored.value(SEARCH_ENGINE_KEY, "auto") or "auto").strip().lower()
    return value if value in SEARCH_ENGINES else "auto"


def save_search_engine(stored: QSettings, engine: str) -> None:
    stored.setValue(SEARCH_ENGINE_KEY, engine)
    stored.sync()


def engine_argument(setting: str) -> str | None:
    """What :func:`reader.search.engine.open_index` is given for a setting (None: choose
    as the CLI does)."""
    return None if setting == "auto" else setting


def default_font_family() -> str:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()


@dataclass(frozen=True)
class ReadingPreferences:
    """What the reader chose; ``font_family`` "" means the system's font."""

    font_family: str = ""
    font_size: int = 11
    line_width: int = 80  # characters per line at most (0: no limit)
    intensity: str = "medium"
    colour_blind: bool = False
    theme: str = "system"

    @classmethod
    def load(cls, stored: QSettings) -> ReadingPreferences:
        """The stored preferences; unknown or broken values fall back to the defaults."""
        default = cls()
        stored.beginGroup(SETTINGS_GROUP)
        try:
            def number(key: str, fallback: int) -> int:
                try:
                    return int(stored.value(key, fallback))
                except (TypeError, ValueError):
                    return fallback

            intensity = str(stored.value("intensity", default.intensity))
            theme = str(stored.value("theme", default.theme))
            width = number("line_width", default.line_width)
            return cls(
                font_family=str(stored.value("font_family", "") or ""),
                font_size=min(MAX_FONT_SIZE, max(MIN_FONT_SIZE,
                                                 number("font_size", default.font_size))),
                line_width=width if width in LINE_WIDTHS else default.line_width,
                intensity=intensity if intensity in INTENSITIES else default.intensity,
                colour_blind=str(stored.value("colour_blind", "false")).lower() == "true",
                theme=theme if theme in THEMES else default.theme,
            )
        finally:
            stored.endGroup()

    def save(self, stored: QSettings) -> None:
        stored.beginGroup(SETTINGS_GROUP)
        for key, value in (("font_family", self.font_family), ("font_size", self.font_size),
                           ("line_width", self.line_width), ("intensity", self.intensity),
                           ("colour_blind", "true" if self.colour_blind else "false"),
                           ("theme", self.theme)):
            stored.setValue(key, value)
        stored.endGroup()
        stored.sync()

    def font(self) -> QFont:
        """The reading font (the system's when none was chosen)."""
        font = QFont(self.font_family or default_font_family())
        font.setPointSize(self.font_size)
        return font

    def is_dark(self, system_dark: bool) -> bool:
        return system_dark if self.theme == "system" else self.theme == "dark"

    def look(self, system_dark: bool) -> HighlightLook:
        """The highlight look these preferences give with the system's theme."""
        return HighlightLook(dark=self.is_dark(system_dark), intensity=self.intensity,
                             palette="colour_blind" if self.colour_blind else "standard")


class PreferencesDialog(QDialog):
    """Edits :class:`ReadingPreferences` and the search engine; each change is emitted
    (and saved) at once."""

    changed = Signal(object)  # ReadingPreferences
    search_engine_changed = Signal(str)  # "auto", "whoosh" or "tantivy"

    def __init__(self, preferences: ReadingPreferences, stored: QSettings,
                 parent=None, tantivy_installed: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.preferences = preferences
        self.stored = stored
        self.search_engine = load_search_engine(stored)
        self.font_box = QFontComboBox()
        self.font_box.setAccessibleName("Reading font")
        self.font_box.setCurrentFont(preferences.font())
        self.size_box = QSpinBox()
        self.size_box.setAccessibleName("Font size")
        self.size_box.setRange(MIN_FONT_SIZE, MAX_FONT_SIZE)
        self.size_box.setSuffix(" pt")
        self.size_box.setValue(preferences.font_size)
        self.width_box = QComboBox()
        self.width_box.setAccessibleName("Line width")
        for width in LINE_WIDTHS:
            self.width_box.addItem(f"{width} characters" if width else "Whole window", width)
        self.width_box.setCurrentIndex(LINE_WIDTHS.index(preferences.line_width))
        self.intensity_box = QComboBox()
        self.intensity_box.setAccessibleName("Highlight intensity")
        for intensity in INTENSITIES:
            self.intensity_box.addItem(INTENSITY_LABELS[intensity], intensity)
        self.intensity_box.setCurrentIndex(INTENSITIES.index(preferences.intensity))
        self.colour_blind_box = QCheckBox("Colour-blind palette (tints chosen to stay apart "
                                          "with red-green and blue-yellow colour blindness)")
        self.colour_blind_box.setChecked(preferences.colour_blind)
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName("Theme")
        for theme in THEMES:
            self.theme_box.addItem(THEME_LABELS[theme], theme)
        self.theme_box.setCurrentIndex(THEMES.index(preferences.theme))
        note = QLabel("Changes apply at once and are kept. The passage you step to with F8 "
                      "is always shown in its category's strongest colour; every passage "
                      "also names its categories in the left margin and on hover.")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Font:", self.font_box)
        form.addRow("&Size:", self.size_box)
        form.addRow("&Line width:", self.width_box)
        form.addRow("&Highlights:", self.intensity_box)
        form.addRow("", self.colour_blind_box)
        form.addRow("&Theme:", self.theme_box)
        self.engine_box = QComboBox()
        self.engine_box.setAccessibleName("Search engine")
        for engine in SEARCH_ENGINES:
            self.engine_box.addItem(SEARCH_ENGINE_LABELS[engine], engine)
        if not tantivy_installed:
            self.engine_box.model().item(SEARCH_ENGINES.index("tantivy")).setEnabled(False)
        self.engine_box.setCurrentIndex(SEARCH_ENGINES.index(self.search_engine))
        self.engine_note = QLabel()
        self.engine_note.setWordWrap(True)
        search_form = QFormLayout()
        search_form.addRow("Search &engine:", self.engine_box)
        search_form.addRow(self.engine_note)
        search = QGroupBox("Search")
        search.setLayout(search_form)
        self.show_engine_in_use(None)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.rejected.connect(self.close)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)
        restore.setToolTip("The reading defaults (the search engine stays as chosen)")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(search)
        layout.addWidget(buttons)
        self.engine_box.currentIndexChanged.connect(self._engine_chosen)
        self.font_box.currentFontChanged.connect(self._edited)
        self.size_box.valueChanged.connect(self._edited)
        for box in (self.width_box, self.intensity_box, self.theme_box):
            box.currentIndexChanged.connect(self._edited)
        self.colour_blind_box.toggled.connect(self._edited)

    def _edited(self, *_args) -> None:
        family = self.font_box.currentFont().family()
        self.set_preferences(replace(
            self.preferences,
            font_family="" if family == default_font_family() else family,
            font_size=self.size_box.value(), line_width=self.width_box.currentData(),
            intensity=self.intensity_box.currentData(),
            colour_blind=self.colour_blind_box.isChecked(), theme=self.theme_box.currentData()))

    def _engine_chosen(self, *_args) -> None:
        engine = self.engine_box.currentData()
        if engine == self.search_engine:
            return
        self.search_engine = engine
        save_search_engine(self.stored, engine)
        self.search_engine_changed.emit(engine)

    def show_engine_in_use(self, engine: str | None) -> None:
        """Say which engine the open folder's search uses (None: none yet)."""
        from reader.search.engine import TANTIVY_FROM

        text = ("Whoosh (pure Python) suits small folders; tantivy (Rust) searches 100,000 "
                f"policies in milliseconds. Automatic takes tantivy from {TANTIVY_FROM:,} "
                "policies on. Changing it builds that engine's index in the background.")
        if engine:
            text = f"In use for this folder: {ENGINE_NAMES.get(engine, engine)}. {text}"
        self.engine_note.setText(text)

    def set_preferences(self, preferences: ReadingPreferences) -> None:
        if preferences == self.preferences:
            return
        self.preferences = preferences
        preferences.save(self.stored)
        self.changed.emit(preferences)

    def restore_defaults(self) -> None:
        default = ReadingPreferences()
        for box in (self.font_box, self.size_box, self.width_box, self.intensity_box,
                    self.colour_blind_box, self.theme_box):
            box.blockSignals(True)
        self.font_box.setCurrentFont(default.font())
        self.size_box.setValue(default.font_size)
        self.width_box.setCurrentIndex(LINE_WIDTHS.index(default.line_width))
        self.intensity_box.setCurrentIndex(INTENSITIES.index(default.intensity))
        self.colour_blind_box.setChecked(default.colour_blind)
        self.theme_box.setCurrentIndex(THEMES.index(default.theme))
        for box in (self.font_box, self.size_box, self.width_box, self.intensity_box,
                    self.colour_blind_box, self.theme_box):
            box.blockSignals(False)
        self.set_preferences(default)
