"""Start the desktop app."""

from __future__ import annotations

import sys

# The window's pure-Python modules (analysis, search, numpy, markdown, whoosh) are imported
# before Qt: PySide6 reads the source of every module imported after it (to see whether it
# uses PySide), 60 ms of the app's start-up for these 280 modules.
import reader.analysis.compare  # noqa: F401, I001
import reader.output.highlight  # noqa: F401
import reader.search.engine  # noqa: F401
from reader.output.fonts import register_fonts

# How long a thread running Python may keep Python's lock while another waits for it
# (Python's default is 5 ms). While a worker opens a big policy, every timer tick, paint and
# key press of the GUI thread waits for the lock: at 5 ms such waits add up to stalls of
# 50-170 ms on a busy machine; at 1 ms the worst of 9 openings of a 1 MB policy still
# stalled 91-145 ms on a quiet one, at 0.2 ms 60 ms (bench_responsiveness). The interval only
# matters while two threads want the lock, so an idle window costs the worker nothing.
GUI_SWITCH_INTERVAL = 0.0002


def create_app():
    from PySide6.QtWidgets import QApplication

    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Privacy Policy Reader")
    app.setOrganizationName("privacy-reader")
    app.setApplicationVersion(__import__("reader").__version__)
    register_fonts()
    from PySide6.QtGui import QIcon

    from reader.paths import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "privacy-reader.svg")))
    return app


def run_app(corpus: str | None = None, quit_when_ready: bool = False) -> int:
    app = create_app()
    from reader.ui.main_window import MainWindow

    window = MainWindow(corpus, quick_start=True)
    window.show()
    if quit_when_ready:
        _quit_when_ready(app, window)
    return app.exec()


def _quit_when_ready(app, window, timeout: float = 300.0) -> None:
    """For smoke tests and start-up benchmarks (``privacy-reader --quit-when-ready``).

    Prints the wall-clock time when the window shows a policy, waits until its search
    index is up to date, closes the window and exits: code 0, or 1 when an error was
    shown or it was not ready within ``timeout`` seconds.
    """
    import time

    from PySide6.QtCore import QTimer

    started = time.monotonic()
    shown = False
    timer = QTimer(window)
    timer.setInterval(10)

    def check() -> None:
        nonlocal shown
        if not shown and window.isVisible() and window.current is not None:
            shown = True
            print(f"window ready at {time.time():.3f}: {window.current.policy.domain}",
                  flush=True)
        if shown and window.index_worker is None:
            timer.stop()
            print(f"index ready: {window.policy_index.doc_count() if window.policy_index else 0}"
                  " policies", flush=True)
            failed = bool(window.last_error)
            window.close()
            app.exit(1 if failed else 0)
        elif time.monotonic() - started > timeout:
            timer.stop()
            print(f"privacy-reader: not ready after {timeout:.0f} s", file=sys.stderr)
            app.exit(1)

    timer.timeout.connect(check)
    timer.start()
