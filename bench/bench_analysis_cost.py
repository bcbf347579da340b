"""What analysing one policy costs on one core: the figures docs/SCALE.md multiplies out.

    python bench/bench_analysis_cost.py [--runs 3] [--compare REV] [--write-docs]

Over the 221 real policies of ``../shared/corpus``, one process, one core, each stage timed
per policy in CPU time
(process_time, so other work on a shared machine does not inflate it; median of ``--runs``
passes): read + header parse, tokenise, classify into
practice categories and count index terms (together: what the search index does per policy,
``policy_document``), what one index worker process does per policy in a build (tantivy,
the engine from 2,000 policies on: ``policy_documents`` of batches of 8 with the body as
words; older code without it: ``policy_document`` of each), and the
reading analysis a viewer or summary needs (markdown to the safe document model, then
highlights by category).

``--compare REV`` measures the code of git revision REV (exported to a temporary folder
and imported by a second process running this script) in passes alternating with this
code's, so both see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from common import PROJECT, SHARED, table, write_doc_section  # noqa: E402

SECTION = "## Analysis cost per policy"
STAGES = ["read + header", "tokenise", "classify (categories)", "count index terms",
          "whole index document (policy_document)",
          "index worker per policy (tantivy build: batches of 8, body as words)",
          "document model (markdown to safe HTML)", "highlights + facts (decide)"]
WORKER = STAGES[5]


def policy_files() -> list[Path]:
    files = sorted(p for p in (SHARED / "corpus").rglob("*.md") if p.name != "README.md")
    if not files:
        raise SystemExit(f"{SHARED / 'corpus'} is missing")
    return files


def one_pass(files: list[Path]) -> dict[str, float]:
    """Mean CPU ms per policy of each stage over ``files``."""
    from reader.analysis.document import parse_policy
    from reader.analysis.practices import analyze_policy, policy_categories, policy_words
    from reader.search.index import count_words, policy_document
    from reader.sources.corpus import read_policy

    totals = dict.fromkeys(STAGES, 0.0)
    clock = time.process_time  # CPU time: the machine is shared
    for path in files:
        t0 = clock()
        policy = read_policy(path, path.name[:-3])
        t1 = clock()
        words = policy_words(policy.body)
        t2 = clock()
        policy_categories(words)
        t3 = clock()
        count_words(f"{policy.company}\n{policy.title}", words)
        t4 = clock()
        policy_document(str(path), path.name[:-3])
        t5 = t6 = clock()  # the worker's stage is timed below, in its batches
        document = parse_policy(policy.body)
        t7 = clock()
        analyze_policy(policy.body, document)
        t8 = clock()
        for stage, seconds in zip(STAGES, [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                           t6 - t5, t7 - t6, t8 - t7], strict=True):
            totals[stage] += seconds
    totals[WORKER] = worker_seconds(files)
    return {stage: totals[stage] / len(files) * 1000 for stage in STAGES}


WORKER_BATCH = 8  # policies per task an index worker gets (engine._bounded_map)


def worker_seconds(files: list[Path]) -> float:
    """CPU seconds an index worker spends on ``files``, in its batches (one policy at a
    time in code that has no batch function)."""
    from reader.search import index

    readings = [(str(path), path.name[:-3], None, "Privacy Policy") for path in files]
    started = time.process_time()
    if hasattr(index, "policy_documents"):
        for start in range(0, len(readings), WORKER_BATCH):
            index.policy_documents(readings[start:start + WORKER_BATCH], counted=False)
    else:
        for reading in readings:
            index.policy_document(*reading, counted=False)
    return time.process_time() - started


def warm_up(files: list[Path]) -> None:
    from reader.analysis.practices import analyze_policy
    from reader.search.index import policy_document
    from reader.sources.corpus import read_policy

    policy_document(str(files[0]), files[0].name[:-3])  # load the models once
    analyze_policy(read_policy(files[0]).body)


def serve_passes() -> None:
    """``--serve``: one pass per line read from stdin, its result printed as JSON."""
    files = policy_files()
    warm_up(files)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps(one_pass(files)), flush=True)


def exported(revision: str, folder: Path) -> Path:
    """The files of git ``revision`` of this repository, written into ``folder``."""
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", revision],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", metavar="REV", help="also measure git revision REV")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write-docs", action="store_true",
                        help="replace the section of docs/BENCHMARKS.md")
    args = parser.parse_args()
    if args.serve:
        serve_passes()
        return
    files = policy_files()
    wall_started = time.perf_counter()
    warm_up(files)
    ours: dict[str, list[float]] = {s: [] for s in STAGES}
    theirs: dict[str, list[float]] = {s: [] for s in STAGES}
    with tempfile.TemporaryDirectory() as temporary:
        other = None
        if args.compare:
            code = exported(args.compare, Path(temporary))
            other = subprocess.Popen(
                [sys.executable, __file__, "--serve"],  # this script, the older reader
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                env={**os.environ, "PYTHONPATH": str(code)}, cwd=code)
            if other.stdout.readline().strip() != "ready":
                raise SystemExit(f"the code of {args.compare} did not start")
        for _ in range(args.runs):
            if other is not None:  # alternate: both see the same load
                other.stdin.write("pass\n")
                other.stdin.flush()
                for stage, ms in json.loads(other.stdout.readline()).items():
                    theirs[stage].append(ms)
            for stage, ms in one_pass(files).items():
                ours[stage].append(ms)
        if other is not None:
            other.stdin.close()
            other.wait()
    characters = sum(p.stat().st_size for p in files) / len(files)
    load = os.getloadavg()[0]
    lines = [f"Analysis cost per policy on one core: {len(files)} real policies of "
             f"../shared/corpus (mean {characters / 1000:.1f} kB of markdown each), mean "
             f"CPU ms per policy (process_time), median of {args.runs} passes; machine "
             f"shared with other work (load {load:.1f} at the end), {os.cpu_count()} cores."]
    if args.compare:
        lines.append(f"Baseline: the code of `{args.compare}`, measured in the same run in a "
                     "second process, passes alternating.")
    print("\n".join(lines) + "\n")

    def median(values: dict[str, list[float]], stage: str) -> float:
        return statistics.median(values[stage])

    def totals(values: dict[str, list[float]]) -> float:
        return median(values, STAGES[4]) + sum(median(values, s) for s in STAGES[6:])

    if args.compare:
        headers = ["stage", f"ms / policy ({args.compare})", "ms / policy (now)", "ratio"]
        rows = [[stage, f"{median(theirs, stage):.2f}", f"{median(ours, stage):.2f}",
                 f"{median(ours, stage) / max(median(theirs, stage), 1e-9):.2f}x"]
                for stage in STAGES]
        rows.append(["**index + reading analysis**", f"**{totals(theirs):.1f}**",
                     f"**{totals(ours):.1f}**", f"{totals(ours) / totals(theirs):.2f}x"])
    else:
        headers = ["stage", "ms / policy"]
        rows = [[stage, f"{median(ours, stage):.2f}"] for stage in STAGES]
        rows.append(["**index + reading analysis**", f"**{totals(ours):.1f}**"])
    out = [table(headers, rows)]
    wall = (time.perf_counter() - wall_started) / args.runs / len(files) * 1000
    if args.compare:
        wall /= 2
    out.append(f"Wall time per policy in this run (all stages, the index document twice): "
               f"{wall:.0f} ms, CPU "
               f"{sum(median(ours, s) for s in STAGES):.0f} ms (the gap is waiting for the "
               "shared cores).")
    out.append(f"1,000,000 versions at {totals(ours):.0f} ms each: "
               f"{totals(ours) * 1e6 / 3.6e6:.0f} core-hours. A 100,000-policy build's two "
               f"worker processes at {median(ours, WORKER):.1f} ms a policy: "
               f"{median(ours, WORKER) * 1e5 / 1000 / 2:.0f} s each.")
    out.append(WORKER_NOTE)
    print("\n\n".join(out))
    if args.write_docs:
        write_doc_section(SECTION, "bench/bench_analysis_cost.py"
                          + (f" --compare {args.compare}" if args.compare else ""),
                          "\n".join(lines) + "\n\n" + "\n\n".join(out) + "\n")


WORKER_NOTE = (
    "What an index worker does per policy (issue 16): read and parse the file, tokenise its "
    "markdown once (`policy_words`: paragraphs, sentences, words), look each word up once "
    "in one dictionary of both classifiers' terms (word pairs found from their two words' "
    "numbers, no pair strings), gather each paragraph's and sentence's terms with numpy, "
    "then run the practice and facts classifiers once over the paragraphs and sentences of "
    "its batch of 8 policies (rows are independent: the same numbers as one policy at a "
    "time), and decide each policy (`decide_policies`, the rule of `decide`). The index "
    "documents and decisions are identical to those of the code before (tests/"
    "test_index_work.py; a digest of every document and `analyze_policy` result over "
    "../shared/corpus and the seeds). 'count index terms' now includes making the word "
    "pairs' strings, which only the Whoosh engine needs.")


if __name__ == "__main__":
    main()
