"""Desktop app speed: time to a ready window, and opening policies with highlights.

    python bench/bench_gui.py [--policies 20000] [--data DIR]

Uses the synthetic corpus and index made by bench_search.py (built first if missing).
Runs Qt offscreen. Baseline measured in the same run: a bare QMainWindow started the same
way (Python + Qt start-up cost).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import (  # noqa: E402
    PROJECT,
    add_corpus_arguments,
    corpus_paths,
    longest_real_policy,
    make_corpus,
    source_paragraphs,
    synthetic_policy,
    table,
)

from reader.sources.corpus import domain_from_filename  # noqa: E402

READY_SCRIPT = """
import sys, time
start = float(sys.argv[1])
from reader.ui.app import create_app
app = create_app()
from reader.ui.main_window import MainWindow
window = MainWindow(sys.argv[2], restore=False)
window.show()
app.processEvents()
assert window.current is not None
print(time.time() - start)
window.close()
"""
BARE_SCRIPT = """
import sys, time
start = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.show()
app.processEvents()
print(time.time() - start)
"""


def launch(script: str, corpus: str, env: dict) -> float:
    result = subprocess.run([sys.executable, "-c", script, repr(time.time()), corpus],
                            capture_output=True, text=True, env=env, cwd=PROJECT, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def opened_and_shown(window, app, domain: str, timeout: float = 120) -> None:
    """Show ``domain`` and return once it is on screen (big policies open in the
    background)."""
    window.show_policy(domain)
    deadline = time.perf_counter() + timeout
    while not (window.current and window.current.policy.domain == domain):
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{domain} did not open in {timeout:.0f} s")
        time.sleep(0.001)
    app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_corpus_arguments(parser, runs=5)
    args = parser.parse_args()
    data, corpus_dir = corpus_paths(args)
    origin = make_corpus(corpus_dir, args.policies)
    env = {**os.environ, "PRIVACY_READER_DATA": str(data / "userdata"),
           "QT_QPA_PLATFORM": "offscreen"}
    os.environ["PRIVACY_READER_DATA"] = env["PRIVACY_READER_DATA"]

    from reader.search.index import PolicyIndex
    from reader.sources.corpus import Corpus

    policy_index = PolicyIndex(Corpus.open(corpus_dir))
    policy_index.update()  # make sure the index is built before timing the window
    policy_index.close()

    ready = statistics.median(launch(READY_SCRIPT, str(corpus_dir), env)
                              for _ in range(args.runs))
    bare = statistics.median(launch(BARE_SCRIPT, "", env) for _ in range(args.runs))

    from reader.ui.app import create_app

    app = create_app()
    from reader.ui.main_window import MainWindow

    window = MainWindow(str(corpus_dir), restore=False)
    window.resize(1300, 800)
    window.show()
    app.processEvents()
    window.pool.waitForDone()
    corpus = window.corpus
    rng = random.Random(5)
    sample = rng.sample(corpus.entries, 30)
    times = []
    for entry in sample:
        started = time.perf_counter()
        window.show_policy(entry.domain)
        app.processEvents()
        times.append(time.perf_counter() - started)
    typical_words = int(statistics.median(e.size for e in sample)) // 6
    longest = max(corpus.entries, key=lambda e: e.size)
    window.cache.clear()
    started = time.perf_counter()
    opened_and_shown(window, app, longest.domain)
    longest_time = time.perf_counter() - started
    longest_words = window.current.policy.word_count

    paragraphs, _ = source_paragraphs()
    big_dir = data / "big"
    big_dir.mkdir(exist_ok=True)
    _, text = synthetic_policy(random.Random(9), paragraphs, 50_000, 999_999)
    (big_dir / "big.example.md").write_text(text, "utf-8")
    window.open_corpus(str(big_dir))
    window.pool.waitForDone()
    window.cache.clear()
    started = time.perf_counter()
    opened_and_shown(window, app, "big.example")
    big_time = time.perf_counter() - started
    big_words = window.current.policy.word_count
    real_time = real_words = real_name = None
    longest_file = longest_real_policy()
    if longest_file is not None:  # the longest real policy, in a folder of its own
        real_dir = data / "longest-real"
        real_dir.mkdir(exist_ok=True)
        shutil.copy(longest_file, real_dir / longest_file.name)
        (real_dir / "aaa-short.example.md").write_text("# Short\n\nWe collect names.\n")
        window.open_corpus(str(real_dir))
        window.pool.waitForDone()
        real_times = []
        for _ in range(3):
            opened_and_shown(window, app, "aaa-short.example")
            window.cache.clear()
            started = time.perf_counter()
            opened_and_shown(window, app, domain_from_filename(longest_file))
            real_times.append(time.perf_counter() - started)
        real_time = statistics.median(real_times)
        real_words = window.current.policy.word_count
        real_name = window.current.policy.domain
        window.open_corpus(str(big_dir))
        window.pool.waitForDone()
        opened_and_shown(window, app, "big.example")
    toggles = []
    for _ in range(5):
        started = time.perf_counter()
        window.category_panel.set_visible("third_party_sharing", False)
        app.processEvents()
        window.category_panel.set_visible("third_party_sharing", True)
        app.processEvents()
        toggles.append((time.perf_counter() - started) / 2)
    window.close()

    from pathlib import Path as _Path

    from reader.sources.corpus import PolicyEntry
    from reader.ui.models import CompanyFilterModel, CompanyListModel

    entries = [PolicyEntry(f"company{i:06d}.example", _Path(f"/x/{i}"), 1000 + i, 0.0)
               for i in range(100_000)]
    model = CompanyListModel()
    proxy = CompanyFilterModel()
    proxy.setSourceModel(model)
    model.modelReset.connect(proxy.source_reset)
    started = time.perf_counter()
    model.set_entries(entries)
    load_100k = time.perf_counter() - started
    started = time.perf_counter()
    proxy.set_filter_text("company0999")
    filter_100k = time.perf_counter() - started
    shown = proxy.rowCount()
    proxy.set_filter_text("")
    started = time.perf_counter()
    model.sort_by("length")
    sort_100k = time.perf_counter() - started

    print(f"Desktop app speed, Qt offscreen, {args.policies:,} synthetic policies ({origin}); "
          f"index built. Medians of {args.runs} launches and of 30 policies.\n")
    print(table(["measure", "result", "vs baseline", "target"], [
        ["window ready after launch (process start to first policy shown)",
         f"{ready * 1000:.0f} ms", f"{ready / bare:.1f}x a bare QMainWindow "
         f"({bare * 1000:.0f} ms)", "< 1,500 ms"],
        [f"open a typical policy with highlights (~{typical_words:,} words)",
         f"{statistics.median(times) * 1000:.0f} ms (p95 "
         f"{sorted(times)[int(0.95 * (len(times) - 1))] * 1000:.0f})", "", "< 150 ms"],
        [f"open the longest policy of the corpus ({longest_words:,} words)",
         f"{longest_time * 1000:.0f} ms", "", "< 1,000 ms"],
        *([[f"open the longest real policy ({real_name}, {real_words:,} words; median of "
            "3)", f"{real_time * 1000:.0f} ms", "", "< 1,000 ms"]] if real_time else []),
        [f"open a {big_words:,}-word synthetic policy", f"{big_time * 1000:.0f} ms", "", ""],
        [f"hide or show a category on the {big_words:,}-word policy",
         f"{statistics.median(toggles) * 1000:.0f} ms", "", ""],
        ["company list: load 100,000 companies (sorted, behind the filter proxy)",
         f"{load_100k * 1000:.0f} ms", "", ""],
        [f"company list: filter 100,000 as you type ({shown} shown)",
         f"{filter_100k * 1000:.0f} ms", "", ""],
        ["company list: re-sort 100,000 by length", f"{sort_100k * 1000:.0f} ms", "", ""],
    ]))
    if real_time is None:
        print("\n../shared/corpus is not present on this machine, so the longest real policy "
              "could not be timed; the synthetic ones stand in.")


if __name__ == "__main__":
    main()
