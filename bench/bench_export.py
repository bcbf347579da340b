"""PDF export speed for a 10,000-word policy, the longest real one, and a long diff report.

    python bench/bench_export.py

Baseline measured in the same run: Qt printing the same text to PDF as plain paragraphs,
without highlights, title block or summary (the floor of QTextDocument -> QPdfWriter).
The diff report (History's export, ``diff -o``) is that of Facebook's community guidelines
from their first to their newest version in ../shared/history/pga-versions.bundle (cloned
into a temporary folder): thousands of changes, each a small table.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import (  # noqa: E402
    SHARED,
    longest_real_policy,
    median_time,
    source_paragraphs,
    synthetic_policy,
    table,
)

from reader.output.export import ensure_gui_application, write_pdf  # noqa: E402
from reader.output.highlight import HighlightedPolicy  # noqa: E402
from reader.sources.corpus import read_policy  # noqa: E402


def main() -> None:
    ensure_gui_application()
    from PySide6.QtGui import QPdfWriter, QTextDocument

    paragraphs, origin = source_paragraphs()
    folder = Path(tempfile.mkdtemp())
    _, text = synthetic_policy(random.Random(11), paragraphs, 10_000, 424242)
    path = folder / "ten-thousand.example.md"
    path.write_text(text, "utf-8")
    policy = read_policy(path)

    def full_export() -> None:
        write_pdf(HighlightedPolicy.of(policy), folder / "out.pdf")

    def plain_print() -> None:
        document = QTextDocument()
        document.setPlainText(policy.body)
        writer = QPdfWriter(str(folder / "plain.pdf"))
        writer.setResolution(300)
        document.print_(writer)
        del writer

    full = median_time(full_export, runs=5)
    plain = median_time(plain_print, runs=5)
    item = HighlightedPolicy.of(policy)
    analyse = median_time(lambda: HighlightedPolicy.of(policy), runs=5)
    pages = (folder / "out.pdf").read_bytes().count(b"/Type /Page\n") or "?"
    real_rows = []
    longest = longest_real_policy()
    if longest is not None:
        real = read_policy(longest)
        real_time = median_time(
            lambda: write_pdf(HighlightedPolicy.of(real), folder / "real.pdf"), runs=3)
        real_pages = (folder / "real.pdf").read_bytes().count(b"/Type /Page\n") or "?"
        real_rows = [[f"export the longest real policy ({real.domain}, {real.word_count:,} "
                      f"words, {real_pages} pages; median of 3)", f"{real_time * 1000:.0f} ms",
                      f"{real_time / plain:.1f}x", ""]]
    real_rows += diff_report_rows(folder)
    print(f"PDF export of a {policy.word_count:,}-word synthetic policy ({origin}); "
          f"median of 5 runs.\n")
    print(table(["measure", "result", "vs baseline", "target"], [
        ["export with highlights (parse, classify, render, print, rename)",
         f"{full * 1000:.0f} ms", f"{full / plain:.1f}x", "< 2,000 ms"],
        ["  of which parse + classify", f"{analyse * 1000:.0f} ms", "", ""],
        ["plain text printed by Qt (baseline)", f"{plain * 1000:.0f} ms", "1.0x", ""],
        ["highlighted passages in the PDF", str(len(item.analysis.spans)), "", ""],
        ["pages", str(pages), "", ""],
        *real_rows,
    ]))


def plain_print_time(text: str, out: Path) -> float:
    """Qt printing ``text`` as plain paragraphs (the baseline), median of 3."""
    from PySide6.QtGui import QPdfWriter, QTextDocument

    def plain_print() -> None:
        document = QTextDocument()
        document.setPlainText(text)
        writer = QPdfWriter(str(out))
        writer.setResolution(300)
        document.print_(writer)
        del writer

    return median_time(plain_print, runs=3)


def diff_report_rows(folder: Path) -> list[list[str]]:
    """The diff report of Facebook's community guidelines, first to newest version."""
    bundle = SHARED / "history" / "pga-versions.bundle"
    if not bundle.is_file():
        return []
    os.environ["PRIVACY_READER_DATA"] = str(folder / "data")
    from reader.analysis.timeline import VersionStore, diff_history
    from reader.output.diff_export import diff_html, write_diff_pdf
    from reader.output.export import new_pdf_document
    from reader.sources.corpus import Corpus
    from reader.sources.history import CorpusHistory

    clone = folder / "pga"
    subprocess.run(["git", "clone", "-q", "-b", "main", str(bundle), str(clone)], check=True)
    company = "Facebook (Community Guidelines)"
    history = CorpusHistory(Corpus.open(clone)).history(company)
    diff = diff_history(history, history.versions[0], history.versions[-1], VersionStore())
    report = median_time(lambda: write_diff_pdf(company, diff, folder / "diff.pdf"), runs=3)
    pages = (folder / "diff.pdf").read_bytes().count(b"/Type /Page\n") or "?"
    document = new_pdf_document()
    document.setHtml(diff_html(company, diff))
    plain = plain_print_time(document.toPlainText(), folder / "diff-plain.pdf")
    return [[f"export a diff report ({company}, {diff.old} to {diff.new}: "
             f"{len(diff.changes):,} changes, {pages} pages; median of 3)",
             f"{report * 1000:,.0f} ms", f"{report / plain:.1f}x of its plain text", ""],
            ["  its text printed plain by Qt (baseline)", f"{plain * 1000:.0f} ms", "1.0x", ""]]


if __name__ == "__main__":
    main()
