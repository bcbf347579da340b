"""Take docs/facts.png: the facts card at the top of the side panel, a fact clicked so its
evidence sentence is selected in the viewer.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_facts.py \
        [DOMAIN] [FACT]

Defaults: bmtmicro.com, collects:financial. User data goes to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, os.path.dirname(__file__))

from screenshot import wait  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    domain = sys.argv[1] if len(sys.argv) > 1 else "bmtmicro.com"
    fact_id = sys.argv[2] if len(sys.argv) > 2 else "collects:financial"
    os.environ["PRIVACY_READER_DATA"] = tempfile.mkdtemp(prefix="screenshot-")
    from reader.output.fonts import register_fonts
    from reader.paths import embedded_corpus_dir
    from reader.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    register_fonts()
    window = MainWindow(str(embedded_corpus_dir()), restore=False)
    window.resize(1400, 860)
    window.show()
    wait(app, lambda: window.index_worker is None)
    window.select_company(domain)
    wait(app, lambda: False, seconds=1)  # let the page lay out
    window.facts_card.activate(fact_id)
    window.browser.setFocus()
    wait(app, lambda: False, seconds=1)
    out = PROJECT / "docs" / "facts.png"
    window.grab().save(str(out))
    print(f"wrote {out}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
