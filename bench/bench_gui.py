"""Desktop app at scale: time to a ready window, each keystroke in the company filter, and
the GUI process's memory, on corpora of 20,000 and 100,000 policies built from real ones.

    python bench/bench_gui.py [--sizes 20000,100000] [--runs 5] [--index-up-to 20000]

Corpora: ``common.make_real_corpus`` (real policies of ../shared/corpus, reshuffled, under
new names; the vocabulary grows with the size). Each launch is a fresh process, Qt
offscreen. Baselines measured in the same run: a bare QMainWindow launched the same way
(Python + Qt start-up), and for the filter Qt's own C++ QSortFilterProxyModel (fixed
string, case-insensitive) over the same company strings (domain and title) in a
QListView under a QLineEdit, typed the same way.

The search index (of the engine the app chooses) is built first for sizes up to
``--index-up-to``; above it, the launched window does not update an index (building one at
100,000 is measured by bench_search.py), and the titles the filter searches are read from
the files' headers instead of the index. Either way the index check starts only once the
first policy is on screen, so window-ready includes opening the index but not checking it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import PROJECT, REAL_CORPUS_RECIPE, make_real_corpus, table, write_doc_section  # noqa: E402,E501

TYPED = ["yahoo", "<5", "of a", "<4", "news"]  # "<n": n backspaces

READY_SCRIPT = r"""
import json, os, sys, time
start = float(sys.argv[1])
marks = {}
from reader.ui.app import create_app
app = create_app()
from reader.ui.main_window import MainWindow
if os.environ.get("BENCH_NO_INDEX"):
    MainWindow.start_indexing = lambda self, rebuild=False: None
window = MainWindow(sys.argv[2], restore=False, quick_start=True)  # as the app starts
window.resize(1360, 860)
window.show()
app.processEvents()
marks["shown"] = time.time() - start
while window.current is None or window.loader.busy:
    app.processEvents()
marks["policy"] = time.time() - start
marks["cpu"] = time.process_time()  # every thread of the process, until ready

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

marks["rss_ready"] = rss_mb()
marks["companies"] = window.company_model.rowCount()
if os.environ.get("BENCH_TYPE"):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    window.pool.waitForDone()
    app.processEvents()
    if os.environ.get("BENCH_NO_INDEX"):  # titles and dates from the files' headers
        from reader.sources.corpus import parse_header
        metadata = {}
        for entry in window.corpus.entries:
            with open(entry.file, encoding="utf-8", errors="replace") as handle:
                header, _ = parse_header(handle.read(1000))
            metadata[entry.domain] = {"title": header.title or "",
                                      "date": header.archive_date or ""}
        window.company_model.set_metadata(metadata)
    window.company_filter.setFocus()
    app.processEvents()
    times, shown = [], []
    for step in json.loads(os.environ["BENCH_TYPE"]):
        keys = ([Qt.Key.Key_Backspace] * int(step[1:]) if step.startswith("<") else list(step))
        for key in keys:
            began = time.perf_counter()
            QTest.keyClick(window.company_filter, key)
            app.processEvents()  # the list repaints
            times.append(time.perf_counter() - began)
            shown.append(window.company_proxy.rowCount())
    marks["keystrokes"] = times
    marks["shown_rows"] = shown
    marks["rss_typed"] = rss_mb()
    marks["still_open"] = window.current.policy.domain
print("RESULT " + json.dumps(marks))
window.close()
"""

BARE_SCRIPT = r"""
import json, sys, time
start = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1360, 860)
window.show()
app.processEvents()
shown = time.time() - start
cpu = time.process_time()
with open("/proc/self/status") as status:
    rss = [int(l.split()[1]) / 1024 for l in status if l.startswith("VmRSS:")][0]
