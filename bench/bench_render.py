"""Rendering speed of big and messy policies: parse, HTML and Qt's layout of that HTML.

    python bench/bench_render.py [--rows 1000] [--runs 3] [--write-docs]

Baselines measured in the same run: for the long table, the same HTML with an id and an
anchor in every cell (what the renderer wrote before); for real policies, Python-Markdown's
conversion alone (no sanitising, no re-joining); for text repair, decoding the bytes alone.
Real files come from ../shared (skipped when absent).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))

from common import PROJECT, median_time, table, write_doc_section  # noqa: E402

from reader.analysis.document import (  # noqa: E402
    _markdown_converter,
    parse_policy,
    to_html,
)
from reader.sources.corpus import decode_policy_bytes, read_policy_text  # noqa: E402

SHARED = next((folder / "shared" for folder in PROJECT.parents if (folder / "shared").is_dir()),
              PROJECT.parent / "shared")  # ../shared beside the repo (or beside a worktree's)
SECTION = "## Rendering big and messy policies"
LAYOUT_WIDTH = 880


def qt_layout(html: str) -> None:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setTextWidth(LAYOUT_WIDTH)
    document.setHtml(html)
    document.size()


def long_table(rows: int) -> str:
    lines = [f"| cookie_{i} | We use this cookie to remember your settings {i}. | 30 days |"
             for i in range(rows)]
    return ("# Cookies\n\nWe use these cookies.\n\n| Name | Purpose | Retention |\n|---|---|---|\n"
            + "\n".join(lines))


def with_cell_anchors(html: str) -> str:
    """The HTML as the renderer wrote it before: an id and an anchor in every cell."""
    counter = iter(range(10**9))

    def anchored(match: re.Match[str]) -> str:
        name = f"p{next(counter)}"
        return f'<{match[1]} id="{name}"><a name="{name}"></a>'

    return re.sub(r"<(td|th)>", anchored, html)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 - fonts need it
    rows: list[list[str]] = []

    body = long_table(args.rows)
    html = to_html(parse_policy(body))
    parse = median_time(lambda: parse_policy(body), args.runs)
    layout = median_time(lambda: qt_layout(html), args.runs)
    before = median_time(lambda: qt_layout(with_cell_anchors(html)), args.runs)
    rows += [
        [f"{args.rows:,}-row table: parse + sanitise", ms(parse), ""],
        ["  Qt layout of its HTML", ms(layout), f"{layout / before:.2f}x"],
        ["  baseline: same HTML with an id and anchor per cell", ms(before), "1.0x"],
    ]

    real = [
        ("skype.com (longest real policy)", SHARED / "corpus/s/sk/sky/skype.com.md"),
        ("Facebook 2012 (PDF text, pga-v1)",
         SHARED / "history/pga-v1/Facebook/Privacy Policy/20120609_Facebook_PrivacyPolicy.md"),
    ]
    for label, path in real:
        if not path.is_file():
            rows.append([f"{label}: not present", "", ""])
            continue
        text = read_policy_text(path)
        document = parse_policy(text)
        parse = median_time(lambda text=text: parse_policy(text), args.runs)
        markdown_only = median_time(
            lambda text=text: _markdown_converter().convert(text), args.runs)
        layout = median_time(lambda document=document: qt_layout(to_html(document)), args.runs)
        rows += [
            [f"{label}, {len(text):,} chars: parse + sanitise", ms(parse),
             f"{parse / markdown_only:.2f}x"],
            ["  Qt layout of its HTML", ms(layout), ""],
            ["  baseline: markdown conversion alone", ms(markdown_only), "1.0x"],
        ]

    corpus = SHARED / "corpus"
    if corpus.is_dir():
        files = [(path, path.read_bytes()) for path in sorted(corpus.rglob("*.md"))]

        def decode_and_repair() -> None:
            for path, data in files:
                decode_policy_bytes(data, path)

        def decode_only() -> None:
            for _path, data in files:
                data.decode("utf-8-sig")

        repaired = median_time(decode_and_repair, args.runs)
        decoded = median_time(decode_only, args.runs)
        rows += [
            [f"decode + repair {len(files)} real policies (ftfy where needed)", ms(repaired),
             f"{repaired / decoded:.1f}x"],
            ["  baseline: UTF-8 decoding alone", ms(decoded), "1.0x"],
        ]

    lines = [
        f"Median of {args.runs} runs, Qt offscreen, layout at {LAYOUT_WIDTH} px, "
        f"{os.cpu_count()} cores shared with other work (load average "
        f"{os.getloadavg()[0]:.1f}).",
        "",
        table(["measure", "time", "vs baseline"], rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_doc_section(SECTION, "bench/bench_render.py", text)



if __name__ == "__main__":
    main()
