"""Take docs/screenshot.png: the main window on a real seed policy of the embedded corpus,
stepped to its first highlight (F8), and docs/preferences.png: the Preferences dialog.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot.py \
        [DOMAIN] [CATEGORY]

Defaults: bizdesign.com (BizSecure's policy, its snapshot taken on bizsecure.com), with the
passages of "Sharing with third parties" listed. User data goes to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

PROJECT = Path(__file__).resolve().parent.parent


def wait(app: QApplication, condition, seconds: float = 300) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    timer.start(100)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def save(widget, name: str, note: str = "") -> Path:
    """Grab ``widget`` into docs/``name`` and say so."""
    out = PROJECT / "docs" / name
    widget.grab().save(str(out))
    print(f"wrote {out}{note}")
    return out


def open_window(corpus: Path | None = None):
    """(app, main window) on ``corpus`` (default: the embedded corpus), user data in a
    temporary folder, shown at the screenshots' size once the index is ready."""
    os.environ["PRIVACY_READER_DATA"] = tempfile.mkdtemp(prefix="screenshot-")
    from reader.output.fonts import register_fonts
    from reader.paths import embedded_corpus_dir
    from reader.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    register_fonts()
    window = MainWindow(str(corpus or embedded_corpus_dir()), restore=False)
    window.resize(1400, 860)
    window.show()
    wait(app, lambda: window.index_worker is None)
    return app, window


def main() -> int:
    domain = sys.argv[1] if len(sys.argv) > 1 else "bizdesign.com"
    category_id = sys.argv[2] if len(sys.argv) > 2 else "third_party_sharing"
    app, window = open_window()
    window.select_company(domain)
    item = window.category_panel.items.get(category_id)
    if item is not None:
        window.category_panel.tree.setCurrentItem(item)
        item.setExpanded(True)
    wait(app, lambda: False, seconds=1)  # let the page lay out
    window.next_highlight()
    wait(app, lambda: False, seconds=0.5)
    save(window, "screenshot.png")
    dialog = window.show_preferences()
    wait(app, lambda: False, seconds=0.5)
    save(dialog, "preferences.png")
    dialog.close()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