print("RESULT " + json.dumps({"shown": shown, "policy": shown, "rss_ready": rss, "cpu": cpu}))
"""

QT_FILTER_SCRIPT = r"""
import json, sys, time
from PySide6.QtCore import QSortFilterProxyModel, QStringListModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QListView, QVBoxLayout, QWidget
app = QApplication([])
names = json.loads(open(sys.argv[2]).read())
model = QStringListModel(names)
proxy = QSortFilterProxyModel()
proxy.setSourceModel(model)
proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
window = QWidget()
field = QLineEdit()
field.textChanged.connect(proxy.setFilterFixedString)
view = QListView()
view.setUniformItemSizes(True)
view.setModel(proxy)
layout = QVBoxLayout(window)
layout.addWidget(field)
layout.addWidget(view)
window.resize(1360, 860)
window.show()
field.setFocus()
app.processEvents()
times = []
for step in json.loads(sys.argv[3]):
    keys = [Qt.Key.Key_Backspace] * int(step[1:]) if step.startswith("<") else list(step)
    for key in keys:
        began = time.perf_counter()
        QTest.keyClick(field, key)
        app.processEvents()
        times.append(time.perf_counter() - began)
print("RESULT " + json.dumps({"keystrokes": times}))
"""


STARTUP_NOTE = (
    "What runs before the first policy shows (profiled at 100,000 with cProfile, "
    "`-X importtime` and timing marks): Python and Qt (the bare window), the imports of "
    "the window and of the analysis it needs (numpy, markdown, whoosh's query parser, the "
    "classifier; imported before Qt, whose import hook reads every later module's source), "
    "the listing kept from the last run (one `marshal` read, then the entries), the company "
    "model (rows made when first painted), and on a reading thread the classifier models "
    "(loaded while the folder is listed) and the first policy's analysis. The index check, "
    "the file check and history detection wait until that policy is on screen, so they do "
    "not share Python's lock with it; the filter's lowercase keys are made just after.")


FILTER_NOTE = (
    "What a keystroke in the company filter costs at 100,000 (timing marks, cProfile and "
    "`perf` in the typing launch): the pass over the companies' lowercase keys (10-20 ms "
    "over all of them; a growing text looks only at the rows shown, a shrinking one "
    "reuses the rows kept for that text), Qt's repaint of the list (the same as for Qt's "
    "own C++ filter), and Python's lock: the background file check reads every policy "
    "for minutes after the window opens and, until it stopped repairing their text (only "
    "decoding it), held the lock in long regular-expression calls while the user typed.")


def launch(script: str, args: list[str], env: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", script, repr(time.time()), *args],
                            capture_output=True, text=True, env=env, cwd=PROJECT, check=True)
    line = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def measure_size(size: int, args, bare_env: dict) -> list[list[str]]:
    data = args.data / f"gui-{size}"
    corpus = data / "corpus"
    make_real_corpus(corpus, size)
    userdata = data / "userdata"
    env = {**os.environ, "PRIVACY_READER_DATA": str(userdata), "QT_QPA_PLATFORM": "offscreen"}
    indexed = size <= args.index_up_to
    if indexed:
        os.environ["PRIVACY_READER_DATA"] = str(userdata)
        from reader.search.engine import open_index
        from reader.sources.corpus import Corpus

        policy_index = open_index(Corpus.open(corpus))  # the engine the app chooses
        policy_index.open()
        policy_index.update()  # built before timing the window
        policy_index.close()
    else:
        env["BENCH_NO_INDEX"] = "1"
    shutil.rmtree(userdata / "listings", ignore_errors=True)
    cold = launch(READY_SCRIPT, [str(corpus)], env)  # lists the folder, keeps the listing
    warm = [launch(READY_SCRIPT, [str(corpus)], env) for _ in range(args.runs)]
    bare = [launch(BARE_SCRIPT, [], bare_env) for _ in range(args.runs)]
    typing = launch(READY_SCRIPT, [str(corpus)], {**env, "BENCH_TYPE": json.dumps(TYPED)})
    names_file = data / "names.json"
    from reader.sources.corpus import Corpus, parse_header

    names = []
    for entry in Corpus.open(corpus).entries:
        with open(entry.file, encoding="utf-8", errors="replace") as handle:
            header, _ = parse_header(handle.read(1000))
        names.append(f"{entry.domain}  {header.title or ''}")
    names_file.write_text(json.dumps(names))
    qt = [launch(QT_FILTER_SCRIPT, [str(names_file), json.dumps(TYPED)], bare_env)
          for _ in range(3)]
    qt_keys = [statistics.median(run["keystrokes"][i] for run in qt)
               for i in range(len(qt[0]["keystrokes"]))]

    def med(runs: list[dict], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    keys = typing["keystrokes"]
    bare_shown, bare_rss = med(bare, "shown"), med(bare, "rss_ready")
    label = f"{size:,} policies" + ("" if indexed else " (not indexed)")
    assert typing["still_open"] and warm[0]["companies"] >= size * 0.99
    return [
        [label, "window shown, company list filled (listing kept from last run)",
         ms(med(warm, "shown")), f"{med(warm, 'shown') / bare_shown:.1f}x bare QMainWindow "
         f"({ms(bare_shown)})", "< 1,500 ms"],
        ["", "first policy on screen with highlights (= window ready)",
         ms(med(warm, "policy")), f"{med(warm, 'policy') / bare_shown:.1f}x", "< 1,500 ms"],
        ["", "CPU time of the process until ready (all threads; less sensitive to load)",
         ms(med(warm, "cpu")), f"{med(warm, 'cpu') / med(bare, 'cpu'):.1f}x bare "
         f"QMainWindow ({ms(med(bare, 'cpu'))})", ""],
        ["", "same, first launch on the folder (the folder is listed)", ms(cold["policy"]),
         f"{cold['policy'] / bare_shown:.1f}x", ""],
        ["", f"company filter, keystroke to repaint (median / max of {len(keys)} keys: "
         f"'{TYPED[0]}', back, '{TYPED[2]}', back, '{TYPED[4]}')",
         f"{ms(statistics.median(keys))} / {ms(max(keys))}",
         f"{statistics.median(keys) / statistics.median(qt_keys):.1f}x Qt's C++ filter "
         f"({ms(statistics.median(qt_keys))} / {ms(max(qt_keys))})", "< 50 ms"],
        ["", "GUI process memory (RSS) when ready / after typing",
         f"{med(warm, 'rss_ready'):,.0f} / {typing['rss_typed']:,.0f} MB",
         f"{med(warm, 'rss_ready') / bare_rss:.1f}x bare QMainWindow ({bare_rss:,.0f} MB)",
         ""],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index-up-to", type=int, default=20000)
    parser.add_argument("--data", type=Path, default=PROJECT / "bench" / ".data")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/BENCHMARKS.md")
    args = parser.parse_args()
    bare_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    rows: list[list[str]] = []
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        rows += measure_size(size, args, bare_env)
    load = os.getloadavg()[0]
    body = (f"Qt offscreen, each launch a fresh process; medians of {args.runs} launches "
            f"(the first launch on a folder: one run); load average {load:.1f} on "
            f"{os.cpu_count()} cores. Corpora: {REAL_CORPUS_RECIPE.format(real=221, source='../shared/corpus')}. "  # noqa: E501
            f"Indexed up to {args.index_up_to:,} policies; above, the window does not "
            "index and the filter's titles are read from the files (see the script). "
            "The open policy was checked unchanged after typing."
            + (" The load was above the number of cores: wall times are stretched by "
               "the other processes (compare each with the bare window of the same run); "
               "the CPU-time row compares across runs." if load > os.cpu_count() else "")
            + "\n\n"
            + table(["corpus", "measure", "result", "vs baseline", "target"], rows)
            + "\n\n" + STARTUP_NOTE + "\n\n" + FILTER_NOTE)
    print(body)
    if not args.no_doc:
        command = "bench/bench_gui.py" + "".join(
            f" --{name.replace('_', '-')} {value}" for name, value in
            (("sizes", args.sizes), ("runs", args.runs), ("index_up_to", args.index_up_to))
            if value != parser.get_default(name))
        write_doc_section("## Desktop app", command, body)


if __name__ == "__main__":
    main()
