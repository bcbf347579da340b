"""Opening a corpus: listing, the background check for unreadable files, a reload.

    python bench/bench_corpus.py [--policies 20000]

Baseline measured in the same run: ``os.walk`` plus one ``stat`` per file of the same
folder (the floor of any listing). The check reads every file, so its baseline is reading
every file's bytes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import common  # noqa: E402
from common import (  # noqa: E402
    add_corpus_arguments,
    corpus_paths,
    make_corpus,
    median_time,
    table,
    write_doc_section,
)

from reader.sources.corpus import Corpus  # noqa: E402

# ../shared beside the repo, or beside an ancestor when run from a nested git worktree.
SHARED = next((f / "shared" for f in common.PROJECT.parents if (f / "shared").is_dir()),
              common.SHARED)
common.SHARED = SHARED


def walk_and_stat(root: Path) -> int:
    count = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            os.stat(os.path.join(folder, name))
            count += 1
    return count


def read_all(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".md"):
                with open(os.path.join(folder, name), "rb") as handle:
                    total += len(handle.read())
    return total


def measure(label: str, root: Path, runs: int) -> list[list[str]]:
    corpus = Corpus.open(root)
    walk = median_time(lambda: walk_and_stat(root), runs)
    listing = median_time(lambda: Corpus.open(root), runs)
    with tempfile.TemporaryDirectory() as cache:
        Corpus.open(root, cache_dir=Path(cache))  # keeps the listing
        kept = median_time(lambda: Corpus.open(root, cache_dir=Path(cache)), runs)
        assert Corpus.open(root, cache_dir=Path(cache)).from_cache
        stale = median_time(Corpus.open(root, cache_dir=Path(cache)).stale, runs)
    rescan = median_time(corpus.rescan, runs)
    read = median_time(lambda: read_all(root), runs)
    check = median_time(corpus.find_broken, runs)
    return [
        [f"{label}: list ({len(corpus):,} policies)", f"{listing * 1000:.0f} ms",
         f"{listing / walk:.1f}x walk+stat ({walk * 1000:.0f} ms)"],
        [f"{label}: open with the listing kept from last time", f"{kept * 1000:.0f} ms",
         f"{kept / walk:.2f}x walk+stat"],
        [f"{label}: files edited since? (stat each, background)", f"{stale * 1000:.0f} ms",
         f"{stale / walk:.1f}x walk+stat"],
        [f"{label}: reload (rescan, no change)", f"{rescan * 1000:.0f} ms",
         f"{rescan / walk:.1f}x walk+stat"],
        [f"{label}: check every file (background)", f"{check * 1000:.0f} ms",
         f"{check / read:.1f}x reading the bytes ({read * 1000:.0f} ms)"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_corpus_arguments(parser, runs=3)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/BENCHMARKS.md")
    args = parser.parse_args()
    rows = []
    if (SHARED / "corpus").is_dir():
        rows += measure("../shared/corpus", SHARED / "corpus", args.runs)
    _, folder = corpus_paths(args)
    origin = make_corpus(folder, args.policies)
    rows += measure("synthetic", folder, args.runs)
    body = (f"Opening a corpus (synthetic policies: {origin}); warm file cache, median of "
            f"{args.runs} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
            "cores.\n\n" + table(["measure", "time", "vs baseline"], rows))
    print(body)
    if not args.no_doc:
        write_doc_section("## Opening a corpus", "bench/bench_corpus.py", body)


if __name__ == "__main__":
    main()
