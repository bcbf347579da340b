"""Desktop app responsiveness: the longest event-loop stall while big policies open,
re-render and export to PDF.

    python bench/bench_responsiveness.py [--megabytes 1,4] [--runs 9] [--no-baseline]

A 1 ms QTimer runs in the GUI thread; a stall is the longest gap between two of its ticks
minus the interval, i.e. how long the window could not react to input or paint. Policies:
a 3,000-row table, synthetic policies of the given sizes (paragraphs of real policies) and
the longest real policy of ../shared/corpus (skype.com) when present. Baseline, measured in
the same run: the same work done on the GUI thread as the app did before (read, parse,
classify, render, setHtml; PDF written in the GUI thread), whose stall is its whole time,
and the app showing a long policy as one document instead of in parts (page limits off).
Qt offscreen.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import (  # noqa: E402
    SHARED,
    source_paragraphs,
    synthetic_policy,
    table,
    write_doc_section,
)

SETTLE_S = 0.3  # measuring goes on this long after a result is shown (lazy layout, paints)


def table_policy(rows: int) -> str:
    lines = ["# Data We Keep", "", "| Data | Why | Kept for |", "|---|---|---|"]
    lines += [f"| email address {i} | we share it with advertising partners | {i} days |"
              for i in range(rows)]
    return "\n".join(lines) + "\n"


def real_paragraphs(corpus: Path) -> tuple[list[str], str]:
    """Paragraphs of real policies to build big ones from (common's sampler otherwise)."""
    paragraphs: list[str] = []
    for path in sorted(corpus.rglob("*.md"))[:300] if corpus.is_dir() else []:
        text = path.read_text("utf-8", errors="replace")
        paragraphs += [p.strip() for p in text.split("\n\n")
                       if len(p.split()) >= 8 and not p.startswith(">")]
    if paragraphs:
        return paragraphs, f"paragraphs sampled from {corpus} (real archived policies)"
    return source_paragraphs()


class StallMeter:
    """The longest gap between ticks of a 1 ms timer in the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return max(0.0, self.longest - 0.001)


def run_until(app, done, settle: float = SETTLE_S, limit: float = 1800.0) -> float:
    """Spin the event loop until ``done()``, then ``settle`` seconds more; wall time."""
    started = time.perf_counter()
    while not done():
        app.processEvents()
        if time.perf_counter() - started > limit:
            raise TimeoutError("gave up waiting")
        time.sleep(0.0005)
    elapsed = time.perf_counter() - started
    end = time.perf_counter() + settle
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.0005)
    return elapsed


def measure_app(app, window, meter, domain: str, out_dir: Path) -> dict[str, tuple]:
    """(longest stall, wall time) of: open, jump to the last highlight, hide a category,
    show it again, find in page, export to PDF."""
    from reader.ui.export_dialog import export_current

    window.select_company("bmtmicro.com")  # start from a small policy
    run_until(app, lambda: not window.loader.busy, settle=0.05)
    results = {}
    meter.start()
    window.select_company(domain)
    wall = run_until(app, lambda: window.current is not None
                     and window.current.policy.domain == domain and not window.loader.busy)
    results["open"] = (meter.stop(), wall)
    meter.start()
    window.previous_highlight()  # the last highlight: in the last part of a long policy
    wall = run_until(app, lambda: True)
    results["last highlight (Shift+F8)"] = (meter.stop(), wall)
    meter.start()
    window.category_panel.set_visible("third_party_sharing", False)
    wall = run_until(app, lambda: not window.loader.busy)
    results["hide a category"] = (meter.stop(), wall)
    meter.start()
    window.category_panel.set_visible("third_party_sharing", True)
    wall = run_until(app, lambda: not window.loader.busy)
    results["show it again"] = (meter.stop(), wall)
    meter.start()
    window.find_bar.open_bar()
    window.find_bar.field.setText("personal information")  # every part is searched
    wall = run_until(app, lambda: not window.find_bar.searching)
    results["find in page"] = (meter.stop(), wall)
    window.find_bar.close_bar()
    run_until(app, lambda: True, settle=0.05)
    meter.start()
    export_current(window, str(out_dir / f"{domain}.pdf"))
    wall = run_until(app, lambda: window.export_worker is None)
    results["export PDF"] = (meter.stop(), wall)
    return results


def measure_baseline(app, corpus, domain: str, out_dir: Path) -> dict[str, float]:
    """The same steps on the GUI thread (the app before): each blocks for its whole time."""
    from reader.output.export import write_pdf
    from reader.output.highlight import HighlightedPolicy
    from reader.ui.policy_view import PolicyBrowser

    browser = PolicyBrowser()
    browser.resize(760, 700)
    browser.show()
    app.processEvents()
    started = time.perf_counter()
    item = HighlightedPolicy.of(corpus.load(domain))
    browser.setHtml(item.body_html(None))
    app.processEvents()
    opened = time.perf_counter() - started
    started = time.perf_counter()
    visible = {c for c in item.counts() if c != "third_party_sharing"}
    browser.setHtml(item.body_html(visible))
    app.processEvents()
    toggled = time.perf_counter() - started
    started = time.perf_counter()
    write_pdf(item, out_dir / f"baseline-{domain}.pdf")
    exported = time.perf_counter() - started
    browser.close()
    return {"open": opened, "hide a category": toggled, "export PDF": exported}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", default="1,4", help="sizes of synthetic policies")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/BENCHMARKS.md")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--shared", type=Path, default=SHARED,
                        help="the shared data folder (default ../shared beside the repo)")
    args = parser.parse_args()

    from reader.ui.app import create_app

    app = create_app()
    from reader.sources.corpus import Corpus
    from reader.ui import policy_loader
    from reader.ui.main_window import MainWindow

    page_limits = policy_loader.PAGE_CHARS, policy_loader.PAGE_ROWS

    work = Path(tempfile.mkdtemp(prefix="bench-responsive-"))
    folder = work / "corpus"
    folder.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "corpus" / "bmtmicro.com.md", folder)
    cases: list[tuple[str, str]] = []
    (folder / "table.test.md").write_text(table_policy(args.rows), "utf-8")
    cases.append(("table.test", f"{args.rows:,}-row table"))
    skype = args.shared / "corpus" / "s" / "sk" / "sky" / "skype.com.md"
    if skype.is_file():
        shutil.copy(skype, folder)
        cases.append(("skype.com", "skype.com, longest real policy of ../shared/corpus"))
    paragraphs, origin = real_paragraphs(args.shared / "corpus")
    rng = random.Random(5)
    for size in [float(s) for s in args.megabytes.split(",") if s]:
        _, text = synthetic_policy(rng, paragraphs, int(size * 1e6 / 6.8), 1)
        text = text[:int(size * 1e6)]  # under the app's 4 MiB limit for "4"
        domain = f"big-{size:g}mb.test"
        (folder / f"{domain}.md").write_text(text, "utf-8")
        cases.append((domain, f"synthetic {len(text.encode()) / 1e6:.1f} MB policy"))
    out_dir = work / "pdf"
    out_dir.mkdir()

    window = MainWindow(str(folder), restore=False)
    window.resize(1300, 850)
    window.show()
    run_until(app, lambda: window.index_worker is None and window.current is not None,
              settle=0.1)
    window.cancel_indexing()
    meter = StallMeter()
    corpus = Corpus.open(str(folder))
    rows = []
    for domain, label in cases:
        size = (folder / f"{domain}.md").stat().st_size
        runs = args.runs if size < 2_000_000 else min(args.runs, 3)
        measured: dict[str, list[tuple]] = {}
        whole: dict[str, list[tuple]] = {}
        for _ in range(runs):
            window.cache.clear()
            for step, value in measure_app(app, window, meter, domain, out_dir).items():
                measured.setdefault(step, []).append(value)
            if not args.no_baseline:  # the same, shown as one document (before parts)
                policy_loader.PAGE_CHARS, policy_loader.PAGE_ROWS = 10**12, 10**12
                window.cache.clear()
                for step, value in measure_app(app, window, meter, domain, out_dir).items():
                    whole.setdefault(step, []).append(value)
                policy_loader.PAGE_CHARS, policy_loader.PAGE_ROWS = page_limits
        baseline = ({} if args.no_baseline
                    else measure_baseline(app, corpus, domain, out_dir))
        for step, values in measured.items():
            stall = statistics.median(v[0] for v in values) * 1000
            worst = max(v[0] for v in values) * 1000
            wall = statistics.median(v[1] for v in values)
            before = baseline.get(step)
            one = (f"{statistics.median(v[0] for v in whole[step]) * 1000:,.0f} ms"
                   if whole.get(step) else "not run")
            rows.append([label if step == "open" else "", step, f"{stall:,.0f} ms",
                         f"{worst:,.0f} ms",
                         f"{wall:,.1f} s", one,
                         f"{before * 1000:,.0f} ms" if before is not None else "not run",
                         f"{before * 1000 / max(stall, 1):,.0f}x shorter"
                         if before is not None else ""])
        print(f"measured {label}", file=sys.stderr, flush=True)
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    body = (f"Longest event-loop stall (a 1 ms timer in the GUI thread) while a policy opens "
            f"(from a small one), a category is hidden and shown again, a phrase is found in "
            f"every part and the PDF is exported, Qt offscreen; median and worst of "
            f"{args.runs} runs (at most 3 for policies over 2 MB); load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (stalls include waiting for a "
            f"core). Synthetic policies: {origin}. Baseline measured in "
            "the same run: the same work on the GUI thread, as before the background loader (it "
            "stalls for its whole time), and the app showing a long policy as one document "
            f"instead of parts of at most {page_limits[0]:,} characters / {page_limits[1]:,} "
            "table rows. Target: no stall over 100 ms.\n\n"
            + table(["policy", "step", "longest stall", "worst run", "time to result",
                     "stall, one document (before parts)", "baseline stall (GUI thread)",
                     "vs baseline"], rows))
    print(body)
    if not args.no_doc:
        write_doc_section("## Responsiveness with big policies", "bench/bench_responsiveness.py",
                          body)


if __name__ == "__main__":
    main()
