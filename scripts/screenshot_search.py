"""Take docs/search.png: search results with more to load ("Showing 50 of N"), a result
open with its matches marked, and a "did you mean" on a second line of the status.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_search.py \
        [CORPUS] [QUERY]

Defaults: ../shared/corpus (221 real policies; the embedded seed corpus when absent) and
the query "third party". User data goes to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot import PROJECT, wait  # noqa: E402


def main() -> int:
    shared = PROJECT.parent / "shared" / "corpus"
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else shared
    query = sys.argv[2] if len(sys.argv) > 2 else "third party"
    os.environ["PRIVACY_READER_DATA"] = tempfile.mkdtemp(prefix="screenshot-")
    from reader.output.fonts import register_fonts
    from reader.paths import embedded_corpus_dir
    from reader.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    register_fonts()
    window = MainWindow(str(corpus if corpus.is_dir() else embedded_corpus_dir()),
                        restore=False)
    window.resize(1400, 860)
    window.show()
    wait(app, lambda: window.index_worker is None)
    panel = window.search_panel
    panel.run(query)
    wait(app, lambda: window.search_worker is None and panel.model.rowCount() > 0)
    if panel.model.hits:
        window.open_hit(panel.model.hits[0])
        wait(app, lambda: window.current is not None and not window.loader.busy)
    panel.results.setFocus()
    panel.results.setCurrentIndex(panel.model.index(0, 0))
    wait(app, lambda: False, seconds=1)  # let the page lay out
    out = PROJECT / "docs" / "search.png"
    window.grab().save(str(out))
    print(f"wrote {out}: {panel.shown.text()!r}; {panel.status.text()!r}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
