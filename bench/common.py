"""Shared helpers for the benchmarks: timing, tables, synthetic corpora."""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _find_shared() -> Path:
    """``../shared`` beside the repository (or beside an ancestor, for a git worktree)."""
    for folder in PROJECT.parents:
        if (folder / "shared").is_dir():
            return folder / "shared"
    return PROJECT.parent / "shared"


SHARED = _find_shared()
HEADER = ("> *The following text is extracted and transformed from the {domain} privacy policy "
          "that was archived on {date}. Please check the [original snapshot on the Wayback "
          "Machine](https://web.archive.org/web/{stamp}/https://{domain}/privacy) for the most "
          "accurate reproduction.*\n\n# {title}\n\n")


def add_corpus_arguments(parser, runs: int) -> None:
    """--policies, --runs and --data, shared by the benchmarks on the large corpus."""
    parser.add_argument("--policies", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--data", type=Path, default=PROJECT / "bench" / ".data")


def corpus_paths(args) -> tuple[Path, Path]:
    """(data folder, corpus folder) of the synthetic corpus for ``args.policies``."""
    data = args.data / f"search-{args.policies}"
    data.mkdir(parents=True, exist_ok=True)
    return data, data / "corpus"


def median_time(function: Callable[[], object], runs: int = 5) -> float:
    """Median wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table (also readable in a terminal)."""
    text = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in text]
    return "\n".join([line, rule, *body])


