"""What analysing one policy costs on one core: the figures docs/SCALE.md multiplies out.

    python bench/bench_analysis_cost.py [--runs 3]

Over the 221 real policies of ``../shared/corpus``, one process, one core, each stage timed
per policy in CPU time
(process_time, so other work on a shared machine does not inflate it; median of ``--runs``
passes): read + header parse, tokenise, classify into
practice categories and count index terms (together: what the search index does per policy,
``policy_document``), and the reading analysis a viewer or summary needs (markdown to the
safe document model, then highlights by category).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from common import SHARED, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from reader.analysis.document import parse_policy
    from reader.analysis.practices import analyze_policy, policy_categories, policy_words
    from reader.search.index import count_words, policy_document
    from reader.sources.corpus import read_policy

    files = sorted(p for p in (SHARED / "corpus").rglob("*.md") if p.name != "README.md")
    if not files:
        raise SystemExit(f"{SHARED / 'corpus'} is missing")
    stages = ["read + header", "tokenise", "classify (categories)", "count index terms",
              "whole index document (policy_document)", "document model (markdown to safe HTML)",
              "highlights + facts (decide)"]
    per_stage: dict[str, list[float]] = {s: [] for s in stages}
    wall_started = time.perf_counter()
    policy_document(str(files[0]), files[0].name[:-3])  # load the model once
    for _ in range(args.runs):
        totals = dict.fromkeys(stages, 0.0)
        for path in files:
            clock = time.process_time  # CPU time: the machine is shared
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
            t5 = clock()
            document = parse_policy(policy.body)
            t6 = clock()
            analyze_policy(policy.body, document)
            t7 = clock()
            for stage, seconds in zip(stages, [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                               t6 - t5, t7 - t6], strict=True):
                totals[stage] += seconds
        for stage in stages:
            per_stage[stage].append(totals[stage] / len(files) * 1000)
    characters = sum(p.stat().st_size for p in files) / len(files)
    print(f"Analysis cost per policy on one core: {len(files)} real policies of "
          f"{SHARED / 'corpus'} (mean {characters / 1000:.1f} kB of markdown each), mean CPU ms "
          f"per policy (process_time), median of {args.runs} passes; machine shared "
          f"with other work, {os.cpu_count()} cores.\n")
    rows = [[stage, f"{statistics.median(per_stage[stage]):.1f}"] for stage in stages]
    index_ms = statistics.median(per_stage[stages[4]])
    reading_ms = sum(statistics.median(per_stage[s]) for s in stages[5:])
    rows.append(["**index + reading analysis**", f"**{index_ms + reading_ms:.1f}**"])
    print(table(["stage", "ms / policy"], rows))
    wall = (time.perf_counter() - wall_started) / args.runs / len(files) * 1000
    print(f"\nWall time per policy in this run (all stages, the index document twice): "
          f"{wall:.0f} ms, CPU {sum(statistics.median(v) for v in per_stage.values()):.0f} ms"
          " (the gap is waiting for the shared cores).")
    print(f"\n1,000,000 versions at {index_ms + reading_ms:.0f} ms each: "
          f"{(index_ms + reading_ms) * 1e6 / 3.6e6:.0f} core-hours.")


if __name__ == "__main__":
    main()
