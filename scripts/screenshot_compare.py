"""Take docs/compare.png: the Compare window of seed policies side by side.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_compare.py \
        bmtmicro.com audiomidi.com ipmart.com
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication
from screenshot import save, wait  # scripts/screenshot.py

from reader.output.fonts import register_fonts
from reader.paths import embedded_corpus_dir
from reader.sources.corpus import Corpus
from reader.ui.compare_view import CompareDialog


def main() -> int:
    domains = sys.argv[1:] or ["bmtmicro.com", "audiomidi.com", "ipmart.com"]
    app = QApplication(sys.argv[:1])
    register_fonts()
    dialog = CompareDialog(Corpus.open(embedded_corpus_dir()), domains)
    dialog.resize(1000, 880)
    dialog.show()
    wait(app, lambda: not dialog.is_busy() and dialog.model.rowCount() > 0, seconds=600)
    row = [r.id for r in dialog.model.comparison.rows].index("choice:browser_controls")
    dialog.table.setCurrentIndex(dialog.model.index(row, 1))
    app.processEvents()
    save(dialog, "compare.png")
    dialog.close()
    dialog.pool.waitForDone()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
