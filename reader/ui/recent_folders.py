"""File > Open Recent: the last corpus folders opened (at most eight), kept in QSettings.
A folder that is gone is shown greyed out, and "Remove Missing Folders" drops those."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

MAX_RECENT = 8
SETTINGS_KEY = "recent_folders"


def remembered(folders: list[str], opened: str, limit: int = MAX_RECENT) -> list[str]:
    """``folders`` with ``opened`` first (once), at most ``limit`` long."""
    key = os.path.normcase(os.path.abspath(opened))
    rest = [f for f in folders if os.path.normcase(os.path.abspath(f)) != key]
    return [opened, *rest][:limit]


def is_missing(folder: str) -> bool:
    return not Path(folder).is_dir()


class RecentFolders(QMenu):
    """The Open Recent menu; ``open_folder`` is called with the folder chosen and
    ``inform(title, text)`` tells what was removed."""

    def __init__(self, settings: Callable[[], QSettings], open_folder: Callable[[str], object],
                 inform: Callable[[str, str], None], parent=None) -> None:
        super().__init__("Open &Recent", parent)
        self.settings = settings
        self.open_folder = open_folder
        self.inform = inform
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def folders(self) -> list[str]:
        value = self.settings().value(SETTINGS_KEY, [])
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value]
        return [str(f) for f in value or [] if f][:MAX_RECENT]

    def _store(self, folders: list[str]) -> None:
        stored = self.settings()
        stored.setValue(SETTINGS_KEY, folders)
        stored.sync()
        self.rebuild()

    def add(self, folder: str) -> None:
        self._store(remembered(self.folders(), folder))

    def remove_missing(self) -> list[str]:
        """Drop the folders that no longer exist; say which."""
        folders = self.folders()
        gone = [f for f in folders if is_missing(f)]
        if gone:
            self._store([f for f in folders if f not in gone])
            self.inform("Missing folders removed",
                        "These folders no longer exist and were removed from Open Recent:\n"
                        + "\n".join(gone))
        return gone

    def clear_list(self) -> None:
        self._store([])

    def rebuild(self) -> None:
        self.clear()
        folders = self.folders()
        for number, folder in enumerate(folders, 1):
            missing = is_missing(folder)
            label = f"&{number} {folder}" + ("  (missing)" if missing else "")
            action = QAction(label, self)
            action.setData(folder)
            action.setEnabled(not missing)
            action.setToolTip("This folder no longer exists" if missing else folder)
            action.triggered.connect(lambda _checked=False, f=folder: self.open_folder(f))
            self.addAction(action)
        if not folders:
            empty = self.addAction("No recent folders")
            empty.setEnabled(False)
        self.addSeparator()
        self.remove_missing_action = self.addAction("Remove &Missing Folders",
                                                    self.remove_missing)
        self.remove_missing_action.setEnabled(any(is_missing(f) for f in folders))
        self.clear_action = self.addAction("&Clear List", self.clear_list)
        self.clear_action.setEnabled(bool(folders))
