"""Start-up of the PyInstaller app bundle against ``python -m reader`` from the source tree.

    python bench/bench_bundle.py [--bundle DIR] [--runs 7] [--write-docs]

Times, from launching the process: ``--version``; ``list`` (the five seed policies); and
the desktop app until its window shows a policy (``--quit-when-ready``, offscreen). Medians
of several runs after one warm-up run each (so the disk cache is warm for both, and the seed
index exists). Builds the bundle first if ``--bundle`` does not exist. ``--write-docs``
replaces this script's section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from common import PROJECT, table, write_doc_section  # noqa: E402

sys.path.insert(0, str(PROJECT / "packaging"))
import build_bundle  # noqa: E402

SECTION = "## App bundle start-up"


def timed(command: list[str], env: dict, ready_line: bool = False) -> tuple[float, float]:
    """(wall seconds from launch to exit, or to the ``window ready at T`` line the app
    prints; CPU seconds of the whole process, user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=env["HOME"])
    ended = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    if ready_line:
        line = next(x for x in result.stdout.splitlines() if x.startswith("window ready at "))
        return float(line.split()[3].rstrip(":")) - started, cpu
    return ended - started, cpu


def median_of(command: list[str], env: dict, runs: int,
              ready_line: bool = False) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` runs, after one warm-up run."""
    timed(command, env, ready_line)
    results = [timed(command, env, ready_line) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path,
                        default=PROJECT / "dist" / build_bundle.bundle_name())
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if not (args.bundle / "privacy-reader").is_file():
        print(f"building {args.bundle}", file=sys.stderr, flush=True)
        build_bundle.main(["--dist", str(args.bundle.parent), "--no-archive"])
    frozen = [str(args.bundle / "privacy-reader")]
    source = [sys.executable, "-m", "reader"]
    with tempfile.TemporaryDirectory() as home:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("PRIVACY_READER")}
        env.update(HOME=home, QT_QPA_PLATFORM="offscreen", PRIVACY_READER_DATA=home,
                   PYTHONPATH=str(PROJECT))
        rows = []
        for label, arguments, ready in (("`--version`", ["--version"], False),
                                        ("`list` (5 seed policies)", ["list"], False),
                                        ("window shows a policy", ["--quit-when-ready"], True)):
            from_source, source_cpu = median_of(source + arguments, env, args.runs, ready)
            bundled, bundle_cpu = median_of(frozen + arguments, env, args.runs, ready)
            rows.append([label, f"{from_source * 1000:.0f} ms", f"{bundled * 1000:.0f} ms",
                         f"{bundled / from_source:.2f}x", f"{source_cpu * 1000:.0f} ms",
                         f"{bundle_cpu * 1000:.0f} ms", f"{bundle_cpu / source_cpu:.2f}x"])
    size = build_bundle.folder_size(args.bundle) / 1e6
    lines = [
        f"Start-up from launching the process, median of {args.runs} runs after a warm-up run "
        f"(warm disk cache), Qt offscreen, {os.cpu_count()} cores, {platform.system()}. "
        f"Bundle: `{args.bundle.name}` ({size:.0f} MB, one folder, PyInstaller); source: "
        f"`python -m reader` in the development venv.",
        "",
        table(["start-up until", "python -m reader", "bundle", "bundle / source",
               "CPU, source", "CPU, bundle", "CPU ratio"], rows),
        "",
        "Wall time: from launch to exit (to the first window showing a policy for the app); "
        "CPU: user + system time of the whole process (the app's row runs until its index is "
        "checked and it quits), less sensitive to other load on the machine "
        f"(load average {os.getloadavg()[0]:.1f} at the end of this run).",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_doc_section(SECTION, "bench/bench_bundle.py", text)



if __name__ == "__main__":
    main()
