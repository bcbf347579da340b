"""Search speed on a corpus built from real policies: this app against SQLite FTS5 and tantivy.

    python bench/bench_search.py [--policies 20000] [--data DIR]

The corpus is made of real policies (``../shared/corpus``; the recipe is printed). Every
engine indexes the same policies with the same fields (company, year, category as the app
decided them, body) and runs the same query mix: many different words per query type, each
query once, in one fresh process per engine, so the first (cold) query and the index open
are reported apart from the p50 / p95 of the rest. Memory is the peak resident memory of the
whole process tree (psutil, sampled every 50 ms). The top 10 of each engine is compared with
the app's so speed never comes from dropped results.
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

from common import PROJECT, WORD, make_real_corpus, percentile, real_policies, table  # noqa: E402

ENGINES = ("app", "fts5", "tantivy")
ENGINE_NAMES = {"app": "this app (Whoosh)", "fts5": "SQLite FTS5", "tantivy": "tantivy"}
TYPES = ("single common word", "rare word", "phrase", "AND of 3 words", "OR of 2 words",
         "prefix", "company: filter", "year:2010..2015 range", "category: filter")
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
    }
    mix = [(kind, q.replace("'", "")) for kind in TYPES for q in queries[kind]]
    rng.shuffle(mix)
    return mix


# ---- engines (each runs in its own process: ``--worker ENGINE build|query``) ---------------

def policy_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md"))


def app_index(corpus: Path, data: Path):
    os.environ["PRIVACY_READER_DATA"] = str(data / "userdata")
    from reader.search.index import PolicyIndex
    from reader.sources.corpus import Corpus

    return PolicyIndex(Corpus.open(corpus))


def app_build(corpus: Path, data: Path) -> dict:
    policy_index = app_index(corpus, data)
    policy_index.open()
    report = policy_index.update()
    with policy_index.ix.searcher() as searcher:
        fields = {f["domain"]: [f["year"], f["category"]] for f in searcher.all_stored_fields()}
    policy_index.close()
    (data / "app-fields.json").write_text(json.dumps(fields))
    return {"indexed": report.indexed}


def other_documents(corpus: Path, data: Path):
    """(domain, year, company, categories, body) of every policy, with the app's year and
    categories so every engine filters on the same decisions."""
    fields = json.loads((data / "app-fields.json").read_text())
    for path in policy_files(corpus):
        domain = path.name[:-3]
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
        result = {"app": app_build, "fts5": fts_build, "tantivy": tantivy_build}[engine](
            corpus, data)
        result["seconds"] = time.perf_counter() - started
        print(json.dumps(result))
        return
    if engine == "app":
        policy_index = app_index(corpus, data)
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

def run_worker(args, engine: str, action: str, queries_file: Path) -> tuple[dict, float, float]:
    """(worker's JSON, wall seconds, peak MB of the worker's process tree)."""
    import psutil

    command = [sys.executable, __file__, "--worker", engine, action, "--policies",
               str(args.policies), "--data", str(args.data)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=PROJECT)
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
    args = parser.parse_args()
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
    builds = {}
    for engine in ENGINES:
        result, wall, peak = run_worker(args, engine, "build", queries_file)
        builds[engine] = (result["seconds"], peak)
        print(f"{engine} built in {wall:.0f} s", file=sys.stderr)
    runs = {}
    for engine in ENGINES:
        result, wall, peak = run_worker(args, engine, "query", queries_file)
        runs[engine] = (result, wall, peak)
    sizes = {"app": folder_mb(data / "userdata"), "fts5": folder_mb(data / "fts5.sqlite"),
             "tantivy": folder_mb(data / "tantivy")}

    text_mb = folder_mb(corpus)
    print(f"Search benchmark: {args.policies:,} policies built from real ones "
          f"({text_mb:.0f} MB of text, {facts['distinct_words']:,} distinct words). Recipe: "
          f"{recipe}. Query mix: {len(mix)} different queries ({PER_TYPE} per type, words "
          f"drawn from the real vocabulary, rare words from those used at most 3 times), "
          f"shuffled, each run once in a fresh process per engine; the first query is the "
          f"cold one and is left out of p50 / p95. Top 20 with snippets. "
          f"{os.cpu_count()} cores, shared with other work.\n")
    headers = ["query type", *[f"{ENGINE_NAMES[e]} p50 / p95 ms" for e in ENGINES]]
    rows = []
    for kind in TYPES:
        row = [kind]
        for engine in ENGINES:
            times = [t for (k, _), t in zip(mix[1:], runs[engine][0]["times"][1:], strict=True)
                     if k == kind]
            row.append(f"{percentile(times, 0.5) * 1000:.0f} / "
                       f"{percentile(times, 0.95) * 1000:.0f}")
        rows.append(row)
    whole = {e: runs[e][0]["times"][1:] for e in ENGINES}
    rows.append(["**whole mix**", *[f"**{percentile(whole[e], 0.5) * 1000:.0f} / "
                                    f"{percentile(whole[e], 0.95) * 1000:.0f}**"
                                    for e in ENGINES]])
    print(table(headers, rows))
    print()
    base = percentile(whole["app"], 0.95)
    facts_rows = [
        ["index open (fresh process)", *[f"{runs[e][0]['open']:.2f} s" for e in ENGINES]],
        [f"first (cold) query `{mix[0][1]}`",
         *[f"{runs[e][0]['times'][0] * 1000:.0f} ms" for e in ENGINES]],
        ["p95 of the mix vs this app",
         *[f"{percentile(whole[e], 0.95) / base:.2f}x" for e in ENGINES]],
        ["whole query process: wall time", *[f"{runs[e][1]:.1f} s" for e in ENGINES]],
        ["query process tree: peak memory", *[f"{runs[e][2]:.0f} MB" for e in ENGINES]],
        ["build (one run)", *[f"{builds[e][0]:.0f} s" for e in ENGINES]],
        ["build process tree: peak memory", *[f"{builds[e][1]:.0f} MB" for e in ENGINES]],
        ["index size on disk", *[f"{sizes[e]:.0f} MB" for e in ENGINES]],
    ]
    print(table(["measure", *[ENGINE_NAMES[e] for e in ENGINES]], facts_rows))
    print()
    print("Top-10 overlap with this app's top 10 (shared domains / larger top 10, mean over "
          "the type's queries; rankings differ by engine, so < 100% on common words is "
          "expected, but a low figure on rare words or filters means dropped results). "
          "Hits: mean number returned of the 20 asked.\n")
    rows = []
    for kind in TYPES:
        row = [kind]
        indices = [i for i, (k, _) in enumerate(mix) if k == kind]
        for engine in ENGINES:
            results = runs[engine][0]["results"]
            hits = sum(len(results[i]) for i in indices) / len(indices)
            errors = sum(1 for i in indices if results[i][:1] and
                         results[i][0].startswith("error:"))
            if engine == "app":
                row.append(f"hits {hits:.1f}" + (f", {errors} errors" if errors else ""))
                continue
            shares = [overlap(runs["app"][0]["results"][i], results[i]) for i in indices]
            shares = [s for s in shares if s is not None]
            mean = sum(shares) / len(shares) if shares else 1.0
            row.append(f"{mean:.0%} (hits {hits:.1f}" + (f", {errors} errors)" if errors
                                                         else ")"))
        rows.append(row)
    print(table(["query type", *[ENGINE_NAMES[e] for e in ENGINES]], rows))


if __name__ == "__main__":
    main()
