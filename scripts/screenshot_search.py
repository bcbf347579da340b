"""Take docs/search.png: search results with more to load ("Showing 50 of N"), a result
open with its matches marked, and a "did you mean" on a second line of the status.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_search.py \
        [CORPUS] [QUERY]

Defaults: ../shared/corpus (221 real policies; the embedded seed corpus when absent) and
the query "third party". User data goes to a temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot import PROJECT, open_window, save, wait  # noqa: E402


def main() -> int:
    shared = PROJECT.parent / "shared" / "corpus"
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else shared
    query = sys.argv[2] if len(sys.argv) > 2 else "third party"
    app, window = open_window(corpus if corpus.is_dir() else None)
    panel = window.search_panel
    panel.run(query)
    wait(app, lambda: window.search_worker is None and panel.model.rowCount() > 0)
    if panel.model.hits:
        window.open_hit(panel.model.hits[0])
        wait(app, lambda: window.current is not None and not window.loader.busy)
    panel.results.setFocus()
    panel.results.setCurrentIndex(panel.model.index(0, 0))
    wait(app, lambda: False, seconds=1)  # let the page lay out
    save(window, "search.png", f": {panel.shown.text()!r}; {panel.status.text()!r}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
