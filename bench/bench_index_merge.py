"""Index writing with segment merges: many small commits (each may merge segments, as
incremental updates and large builds do) against one commit of the same policies; and
how many segments the app's merge policy (``index.tiered_merge``) against Whoosh's own
(``MERGE_SMALL``) leaves in builds of 20,000 to 1,000,000 policies (simulated: the real
policy functions on segment sizes, no files written).

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
    """Seconds to write ``docs`` in ``commits`` commits (the app's merge policy on), the
    segments left, and seconds of a final merge of all segments (if ``optimize``)."""
    from whoosh import index

    from reader.search.index import make_schema, tiered_merge
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
            writer.commit(mergetype=tiered_merge)
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


class _Segment:
    """A segment of a simulated build: its size is all a merge policy looks at."""

    def __init__(self, size: int) -> None:
        self.size = size

    def doc_count_all(self) -> int:
        return self.size

    def close(self) -> None:
        pass


class _Writer:
    storage = schema = None

    def __init__(self) -> None:
        self.merged = 0

    def add_reader(self, reader: _Segment) -> None:
        self.merged += reader.size


def simulate(policies: int, batch: int, policy) -> tuple[int, int, float]:
    """(most segments at once, segments at the end, policies rewritten per policy) of a
    build committing ``batch`` policies at a time under the merge ``policy``."""
    import whoosh.reading

    from reader.search import index

    real_reader, real_limit = whoosh.reading.SegmentReader, index.SEGMENT_LIMIT
    whoosh.reading.SegmentReader = lambda storage, schema, segment: segment
    index.SEGMENT_LIMIT = batch
    try:
        segments: list[_Segment] = []
        most = rewritten = 0
        for _ in range(policies // batch):
            writer = _Writer()
            kept = policy(writer, segments)
            rewritten += writer.merged
            segments = [*kept, _Segment(batch + writer.merged)]
            most = max(most, len(segments))
        return most, len(segments), rewritten / policies
    finally:
        whoosh.reading.SegmentReader, index.SEGMENT_LIMIT = real_reader, real_limit


def simulated_table() -> str:
    from whoosh.writing import MERGE_SMALL

    from reader.search.index import SEGMENT_LIMIT, tiered_merge

    rows = []
    for policies in (20_000, 100_000, 1_000_000):
        cells = [f"{policies:,}"]
        for policy in (MERGE_SMALL, tiered_merge):
            most, last, rewrites = simulate(policies, SEGMENT_LIMIT, policy)
            cells.append(f"{most} / {last} / {rewrites:.1f}x")
        rows.append(cells)
    return table(["policies (commits of 1,500)", "Whoosh MERGE_SMALL: most / end segments / "
                  "rewrites", "app (tiered_merge): most / end / rewrites"], rows)


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
        "",
        "Segments of a large build (simulated, see the docstring):",
        "",
        simulated_table(),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_doc_section(SECTION, "bench/bench_index_merge.py", text)



if __name__ == "__main__":
    main()
