"""Policy history speed on the PGA v2 git bundle (4,857 commits).

    python bench/bench_history.py [--chart-versions 492] [--chart-only | --no-chart]

The bundle (../shared/history/pga-versions.bundle) is cloned into a temporary folder.
Baselines measured in the same run: the git program itself (``git log``) for listing, and
analysing the versions whole with the one practice decision for the diff and the chart.
"First time" is with an empty user data folder; "cached" reads what the first time kept.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from common import SHARED, median_time, synthetic_policy, table  # noqa: E402

BUNDLE = next((folder / "shared" / "history" / "pga-versions.bundle"
               for folder in Path(__file__).resolve().parents
               if (folder / "shared" / "history" / "pga-versions.bundle").is_file()),
              SHARED / "history" / "pga-versions.bundle")  # ../shared, or one further up
FACEBOOK = "Facebook/Privacy Policy.md"


def fresh_data_dir() -> None:
    """A new, empty user data folder: nothing cached."""
    os.environ["PRIVACY_READER_DATA"] = tempfile.mkdtemp(prefix="bench-history-data-")


def reworded(text: str, rng: random.Random) -> str:
    """A later version: some sentences reworded, some paragraphs dropped, some added."""
    paragraphs = text.split("\n\n")
    out = []
    for paragraph in paragraphs:
        roll = rng.random()
        if roll < 0.05:
            continue
        if roll < 0.15:
            paragraph = re.sub(r"\b(may|will|we)\b", lambda m: {"may": "might", "will": "shall",
                                                                 "we": "we also"}[m[1]],
                               paragraph, count=2)
        out.append(paragraph)
        if roll > 0.96:
            out.append("We may share your location data with advertising partners and "
                       "data brokers for marketing purposes.")
    return "\n\n".join(out)


def chart_child(clone: Path, workers: int, versions: int, in_thread: bool = False) -> int:
    """One first-time chart of Facebook's newest ``versions`` (``workers``: 0 for the
    default, 1 for none) in this fresh process, from the main thread as the command line
    computes it or (``in_thread``) from another thread as the History window does; prints
    its wall time and the CPU seconds (user + system) of this process and of its worker
    processes (with the fork server's, where it has one), as JSON."""
    import json
    import resource
    import threading

    fresh_data_dir()
    from reader.analysis.timeline import VersionStore, timeline
    from reader.sources.corpus import Corpus
    from reader.sources.history import CorpusHistory

    history = CorpusHistory(Corpus.open(clone)).history(FACEBOOK)
    history.versions = history.versions[-versions:]
    store = VersionStore(Path(tempfile.mkdtemp(prefix="bench-history-chart-")))

    def cpu(who: int) -> float:
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    def fork_server_cpu() -> float:
        """CPU seconds of the fork server and of the workers it forked (Linux)."""
        from multiprocessing import forkserver

        pid = forkserver._forkserver._forkserver_pid
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        return sum(int(field) for field in stat[11:15]) / os.sysconf("SC_CLK_TCK")

    main_cpu, children_cpu = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    if in_thread:
        thread = threading.Thread(target=timeline,
                                  args=(history, store), kwargs={"workers": workers or None})
        thread.start()
        thread.join()
    else:
        timeline(history, store, workers=workers or None)
    wall = time.perf_counter() - started
    children = cpu(resource.RUSAGE_CHILDREN) - children_cpu
    if in_thread:
        children += fork_server_cpu()
    print(json.dumps({"wall": wall, "main": cpu(resource.RUSAGE_SELF) - main_cpu,
                      "children": children, "store": str(store.folder)}))
    return 0


def chart_runs(clone: Path, versions: int, runs: int) -> dict[str, list[dict]]:
    """First-time charts in fresh processes (nothing cached, in memory or on disk), with
    and without worker processes, and from a thread as the History window computes them
    (with worker processes), alternated."""
    import json

    found: dict[str, list[dict]] = {"0": [], "1": [], "thread": []}
    for _ in range(runs):
        for workers in found:
            output = subprocess.run(
                [sys.executable, __file__, "--chart-child", str(clone), workers,
                 "--chart-versions", str(versions)],
                capture_output=True, text=True, check=True).stdout
            found[workers].append(json.loads(output.splitlines()[-1]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chart-versions", type=int, default=492,
                        help="newest N versions of Facebook's policy for the chart")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chart-only", action="store_true",
                        help="only the history chart rows (no table written)")
    parser.add_argument("--no-chart", action="store_true",
                        help="only the listing and diff rows (no table written)")
    parser.add_argument("--bundle", type=Path, default=BUNDLE)
    parser.add_argument("--chart-child", nargs=2, metavar=("CLONE", "WORKERS"),
                        help=argparse.SUPPRESS)  # one first-time chart in this process
    args = parser.parse_args()
    if args.chart_child:
        workers = args.chart_child[1]
        return chart_child(Path(args.chart_child[0]), 0 if workers == "thread" else int(workers),
                           args.chart_versions, in_thread=workers == "thread")
    if not args.bundle.is_file():
        print(f"{args.bundle} is not present", file=sys.stderr)
        return 1
    fresh_data_dir()
    from reader.analysis.timeline import (
        VersionStore,
        _units,
        analyze_body,
        diff_history,
        sections,
        timeline,
    )
    from reader.sources.corpus import Corpus
    from reader.sources.history import CorpusHistory

    clone = Path(tempfile.mkdtemp(prefix="bench-history-")) / "pga"
    subprocess.run(["git", "clone", "-q", "-b", "main", str(args.bundle), str(clone)], check=True)
    commits = int(subprocess.run(["git", "-C", str(clone), "rev-list", "--count", "HEAD"],
                                 capture_output=True, text=True, check=True).stdout)
    rows = []

    source = CorpusHistory(Corpus.open(clone))
    origin = ""
    if not args.chart_only:
        # 1. Open the repository and list every policy with its version count.
        def list_all() -> int:
            source = CorpusHistory(Corpus.open(clone))
            return len(source.git.version_counts())

        def cold_list() -> None:
            fresh_data_dir()
            list_all()

        cold = median_time(cold_list, args.runs)
        listed = list_all()  # writes the cache
        cached = median_time(list_all, args.runs)
        git_all = median_time(lambda: subprocess.run(
            ["git", "-C", str(clone), "log", "--name-only", "--format=%H"], capture_output=True,
            check=True), args.runs)
        rows += [
            [f"open + list {listed} files with version counts, cold ({commits:,} commits)",
             f"{cold * 1000:.0f} ms", f"{cold / git_all:.1f}x", "< 2,000 ms"],
            ["  same, cached (user data folder)", f"{cached * 1000:.0f} ms",
             f"{cached / git_all:.2f}x", ""],
            ["  baseline: git log --name-only (all commits)", f"{git_all * 1000:.0f} ms", "1.0x",
             ""],
        ]

        # 2. Facebook's privacy policy: every version listed (dates, commits).
        def list_facebook() -> int:
            return len(CorpusHistory(Corpus.open(clone)).history(FACEBOOK))

        def cold_facebook() -> None:
            fresh_data_dir()
            list_facebook()

        versions_cold = median_time(cold_facebook, args.runs)
        CorpusHistory(Corpus.open(clone)).version_counts()  # every file's walk, kept
        versions = median_time(list_facebook, args.runs)
        source = CorpusHistory(Corpus.open(clone))
        history = source.history(FACEBOOK)
        git_follow = median_time(lambda: subprocess.run(
            ["git", "-C", str(clone), "log", "--follow", "--format=%H %ad", "--", FACEBOOK],
            capture_output=True, check=True), args.runs)
        rows += [
            [f"Facebook privacy policy: {len(history)} versions listed (open + list), cold",
             f"{versions_cold * 1000:.0f} ms", f"{versions_cold / git_follow:.2f}x", "< 500 ms"],
            ["  same, cached (every file's walk kept)", f"{versions * 1000:.0f} ms",
             f"{versions / git_follow:.2f}x", ""],
            ["  baseline: git log --follow on that file", f"{git_follow * 1000:.0f} ms", "1.0x",
             ""],
        ]

        # 3. Diff of two 10,000-word versions with their categories (dated files), and of the
        # newest two versions of Facebook's policy.
        paragraphs = [chunk.strip() for path in sorted(clone.glob("*/Privacy Policy.md"))
                      for chunk in path.read_text("utf-8", "replace").split("\n\n")
                      if len(chunk.split()) >= 8]
        origin = "paragraphs sampled from the bundle's privacy policies"
        _, text = synthetic_policy(random.Random(5), paragraphs, 10_000, 515151)
        later = reworded(text, random.Random(6))
        dated = Path(tempfile.mkdtemp(prefix="bench-history-dated-"))
        (dated / "synthetic.example").mkdir()
        (dated / "synthetic.example" / "2020-01-01.md").write_text(text, "utf-8")
        (dated / "synthetic.example" / "2021-01-01.md").write_text(later, "utf-8")
        synthetic = CorpusHistory(Corpus.open(dated)).history("synthetic.example")

        def diff_of(policy_history, folder: Path):
            old, new = policy_history.versions[-2], policy_history.versions[-1]
            return diff_history(policy_history, old, new, VersionStore(folder))

        def diff_rows(policy_history, label: str) -> list[list[str]]:
            folders = [Path(tempfile.mkdtemp(prefix="bench-history-store-"))
                       for _ in range(args.runs)]
            cold_runs = iter(folders)
            cold_diff = median_time(lambda: diff_of(policy_history, next(cold_runs)), args.runs)
            warm_diff = median_time(lambda: diff_of(policy_history, folders[0]), args.runs)
            found = diff_of(policy_history, folders[0])
            old, new = (policy_history.load(v) for v in policy_history.versions[-2:])
            whole = median_time(lambda: (analyze_body(old.body), analyze_body(new.body)),
                                args.runs)
            return [
                [f"diff of {label} ({old.word_count:,} and {new.word_count:,} words, "
                 f"{len(found.changes)} changes), first time", f"{cold_diff * 1000:.0f} ms",
                 f"{cold_diff / whole:.2f}x", "< 500 ms"],
                ["  same, cached (analysed versions read from the user data folder)",
                 f"{warm_diff * 1000:.0f} ms", f"{warm_diff / whole:.3f}x", ""],
                ["  baseline: analysing both versions whole (parse + classify)",
                 f"{whole * 1000:.0f} ms", "1.0x", ""],
            ]

        rows += diff_rows(synthetic, "two synthetic versions")
        rows += diff_rows(history, "Facebook's newest two versions")

    if args.no_chart:
        print(table(["measure", "time", "vs baseline", "target"], rows))
        return 0

    # 4. History chart of a ~500-version policy: passages per category of every version.
    chart_history = source.history(FACEBOOK)
    chart_history.versions = chart_history.versions[-args.chart_versions:]
    charts = chart_runs(clone, args.chart_versions, args.runs)
    load_during = os.getloadavg()[0]

    def median_of(workers: str, what: str) -> float:
        return statistics.median(run[what] for run in charts[workers])

    chart_cold, chart_one = median_of("0", "wall"), median_of("1", "wall")
    chart_thread = median_of("thread", "wall")
    store_folder = Path(charts["0"][0]["store"])
    chart_cached = median_time(lambda: timeline(chart_history, VersionStore(store_folder)),
                               args.runs)
    unique = len({v.blob for v in chart_history.versions})
    distinct_chunks = len({key for v in chart_history.versions
                           for section in sections(chart_history.read_body(v))
                           for key, _ in _units(section) or [(section, "")]})
    one = chart_history.load(chart_history.versions[-1])
    whole = median_time(lambda: analyze_body(one.body), 1)
    rows += [
        [f"history chart of {len(chart_history)} versions ({unique} distinct), first time "
         f"({distinct_chunks:,} distinct chunks analysed)", f"{chart_cold:.1f} s",
         f"{chart_cold / (whole * unique):.2f}x", "< 3,000 ms"],
        [f"  CPU: {median_of('0', 'main'):.1f} s reading process + "
         f"{median_of('0', 'children'):.1f} s worker processes", "", "", ""],
        ["  same, first time, from a thread as the History window computes it (workers "
         "from a fork server)", f"{chart_thread:.1f} s",
         f"{chart_thread / (whole * unique):.3f}x", ""],
        [f"  CPU: {median_of('thread', 'main'):.1f} s reading process + "
         f"{median_of('thread', 'children'):.1f} s fork server and workers", "", "", ""],
        ["  same, first time, in one process (no worker processes)", f"{chart_one:.1f} s",
         f"{chart_one / (whole * unique):.3f}x", ""],
        [f"  CPU: {median_of('1', 'main'):.1f} s", "", "", ""],
        ["  same, cached (counts read from the user data folder)",
         f"{chart_cached * 1000:.0f} ms", f"{chart_cached / (whole * unique):.4f}x", ""],
        [f"  baseline: analysing the newest version whole ({one.word_count:,} words) x "
         f"{unique}", f"{whole * unique:.0f} s (estimated)", "1.0x", ""],
    ]

    print(f"Policy history on the PGA v2 bundle cloned to a temporary folder ({commits:,} "
          f"commits); warm file cache, median of {args.runs} runs unless said. The first diff's "
          f"texts are synthetic ({origin}; the newer one has sentences reworded, paragraphs "
          "dropped and added). Chart and diff numbers are those of the one practice decision "
          "on each whole version (tests compare them); each distinct chunk (a paragraph, list "
          "or table with its section's `#` heading; link targets aside) is analysed once, "
          "the new chunks of a version in one analysis.\n")
    print(table(["measure", "time", "vs baseline", "target"], rows))
    print(f"\nFirst-time charts: each in a fresh process, median of {args.runs}, with and "
          "without workers and from a thread alternated; load average "
          f"{load_during:.1f} after them "
          f"({os.cpu_count()} cores).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
