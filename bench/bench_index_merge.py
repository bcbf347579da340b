"""Index writing with segment merges: many small commits (each may merge segments, as
incremental updates and large builds do) against one commit of the same policies.

    python bench/bench_index_merge.py [--policies 400] [--commits 20] [--runs 3] [--write-docs]

Policies are read, classified and counted once (synthetic, see bench/common.py); only the
writing is timed: median of ``--runs``, in one process. ``--write-docs`` replaces this
script's section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from common import PROJECT, make_corpus, table, write_doc_section  # noqa: E402

SECTION = "## Index merges"


def documents(count: int) -> list[dict]:
    from reader.search.index import policy_document
    from reader.sources.corpus import Corpus

    folder = PROJECT / "bench" / ".data" / f"merge-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    make_corpus(folder, count)
    return [policy_document(str(e.path), e.domain) for e in Corpus.open(folder).entries]


def write(docs: list[dict], commits: int, optimize: bool = False) -> tuple[float, int, float]:
    """Seconds to write ``docs`` in ``commits`` commits (Whoosh's merge policy on), the
    segments left, and seconds of a final merge of all segments (if ``optimize``)."""
    from whoosh import index

    from reader.search.index import make_schema
    from reader.search.postings import CountedSegmentWriter

    folder = Path(tempfile.mkdtemp(prefix="bench-merge-"))
    try:
        ix = index.create_in(str(folder), make_schema())
        size = -(-len(docs) // commits)
        started = time.perf_counter()
        for start in range(0, len(docs), size):
            writer = CountedSegmentWriter(ix, limitmb=256, compound=False)
            for doc in docs[start:start + size]:
                writer.add_document(**doc)
            writer.commit()
        seconds = time.perf_counter() - started
        with ix.searcher() as searcher:
            segments = len(searcher.reader().leaf_readers())
        merge_seconds = 0.0
        if optimize:
            started = time.perf_counter()
            CountedSegmentWriter(ix, limitmb=256, compound=False).commit(optimize=True)
            merge_seconds = time.perf_counter() - started
        ix.close()
        return seconds, segments, merge_seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=400)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PRIVACY_READER_DATA", tempfile.mkdtemp(prefix="bench-merge-data-"))
    docs = documents(args.policies)
    one, many, merged = [], [], []
    segments = 0
    for _ in range(args.runs):
        one.append(write(docs, 1)[0])
        seconds, segments, merge_seconds = write(docs, args.commits, optimize=True)
        many.append(seconds)
        merged.append(merge_seconds)
    base = statistics.median(one)
    rows = [
        [f"{len(docs)} policies in one commit (baseline)", f"{base:.2f} s", "1.0x"],
        [f"the same in {args.commits} commits, merging on the way "
         f"({segments} segments left)", f"{statistics.median(many):.2f} s",
         f"{statistics.median(many) / base:.1f}x"],
        ["then merging every segment into one", f"{statistics.median(merged):.2f} s",
         f"{statistics.median(merged) / base:.1f}x"],
    ]
    lines = [
        f"Writing only (policies read, classified and counted beforehand); median of "
        f"{args.runs} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        table(["measure", "time", "vs baseline"], rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_doc_section(SECTION, "bench/bench_index_merge.py", text)



if __name__ == "__main__":
    main()
