"""Run every benchmark and write their tables to docs/BENCHMARKS.md.

    python bench/run_all.py [--policies 20000] [--only "PDF export" "Desktop app"]

Each script prints a markdown table; this collects them with the machine they ran on.
With ``--only``, just those sections are run again; the others stay as they are in the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SCRIPTS = [
    ("Practice classifier", ["bench/bench_classifier.py"]),
    ("Search", ["bench/bench_search.py", "--policies", "{policies}"]),
    ("Analysis cost per policy", ["bench/bench_analysis_cost.py"]),
    ("Desktop app", ["bench/bench_gui.py", "--policies", "{policies}"]),
    ("PDF export", ["bench/bench_export.py"]),
    ("Opening a corpus", ["bench/bench_corpus.py", "--policies", "{policies}"]),
    ("Policy history", ["bench/bench_history.py"]),
    ("App bundle start-up", ["bench/bench_bundle.py"]),
    ("Rendering big and messy policies", ["bench/bench_render.py"]),
    ("Responsiveness with big policies", ["bench/bench_responsiveness.py"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policies", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--only", nargs="+", metavar="SECTION",
                        help="run only these sections (titles as in the file); keep the rest")
    args = parser.parse_args()
    known = [title for title, _ in SCRIPTS]
    unknown = set(args.only or []) - set(known)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {known}")
    kept = previous_sections(args.out) if args.only else {}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    sections = [
        "# Benchmarks",
        "",
        f"Written by `python bench/run_all.py` on {dt.date.today().isoformat()}: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}. Each section is the output of one "
        "script in `bench/`; every ratio is against a baseline measured in the same run. "
        "Large corpora are synthetic (paragraphs of real policies sampled into new policies), "
        "as each section says."
        + (f" Load average when this run started: {load:.1f} (the machine was shared; "
           "wall times are slower than on an idle one)." if load and load > 1.5 else "")
        + (f" This run re-measured: {', '.join(args.only)}; the other sections are from "
           "earlier runs." if args.only else ""),
        "",
    ]
    for title, command in SCRIPTS:
        if args.only and title not in args.only:
            if title in kept:
                sections += [kept[title], ""]
            continue
        argv = [sys.executable] + [part.format(policies=args.policies) for part in command]
        print(f"running {' '.join(argv[1:])}", file=sys.stderr, flush=True)
        result = subprocess.run(argv, cwd=PROJECT, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return result.returncode
        shown = " ".join(argv[1:])
        sections += [f"## {title}", "", f"`python {shown}`", "", result.stdout.strip(), ""]
    if args.only:  # sections not made by a script here (added by hand) stay too
        known_titles = {title for title, _ in SCRIPTS}
        sections += [text + "\n" for title, text in kept.items() if title not in known_titles]
    args.out.write_text("\n".join(sections) + "\n", "utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def previous_sections(path: Path) -> dict[str, str]:
    """The ``## Title`` sections of an earlier BENCHMARKS.md, by title (text trimmed)."""
    if not path.is_file():
        return {}
    found: dict[str, str] = {}
    for chunk in path.read_text("utf-8").split("\n## ")[1:]:
        title = chunk.split("\n", 1)[0].strip()
        found[title] = ("## " + chunk).strip()
    return found


if __name__ == "__main__":
    raise SystemExit(main())
