"""Take docs/facts.png: the facts card at the top of the side panel, a fact clicked so its
evidence sentence is selected in the viewer.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_facts.py \
        [DOMAIN] [FACT]

Defaults: bmtmicro.com, collects:financial. User data goes to a temporary folder.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from screenshot import open_window, save, wait  # noqa: E402


def main() -> int:
    domain = sys.argv[1] if len(sys.argv) > 1 else "bmtmicro.com"
    fact_id = sys.argv[2] if len(sys.argv) > 2 else "collects:financial"
    app, window = open_window()
    window.select_company(domain)
    wait(app, lambda: False, seconds=1)  # let the page lay out
    window.facts_card.activate(fact_id)
    window.browser.setFocus()
    wait(app, lambda: False, seconds=1)
    save(window, "facts.png")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
