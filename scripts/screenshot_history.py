"""Take docs/history.png: the History window of a policy with many versions.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_history.py \
        ../shared/history/pga-v1 Facebook 2019-12-28 2020-08-29
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication
from screenshot import save, wait  # scripts/screenshot.py

from reader.output.fonts import register_fonts
from reader.sources.corpus import Corpus
from reader.ui.history_panel import HistoryDialog


def main() -> int:
    folder, company = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    register_fonts()
    dialog = HistoryDialog(Corpus.open(folder), company)
    dialog.resize(1200, 860)
    dialog.show()
    wait(app, lambda: not dialog.is_busy() and dialog.diff is not None, seconds=600)
    if len(sys.argv) > 4 and dialog.history:
        old = dialog.history.find(sys.argv[3])
        new = dialog.history.find(sys.argv[4])
        dialog.compare(dialog.history.versions.index(old), dialog.history.versions.index(new))
        wait(app, lambda: dialog.diff_worker is None, seconds=600)
    dialog.next_change()
    app.processEvents()
    save(dialog, "history.png")
    dialog.close()
    dialog.pool.waitForDone()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
