"""Search speed on a corpus built from real policies: the app's two engines (Whoosh and
tantivy, through the app's own search interface) against SQLite FTS5 and tantivy used raw.

    python bench/bench_search.py [--policies 20000] [--data DIR] [--engines whoosh,...]
        [--write-docs]

The corpus is made of real policies (``../shared/corpus``; the recipe is printed). Every
engine indexes the same policies with the same fields (company, year, category as the app
decided them, body) and runs the same query mix: many different words per query type, each
query once, in one fresh process per engine, so the first (cold) query and the index open
are reported apart from the p50 / p95 of the rest. Memory is the peak resident memory of the
whole process tree (psutil, sampled every 50 ms). The top 10 of each engine is compared with
the app's (Whoosh) so speed never comes from dropped results. One CLI search in a fresh
process (``privacy-reader search``, which checks the hits' files for changes) and adding
1,000 policies to the index are timed for the app's engines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from common import (  # noqa: E402
    PROJECT,
    WORD,
    make_real_corpus,
    percentile,
    real_policies,
    table,
    write_doc_section,
)

ENGINES = ("whoosh", "tantivy-app", "fts5", "tantivy")
APP_ENGINES = {"whoosh": "whoosh", "tantivy-app": "tantivy"}  # bench name -> app engine
ENGINE_NAMES = {"whoosh": "app: Whoosh", "tantivy-app": "app: tantivy", "fts5": "SQLite FTS5",
                "tantivy": "tantivy (raw)"}
SECTION = "## Search"
ADDED = 1000  # policies added to the built index (timed for the app's engines)
TYPES = ("single common word", "rare word", "phrase", "AND of 3 words", "OR of 2 words",
         "prefix", "company: filter", "year:2010..2015 range", "category: filter",
         "category: only")
PER_TYPE = 12
YEAR = re.compile(r"\s*\byear:(\d{4})\.\.(\d{4})")


# ---- corpus facts and queries -------------------------------------------------------------

def frequent_phrases(limit: int = 80) -> list[str]:
    """The most frequent two-word phrases of the real policies (both words >= 4 letters)."""
    counts: dict[str, int] = {}
    for _, _, paragraphs in real_policies():
        for paragraph in paragraphs:
            words = [w.lower() for w in WORD.findall(paragraph)]
            for a, b in zip(words, words[1:], strict=False):
                if len(a) >= 4 and len(b) >= 4:
                    counts[f"{a} {b}"] = counts.get(f"{a} {b}", 0) + 1
    return sorted(counts, key=counts.get, reverse=True)[:limit]


def make_queries(facts: dict, seed: int = 5) -> list[tuple[str, str]]:
    """(type, query in the app's syntax), PER_TYPE different queries per type, shuffled."""
    from reader.analysis.taxonomy import practice_ids

    rng = random.Random(seed)
    common = facts["common_words"]
    frequent = facts["frequent_words"]
    pick = lambda seq, n=PER_TYPE: rng.sample(seq, min(n, len(seq)))  # noqa: E731
    long_words = [w for w in common if len(w) >= 8 and "'" not in w]
    prefixes = sorted({w[:5] for w in long_words})
    rare = facts["rare_words"][:] + facts["names"][:]
    queries = {
        "single common word": pick(common),
        "rare word": pick(facts["rare_words"], PER_TYPE // 2) + pick(facts["names"],
                                                                     PER_TYPE // 2),
        "phrase": [f'"{p}"' for p in pick(frequent_phrases())],
        "AND of 3 words": [" ".join(pick(common, 3)) for _ in range(PER_TYPE)],
        "OR of 2 words": [f"{a} OR {b}" for a, b in
                          (pick(common, 1) + pick(rare, 1) for _ in range(PER_TYPE))],
        "prefix": [f"{p}*" for p in pick(prefixes)],
        "company: filter": [f"company:{s} {rng.choice(frequent)}" for s in pick(facts["stems"])],
        "year:2010..2015 range": [f"{rng.choice(frequent)} year:{y}..{y + 5}"
                                  for y in (rng.randint(2000, 2014) for _ in range(PER_TYPE))],
        "category: filter": [f"{rng.choice(frequent)} category:{rng.choice(practice_ids())}"
                             for _ in range(PER_TYPE)],
        # field terms alone: the app ranks them by how strongly each policy states them
        "category: only": [f"category:{c}" for c in pick(list(practice_ids()))],
    }
    mix = [(kind, q.replace("'", "")) for kind in TYPES for q in queries[kind]]
    rng.shuffle(mix)
    return mix


# ---- engines (each runs in its own process: ``--worker ENGINE build|query``) ---------------

def policy_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md"))


def app_index(engine: str, corpus: Path, data: Path):
    """The app's index of ``corpus``, opened as the app and the CLI open it: the corpus
    listing kept under the user data dir from the last run is reused while the folders
    are unchanged (the first run, the build, lists the folder and keeps its listing)."""
    os.environ["PRIVACY_READER_DATA"] = str(data / "userdata")
    from reader.paths import user_data_dir
    from reader.search.engine import open_index
    from reader.sources.corpus import Corpus

    listings = user_data_dir() / "listings"
    return open_index(Corpus.open(corpus, cache_dir=listings), APP_ENGINES[engine])


def app_build(engine: str, corpus: Path, data: Path) -> dict:
    policy_index = app_index(engine, corpus, data)
    policy_index.open()
    report = policy_index.rebuild()
    fields = {f["domain"]: [f["year"], f["category"]]
              for f in policy_index.metadata().values()}
    segments = (policy_index._searcher().num_segments if engine == "tantivy-app" else
                len(policy_index.ix.reader().leaf_readers()))
    policy_index.close()
    (data / "app-fields.json").write_text(json.dumps(fields))
    return {"indexed": report.indexed, "segments": segments}


def app_add(engine: str, corpus: Path, data: Path) -> dict:
    """Seconds to bring the index up to date after ADDED policies were added (copies of
    existing ones under new names, in ``corpus/zz-added``), then to remove them again."""
    import shutil

    added = corpus / "zz-added"
    shutil.rmtree(added, ignore_errors=True)
    added.mkdir()
    for number, path in enumerate(policy_files(corpus)[:ADDED]):
        shutil.copy(path, added / f"added-{number}.{path.name}")
    policy_index = app_index(engine, corpus, data)
    started = time.perf_counter()
    report = policy_index.update()
    seconds = time.perf_counter() - started
    policy_index.close()
    shutil.rmtree(added)
    policy_index = app_index(engine, corpus, data)
    policy_index.update()
    policy_index.close()
    return {"seconds": seconds, "added": report.added}


def other_documents(corpus: Path, data: Path):
    """(domain, year, company, categories, body) of every policy, with the app's year and
    categories so every engine filters on the same decisions."""
    fields = json.loads((data / "app-fields.json").read_text())
    for path in policy_files(corpus):
        domain = path.name[:-3]
        if domain not in fields:
            continue
        year, categories = fields[domain]
        company = domain.replace(".", " ").replace("-", " ")
        yield domain, year, company, categories.replace(",", " "), path.read_text("utf-8")


def fts_build(corpus: Path, data: Path) -> dict:
    db = sqlite3.connect(data / "fts5.sqlite")
    db.execute("DROP TABLE IF EXISTS policies")
    db.execute("CREATE VIRTUAL TABLE policies USING fts5(domain UNINDEXED, year UNINDEXED, "
               "company, category, body, tokenize=\"unicode61 tokenchars '_'\")")
    db.executemany("INSERT INTO policies VALUES (?, ?, ?, ?, ?)",
                   other_documents(corpus, data))
    db.execute("INSERT INTO policies(policies) VALUES('optimize')")
    db.commit()
    db.close()
    return {}


def fts_open(data: Path):
    db = sqlite3.connect(data / "fts5.sqlite")
    sql = ("SELECT domain, snippet(policies, 4, '<b>', '</b>', '…', 24) FROM policies "
           "WHERE policies MATCH ? {extra} ORDER BY rank LIMIT 20")

    def run(q: str) -> list[str]:
        extra = ""
        years = YEAR.search(q)
        if years:
            q = YEAR.sub("", q)
            extra = f"AND year BETWEEN {int(years[1])} AND {int(years[2])}"
        return [row[0] for row in db.execute(sql.format(extra=extra), (q,))]

    return run


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("domain", stored=True, tokenizer_name="raw")
    builder.add_text_field("company")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_text_field("category", tokenizer_name="raw")
    builder.add_text_field("body", stored=True)
    return builder.build()


def tantivy_build(corpus: Path, data: Path) -> dict:
    import shutil

    import tantivy

    folder = data / "tantivy"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    index = tantivy.Index(tantivy_schema(), path=str(folder))
    writer = index.writer(heap_size=200_000_000, num_threads=2)
    for domain, year, company, categories, body in other_documents(corpus, data):
        writer.add_document(tantivy.Document(domain=domain, company=company, year=year,
                                             category=categories.split(), body=body))
    writer.commit()
    writer.wait_merging_threads()
    return {}


def tantivy_open(data: Path):
    import tantivy

    schema = tantivy_schema()
    index = tantivy.Index(schema, path=str(data / "tantivy"))
    index.reload()
    searcher = index.searcher()

    def run(q: str) -> list[str]:
        years = YEAR.search(q)
        if years:
            q = YEAR.sub("", q) + f" AND year:[{years[1]} TO {years[2]}]"
        elif " " in q and " OR " not in q and not q.startswith('"'):
            q = " AND ".join(q.split())
        if q.endswith("*") and " " not in q:  # the query parser has no term prefix
            parsed = tantivy.Query.regex_query(schema, "body", re.escape(q[:-1]) + ".*")
        else:
            parsed = index.parse_query(q, ["company", "body"])
        found = searcher.search(parsed, 20).hits
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, schema, "body")
        domains = []
        for _, address in found:
            document = searcher.doc(address)
            snippets.snippet_from_doc(document).to_html()
            domains.append(document["domain"][0])
        return domains

    return run


def worker(engine: str, action: str, corpus: Path, data: Path, queries_file: Path) -> None:
    """Build one engine's index, or open it and run the query mix; prints JSON."""
    started = time.perf_counter()
    if action == "build":
        if engine in APP_ENGINES:
            result = app_build(engine, corpus, data)
        else:
            result = {"fts5": fts_build, "tantivy": tantivy_build}[engine](corpus, data)
        result["seconds"] = time.perf_counter() - started
        print(json.dumps(result))
        return
    if action == "add":
        print(json.dumps(app_add(engine, corpus, data)))
        return
    if engine in APP_ENGINES:
        policy_index = app_index(engine, corpus, data)
        policy_index.open()

        def run(q: str) -> list[str]:
            return [hit.domain for hit in policy_index.search(q, limit=20).hits]
    else:
        run = {"fts5": fts_open, "tantivy": tantivy_open}[engine](data)
    opened = time.perf_counter() - started
    results, times = [], []
    for _, q in json.loads(queries_file.read_text()):
        began = time.perf_counter()
        try:
            domains = run(q)
        except Exception as exc:  # noqa: BLE001 - a query one engine cannot parse is reported
            domains = [f"error: {exc}"]
        times.append(time.perf_counter() - began)
        results.append(domains)
    print(json.dumps({"open": opened, "times": times, "results": results}))


# ---- the parent: runs the workers, samples memory, prints the tables ----------------------

def run_worker(args, engine: str, action: str, queries_file: Path,
               command: list[str] | None = None, env: dict | None = None
               ) -> tuple[dict, float, float]:
    """(worker's JSON, wall seconds, peak MB of the worker's process tree)."""
    import psutil

    command = command or [sys.executable, __file__, "--worker", engine, action, "--policies",
                          str(args.policies), "--data", str(args.data)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=PROJECT,
                               env=env)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - started
    out = process.stdout.read()
    if command[1:3] == ["-m", "reader"]:
        if process.returncode != 0:
            raise SystemExit(f"{engine} CLI search failed ({process.returncode})")
        return json.loads(out), wall, peak / 2**20
    if process.returncode != 0:
        raise SystemExit(f"{engine} {action} failed ({process.returncode})")
    return json.loads(out.strip().splitlines()[-1]), wall, peak / 2**20


def overlap(a: list[str], b: list[str]) -> float | None:
    a, b = a[:10], b[:10]
    if not a and not b:
        return None
    return len(set(a) & set(b)) / max(len(a), len(b))


def folder_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policies", type=int, default=20000)
    parser.add_argument("--data", type=Path, default=PROJECT / "bench" / ".data")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "ACTION"))
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated subset of " + ", ".join(ENGINES))
    parser.add_argument("--keep-builds", action="store_true",
                        help="reuse the indexes (and build figures) of an earlier run")
    parser.add_argument("--write-docs", action="store_true",
                        help="replace the search section of docs/BENCHMARKS.md")
    args = parser.parse_args()
    engines = [e for e in ENGINES if e in args.engines.split(",")]
    data = args.data / f"real-{args.policies}"
    corpus = data / "corpus"
    queries_file = data / "queries.json"
    if args.worker:
        worker(*args.worker, corpus, data, queries_file)
        return
    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    recipe, facts = make_real_corpus(corpus, args.policies)
    print(f"corpus ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    mix = make_queries(facts)
    queries_file.write_text(json.dumps(mix))
    builds_file = data / "builds.json"
    builds = json.loads(builds_file.read_text()) if builds_file.exists() else {}
    for engine in engines:
        if args.keep_builds and engine in builds:
            continue
        result, wall, peak = run_worker(args, engine, "build", queries_file)
        builds[engine] = (result["seconds"], peak, result.get("segments"),
                          os.getloadavg()[0])
        builds_file.write_text(json.dumps(builds))
        print(f"{engine} built in {wall:.0f} s", file=sys.stderr)
    runs = {}
    for engine in engines:
        runs[engine] = run_worker(args, engine, "query", queries_file)
        print(f"{engine} queries in {runs[engine][1]:.0f} s", file=sys.stderr)
    cli, added = {}, {}
    cli_queries = [next(q for k, q in mix if k == kind)
                   for kind in ("single common word", "prefix", "rare word")]
    for engine in engines:
        if engine not in APP_ENGINES:
            continue
        env = {**os.environ, "PRIVACY_READER_DATA": str(data / "userdata"),
               "PRIVACY_READER_ENGINE": APP_ENGINES[engine]}
        walls = []
        for q in cli_queries:
            command = [sys.executable, "-m", "reader", "search", q, "--corpus", str(corpus),
                       "--json", "--limit", "20"]
            _, wall, peak = run_worker(args, engine, "cli", queries_file, command, env)
            walls.append((wall, peak))
        cli[engine] = walls
        result, _, peak = run_worker(args, engine, "add", queries_file)
        added[engine] = (result["seconds"], peak)
        print(f"{engine} CLI and add done", file=sys.stderr)
    sizes = {"whoosh": folder_mb(data / "userdata" / "indexes"), "fts5":
             folder_mb(data / "fts5.sqlite"), "tantivy": folder_mb(data / "tantivy")}
    indexes = data / "userdata" / "indexes"
    if indexes.exists():
        for folder in indexes.iterdir():
            engine = "tantivy-app" if folder.name.endswith("-tantivy") else "whoosh"
            sizes[engine] = folder_mb(folder)
    report = render(args, engines, recipe, facts, mix, folder_mb(corpus), builds, runs, cli,
                    added, sizes)
    print(report)
    (data / "report.md").write_text(report, "utf-8")
    if args.write_docs:
        # every size measured so far, smallest first (each its own run of this script)
        sizes = sorted(int(folder.name.split("-")[1]) for folder in args.data.glob("real-*")
                       if (folder / "report.md").exists())
        body = "\n\n".join(f"### {size:,} policies\n\n"
                            + (args.data / f"real-{size}" / "report.md").read_text("utf-8")
                            for size in sizes)
        write_doc_section(SECTION, "bench/bench_search.py --policies N", body)


def render(args, engines, recipe, facts, mix, text_mb, builds, runs, cli, added,
           sizes) -> str:
    """The benchmark's text: three tables and how to read them."""
    out = [f"Search benchmark: {args.policies:,} policies built from real ones "
           f"({text_mb:.0f} MB of text, {facts['distinct_words']:,} distinct words). Recipe: "
           f"{recipe}. Query mix: {len(mix)} different queries ({PER_TYPE} per type, words "
           f"drawn from the real vocabulary, rare words from those used at most 3 times), "
           f"shuffled, each run once in a fresh process per engine; the first query is the "
           f"cold one and is left out of p50 / p95. Top 20 with snippets (the app's engines "
           f"through the app's search interface, snippets from the policy files). "
           f"{os.cpu_count()} cores, shared with other work (load "
           f"{os.getloadavg()[0]:.0f} at the end).\n"]
    headers = ["query type", *[f"{ENGINE_NAMES[e]} p50 / p95 ms" for e in engines]]
    rows = []
    for kind in TYPES:
        row = [kind]
        for engine in engines:
            times = [t for (k, _), t in zip(mix[1:], runs[engine][0]["times"][1:], strict=True)
                     if k == kind]
            row.append(f"{percentile(times, 0.5) * 1000:.0f} / "
                       f"{percentile(times, 0.95) * 1000:.0f}")
        rows.append(row)
    whole = {e: runs[e][0]["times"][1:] for e in engines}
    rows.append(["**whole mix**", *[f"**{percentile(whole[e], 0.5) * 1000:.0f} / "
                                    f"{percentile(whole[e], 0.95) * 1000:.0f}**"
                                    for e in engines]])
    out += [table(headers, rows), ""]
    base_engine = engines[0]
    base = percentile(whole[base_engine], 0.95)
    na = "-"

    def cli_cell(engine: str, which: int) -> str:
        if engine not in cli:
            return na
        walls = sorted(w[which] for w in cli[engine])
        return f"{walls[len(walls) // 2]:.2f} s" if which == 0 else f"{walls[-1]:.0f} MB"

    facts_rows = [
        ["index open (fresh process; the app's: imports, kept listing, index)",
         *[f"{runs[e][0]['open']:.2f} s" for e in engines]],
        [f"first (cold) query `{mix[0][1]}`",
         *[f"{runs[e][0]['times'][0] * 1000:.0f} ms" for e in engines]],
        [f"p95 of the mix vs {ENGINE_NAMES[base_engine]}",
         *[f"{percentile(whole[e], 0.95) / base:.2f}x" for e in engines]],
        ["one CLI search, fresh process (median of 3)", *[cli_cell(e, 0) for e in engines]],
        ["CLI search process: peak memory", *[cli_cell(e, 1) for e in engines]],
        ["whole query process: wall time", *[f"{runs[e][1]:.1f} s" for e in engines]],
        ["query process tree: peak memory", *[f"{runs[e][2]:.0f} MB" for e in engines]],
        ["build (one run, from nothing)",
         *[f"{builds[e][0]:.0f} s" + (f" (load {builds[e][3]:.0f})" if len(builds[e]) > 3 else "")
           for e in engines]],
        ["build process tree: peak memory", *[f"{builds[e][1]:.0f} MB" for e in engines]],
        ["segments after the build", *[str(builds[e][2] or na) for e in engines]],
        [f"add {ADDED:,} policies (update)",
         *[f"{added[e][0]:.0f} s" if e in added else na for e in engines]],
        ["index size on disk", *[f"{sizes.get(e, 0):.0f} MB" for e in engines]],
    ]
    out += [table(["measure", *[ENGINE_NAMES[e] for e in engines]], facts_rows), ""]
    out.append(f"Top-10 overlap with {ENGINE_NAMES[base_engine]}'s top 10 (shared domains / "
               "larger top 10, mean over the type's queries; rankings differ by engine, so "
               "< 100% on common words is expected, but a low figure on rare words or "
               "filters means dropped results). Hits: mean number returned of the 20 "
               "asked.\n")
    rows = []
    for kind in TYPES:
        row = [kind]
        indices = [i for i, (k, _) in enumerate(mix) if k == kind]
        for engine in engines:
            results = runs[engine][0]["results"]
            hits = sum(len(results[i]) for i in indices) / len(indices)
            errors = sum(1 for i in indices if results[i][:1] and
                         results[i][0].startswith("error:"))
            if engine == base_engine:
                row.append(f"hits {hits:.1f}" + (f", {errors} errors" if errors else ""))
                continue
            shares = [overlap(runs[base_engine][0]["results"][i], results[i])
                      for i in indices]
            shares = [s for s in shares if s is not None]
            mean = sum(shares) / len(shares) if shares else 1.0
            row.append(f"{mean:.0%} (hits {hits:.1f}" + (f", {errors} errors)" if errors
                                                         else ")"))
        rows.append(row)
    out.append(table(["query type", *[ENGINE_NAMES[e] for e in engines]], rows))
    return "\n".join(out)


if __name__ == "__main__":
    main()