def source_paragraphs() -> tuple[list[str], str]:
    """Real policy paragraphs to sample from, and a sentence saying where they come from."""
    corpus = SHARED / "corpus"
    paragraphs: list[str] = []
    if corpus.is_dir():
        for path in sorted(corpus.rglob("*.md"))[:3000]:
            text = path.read_text("utf-8", errors="replace")
            paragraphs += [p.strip() for p in text.split("\n\n")
                           if len(p.split()) >= 8 and not p.startswith(">")]
        if paragraphs:
            return paragraphs, (f"paragraphs of the {count_policies(corpus)} real archived "
                                f"policies in {corpus}, resampled into new policies under "
                                "new names")
    opp = SHARED / "opp115"
    for path in sorted(opp.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            text = json.loads(line)["text"]
            paragraphs += [p.strip() for p in text.split("\n") if len(p.split()) >= 8]
    return paragraphs, (f"paragraphs sampled from {opp} (OPP-115 segments; ../shared/corpus "
                        "is not present on this machine)")


def count_policies(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.md")) - (folder / "README.md").is_file()


def longest_real_policy() -> Path | None:
    """The longest policy of ``../shared/corpus`` (skype.com, 159,423 characters), or None
    when the folder is not on this machine."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        return None
    files = [p for p in corpus.rglob("*.md") if p.name != "README.md"]
    return max(files, key=lambda p: p.stat().st_size) if files else None


def synthetic_policy(rng: random.Random, paragraphs: list[str], words: int, number: int
                     ) -> tuple[str, str]:
    """(domain, markdown) of a synthetic policy of about ``words`` words."""
    domain = f"site{number:06d}.example"
    year = 2000 + number % 20
    date = f"{year}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    body, count = [], 0
    while count < words:
        if rng.random() < 0.12:
            body.append("## " + " ".join(rng.choice(paragraphs).split()[:4]))
        paragraph = rng.choice(paragraphs)
        body.append(paragraph)
        count += len(paragraph.split())
    header = HEADER.format(domain=domain, date=date, stamp=date.replace("-", "") + "000000",
                           title=f"Privacy Policy of {domain}")
    return domain, header + "\n\n".join(body) + "\n"


def make_corpus(folder: Path, count: int, mean_words: int = 2500, seed: int = 7) -> str:
    """Write ``count`` synthetic policies in the nested layout (kept between runs)."""
    paragraphs, origin = source_paragraphs()
    marker = folder / f".complete-{count}-{mean_words}-{seed}"
    if marker.exists():
        return origin
    rng = random.Random(seed)
    for number in range(count):
        words = max(200, int(rng.lognormvariate(0, 0.5) * mean_words))
        domain, text = synthetic_policy(rng, paragraphs, words, number)
        nested = folder / domain[0] / domain[:2] / domain[:3]
        nested.mkdir(parents=True, exist_ok=True)
        (nested / f"{domain}.md").write_text(text, "utf-8")
    marker.write_text("done")
    return origin


WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def real_policies() -> list[tuple[str, str, list[str]]]:
    """(domain, archive date, paragraphs) of each policy in ``../shared/corpus``."""
    policies = []
    for path in sorted((SHARED / "corpus").rglob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text("utf-8", errors="replace")
        date = text.split("archived on ", 1)[1][:10] if "archived on " in text else "2010-01-01"
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip() and not p.startswith(">")]
        if paragraphs:
            policies.append((path.name[:-3], date, paragraphs))
    return policies


REAL_CORPUS_RECIPE = (
    "policy i is real policy (i mod {real}) of {source}: its own paragraphs with 30% of them "
    "swapped for paragraphs of other real policies and the order partly shuffled, 1 word in "
    "200 replaced by a real word that occurs in at most 2 of the real policies, and 2-6 "
    "partner names coined from two real words (e.g. 'cookiebridge') inserted, so the "
    "vocabulary grows with the corpus; domain '<real stem>-<i>.<real tld>', date: a random "
    "day 2000-2019")


def make_real_corpus(folder: Path, count: int, seed: int = 11) -> tuple[str, dict]:
    """Write ``count`` policies built from real ones (see REAL_CORPUS_RECIPE) in the nested
    layout; kept between runs. Returns (recipe, facts) where facts lists the rare words
    and coined names used, the company stems and the distinct word count."""
    facts_file = folder / f".facts-{count}-{seed}.json"
    if facts_file.exists():
        facts = json.loads(facts_file.read_text())
        return facts["recipe"], facts
    policies = real_policies()
    if not policies:
        raise SystemExit(f"{SHARED / 'corpus'} is missing: this benchmark needs real policies")
    document_frequency: dict[str, int] = {}
    for _, _, paragraphs in policies:
        for word in {w.lower() for p in paragraphs for w in WORD.findall(p)}:
            document_frequency[word] = document_frequency.get(word, 0) + 1
    rare = sorted(w for w, n in document_frequency.items() if n <= 2 and len(w) >= 6)
    common = sorted(w for w, n in document_frequency.items() if n >= 20 and len(w) >= 4)
    rng = random.Random(seed)
    every = [p for _, _, paragraphs in policies for p in paragraphs]
    used_rare: dict[str, int] = {}
    used_names: dict[str, int] = {}
    vocabulary: set[str] = set()
    for number in range(count):
        real_domain, _, paragraphs = policies[number % len(policies)]
        stem, _, tld = real_domain.partition(".")
        domain = f"{stem}-{number}.{tld or 'com'}"
        body = [p if rng.random() > 0.3 else rng.choice(every) for p in paragraphs]
        for _ in range(len(body) // 4):
            i, j = rng.randrange(len(body)), rng.randrange(len(body))
            body[i], body[j] = body[j], body[i]
        names = [rng.choice(common) + rng.choice(common) for _ in range(rng.randint(2, 6))]
        for name in names:
            used_names[name] = used_names.get(name, 0) + 1
            body.insert(rng.randrange(len(body) + 1),
                        f"We share data with our partner {name.capitalize()} for analytics.")
        text = "\n\n".join(body)
        words = text.split(" ")
        for k in range(rng.randrange(200), len(words), 200):
            word = rng.choice(rare)
            used_rare[word] = used_rare.get(word, 0) + 1
            words[k] = word
        text = " ".join(words)
        vocabulary.update(w.lower() for w in WORD.findall(text))
        year = rng.randint(2000, 2019)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        header = HEADER.format(domain=domain, date=date, stamp=date.replace("-", "") + "000000",
                               title=f"Privacy Policy of {domain}")
        nested = folder / domain[0] / domain[:2] / domain[:3]
        nested.mkdir(parents=True, exist_ok=True)
        (nested / f"{domain}.md").write_text(header + text + "\n", "utf-8")
    recipe = REAL_CORPUS_RECIPE.format(real=len(policies), source=SHARED / "corpus")
    facts = {"recipe": recipe, "distinct_words": len(vocabulary),
             "rare_words": sorted(w for w, n in used_rare.items() if n <= 3)[:2000],
             "names": sorted(w for w, n in used_names.items() if n == 1)[:2000],
             "common_words": common,
             "frequent_words": sorted(w for w, n in document_frequency.items()
                                      if n >= len(policies) // 2 and len(w) >= 4),
             "stems": sorted({d.partition(".")[0] for d, _, _ in policies
                              if re.fullmatch(r"[a-z]{4,}", d.partition(".")[0])})}
    facts_file.write_text(json.dumps(facts))
    return recipe, facts


def write_doc_section(title: str, script: str, body: str,
                      path: Path = PROJECT / "docs" / "BENCHMARKS.md") -> None:
    """Replace (or append) the section ``title`` of docs/BENCHMARKS.md with ``body``,
    headed by the command that made it (``script``); other sections stay as they are."""
    section = f"{title}\n\n`python {script}`\n\n{body}\n"
    text = path.read_text("utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(title + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(title))
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    path.write_text(text, "utf-8")
    print(f"wrote {path}", file=sys.stderr)
