"""Search speed on a large synthetic corpus, against plain Whoosh, SQLite FTS5 and rg -l.

    python bench/bench_search.py [--policies 20000] [--runs 10] [--data DIR]

The corpus is synthetic: policies made by sampling paragraphs of real policies (see the
printed origin). Indexes are kept in DIR between runs; build times are measured when an
index is first built and remembered. Query times: top 20 with snippets, median and p95 of
``--runs`` runs of each query, one process, warm caches.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from common import PROJECT, add_corpus_arguments, corpus_paths, make_corpus, percentile, table  # noqa: E402

# label, this app, plain Whoosh, SQLite FTS5 (a year range becomes a WHERE clause there)
QUERIES = [
    ("single word", "information", "information", "information"),
    ("two-word phrase", '"third party"', '"third party"', '"third party"'),
    ("three-word AND", "cookies advertising opt", "cookies AND advertising AND opt",
     "cookies AND advertising AND opt"),
    ("field filter", "cookies year:2010..2015", "cookies AND year:[2010 TO 2015]",
     "cookies year:2010..2015"),
    ("prefix", "encrypt*", "encrypt*", "encrypt*"),
]
CATEGORY_QUERY = "sell AND category:third_party_sharing"


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def build_ours(corpus_dir: Path, data: Path, state: dict, runs: int) -> None:
    """Build (or bring up to date) the app's index; a fresh build is timed ``runs`` times
    (the later builds go to scratch folders) and the median kept."""
    os.environ["PRIVACY_READER_DATA"] = str(data / "userdata")
    from reader.search.index import PolicyIndex
    from reader.sources.corpus import Corpus

    policy_index = PolicyIndex(Corpus.open(corpus_dir))
    policy_index.open()
    started = time.perf_counter()
    report = policy_index.update()
    if report.added > 0:
        seconds = [time.perf_counter() - started]
        for run in range(1, runs):
            scratch = data / f"scratch-build-{run}"
            shutil.rmtree(scratch, ignore_errors=True)
            extra = PolicyIndex(Corpus.open(corpus_dir), folder=scratch)
            started = time.perf_counter()
            assert extra.update().added == report.added
            seconds.append(time.perf_counter() - started)
            extra.close()
            shutil.rmtree(scratch, ignore_errors=True)
        state["ours_build_runs"] = seconds
        state["ours_build_s"] = statistics.median(seconds)
        state["ours_built"] = report.added
        state["ours_build_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    policy_index.close()
    checks = []
    for _ in range(3):
        started = time.perf_counter()
        again = PolicyIndex(Corpus.open(corpus_dir))
        result = again.update()
        checks.append(time.perf_counter() - started)
        assert result.indexed == 0, result
        again.close()
    state["ours_check_s"] = sorted(checks)[1]


def ours_searcher(corpus_dir: Path):
    from reader.search.index import PolicyIndex
    from reader.sources.corpus import Corpus

    policy_index = PolicyIndex(Corpus.open(corpus_dir))
    policy_index.open()
    return lambda q: policy_index.search(q, limit=20)


def plain_whoosh_build(corpus_dir: Path, folder: Path, state: dict) -> None:
    from whoosh import fields, index

    if index.exists_in(str(folder)):
        return
    folder.mkdir(parents=True, exist_ok=True)
    schema = fields.Schema(domain=fields.ID(stored=True), year=fields.NUMERIC(int),
                           body=fields.TEXT(stored=True))
    ix = index.create_in(str(folder), schema)
    started = time.perf_counter()
    writer = ix.writer(procs=2, limitmb=128)
    count = 0
    for path in sorted(corpus_dir.rglob("*.md")):
        text = path.read_text("utf-8")
        year = int(text.split("archived on ", 1)[1][:4]) if "archived on " in text else 0
        writer.add_document(domain=path.name[:-3], year=year, body=text)
        count += 1
    writer.commit()
    state["plain_build_s"] = time.perf_counter() - started
    state["plain_built"] = count


def plain_whoosh_searcher(folder: Path):
    from whoosh import index
    from whoosh.qparser import QueryParser

    ix = index.open_dir(str(folder))
    searcher = ix.searcher()
    parser = QueryParser("body", ix.schema)

    def run(q: str):
        results = searcher.search(parser.parse(q), limit=20)
        return [(hit["domain"], hit.highlights("body")) for hit in results]

    return run


def fts_build(corpus_dir: Path, path: Path, state: dict) -> None:
    if path.exists():
        return
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE policies USING fts5(domain UNINDEXED, year UNINDEXED, "
               "body)")
    rows = []
    for file in sorted(corpus_dir.rglob("*.md")):
        text = file.read_text("utf-8")
        year = int(text.split("archived on ", 1)[1][:4]) if "archived on " in text else 0
        rows.append((file.name[:-3], year, text))
        if len(rows) >= 1000:
            db.executemany("INSERT INTO policies VALUES (?, ?, ?)", rows)
            rows = []
    db.executemany("INSERT INTO policies VALUES (?, ?, ?)", rows)
    db.commit()
    db.close()
    state["fts_build_s"] = time.perf_counter() - started


def fts_searcher(path: Path):
    db = sqlite3.connect(path)
    sql = ("SELECT domain, snippet(policies, 2, '<b>', '</b>', '…', 24) FROM policies "
           "WHERE policies MATCH ? {extra} ORDER BY rank LIMIT 20")

    def run(q: str):
        extra = ""
        if " year:" in q:
            q, years = q.split(" year:")
            low, high = years.split("..")
            extra = f"AND year BETWEEN {int(low)} AND {int(high)}"
        return db.execute(sql.format(extra=extra), (q,)).fetchall()

    return run


RG_PATTERNS = {"single word": ["-w", "information"], "two-word phrase": ["third\\W+party"],
               "prefix": ["-w", "encrypt\\w*"]}


def rg_searcher(corpus_dir: Path):
    if not shutil.which("rg"):
        return None

    def run(label: str):
        args = RG_PATTERNS.get(label)
        if args is None:
            return None
        return subprocess.run(["rg", "-l", "-i", *args, str(corpus_dir)], capture_output=True,
                              check=False).stdout

    return run


def memory_of_search_process(corpus_dir: Path, data: Path) -> float:
    code = (
        "import os, sys\n"
        f"os.environ['PRIVACY_READER_DATA'] = {str(data / 'userdata')!r}\n"
        "sys.path.insert(0, '.')\n"
        "from reader.sources.corpus import Corpus\nfrom reader.search.index import PolicyIndex\n"
        f"p = PolicyIndex(Corpus.open({str(corpus_dir)!r})); p.open()\n"
        f"for q in {[spec[1] for spec in QUERIES] + [CATEGORY_QUERY]!r} * 3:\n"
        "    p.search(q)\n"
        # VmHWM is this process's own peak; ru_maxrss would include the benchmark's
        # memory from before exec on Linux.
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PROJECT, check=True).stdout
    return int(out.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_corpus_arguments(parser, runs=10)
    parser.add_argument("--build-runs", type=int, default=3)
    args = parser.parse_args()
    data, corpus_dir = corpus_paths(args)
    state_file = data / "builds.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    started = time.perf_counter()
    origin = make_corpus(corpus_dir, args.policies)
    print(f"corpus ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    build_ours(corpus_dir, data, state, args.build_runs)
    plain_whoosh_build(corpus_dir, data / "plain-whoosh", state)
    fts_build(corpus_dir, data / "fts5.sqlite", state)
    state_file.write_text(json.dumps(state, indent=1))
    print("indexes ready", file=sys.stderr)

    engines = {"this app (Whoosh, tuned)": ours_searcher(corpus_dir),
               "plain Whoosh defaults": plain_whoosh_searcher(data / "plain-whoosh"),
               "SQLite FTS5": fts_searcher(data / "fts5.sqlite")}
    rows, p95s = [], {}
    for engine, run in engines.items():
        every = []
        cells = []
        column = {"SQLite FTS5": 3, "plain Whoosh defaults": 2}.get(engine, 1)
        for spec in QUERIES:
            query = spec[column]
            run(query)  # warm-up
            times = timed(lambda q=query, r=run: r(q), args.runs)
            every += times
            cells.append(f"{percentile(times, 0.5) * 1000:.0f} / "
                         f"{percentile(times, 0.95) * 1000:.0f}")
        p95s[engine] = percentile(every, 0.95)
        rows.append([engine, *cells, f"{p95s[engine] * 1000:.0f}"])
    rg = rg_searcher(corpus_dir)
    if rg:
        cells, every = [], []
        for label, *_ in QUERIES:
            if label in RG_PATTERNS:
                times = timed(lambda lab=label: rg(lab), max(3, args.runs // 3))
                every += times
                cells.append(f"{percentile(times, 0.5) * 1000:.0f} / "
                             f"{percentile(times, 0.95) * 1000:.0f}")
            else:
                cells.append("n/a")
        rows.append(["rg -l (file names only)", *cells, f"{percentile(every, 0.95) * 1000:.0f}"])
    ours = engines["this app (Whoosh, tuned)"]
    category = timed(lambda: ours(CATEGORY_QUERY), args.runs)
    memory = memory_of_search_process(corpus_dir, data)
    base = p95s["this app (Whoosh, tuned)"]

    print(f"Search benchmark: {args.policies:,} synthetic policies ({origin}), "
          f"{sum(f.stat().st_size for f in corpus_dir.rglob('*.md')) / 1e6:.0f} MB of text. "
          f"Top 20 hits with snippets; cells are median / p95 ms over {args.runs} runs.\n")
    print(table(["engine", *[spec[0] for spec in QUERIES], "p95 all (ms)"], rows))
    print()
    ratio_rows = [[engine, f"{p95 / base:.1f}x"] for engine, p95 in p95s.items()]
    print(table(["engine", "p95 vs this app"], ratio_rows))
    print()
    built = state.get("ours_built", 0)
    facts = [
        ["this app: build rate (median of full builds)",
         f"{built / state['ours_build_s']:.0f} policies/s ({built:,} in "
         + ", ".join(f"{s:.0f}" for s in state.get("ours_build_runs", [state["ours_build_s"]]))
         + f" s; {os.cpu_count()} cores)"
         if built else "(index reused; delete the data folder to measure)", ">= 250/s"],
        ["this app: peak memory of the building process",
         f"{state['ours_build_peak_mb']} MB" if "ours_build_peak_mb" in state else "n/a", ""],
        ["plain Whoosh: build rate (one build)",
         f"{state['plain_built'] / state['plain_build_s']:.0f} policies/s"
         if state.get("plain_built") else "(reused)", ""],
        ["SQLite FTS5: build time", f"{state['fts_build_s']:.0f} s"
         if "fts_build_s" in state else "(reused)", ""],
        ["this app: unchanged corpus check", f"{state['ours_check_s']:.2f} s", "< 3 s"],
        ["this app: `sell AND category:third_party_sharing`",
         f"{percentile(category, 0.5) * 1000:.0f} / {percentile(category, 0.95) * 1000:.0f} ms",
         ""],
        ["this app: peak memory of a search process", f"{memory:.0f} MB", "< 300 MB"],
        ["this app: query p95 over the mix", f"{base * 1000:.0f} ms", "<= 100 ms"],
    ]
    print(table(["measure", "result", "target"], facts))


if __name__ == "__main__":
    main()
