"""Evaluate the facts model with 5-fold cross-validation split BY POLICY on OPP-115.

    python scripts/evaluate_facts.py [--opp115 ../shared/opp115] [--write docs/EVALUATION.md]

Per fact: policy-level precision/recall/F1 (does the policy state it? gold: >= 2 of the 3
annotators gave the value somewhere in the policy) and evidence precision (the top evidence
sentence is one an annotator marked for that value). ``--write`` replaces the section
"Privacy facts" of the file (appends it when absent). Needs the ``train`` extra.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from reader.analysis.fact_training import (
    evaluate,
    facts_config,
    load_sentences,
    markdown_section,
    out_of_fold,
    replace_section,
)

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--write", type=Path, help="write the section into this markdown file")
    parser.add_argument("--limit", type=int, help="first N policies only (for tests)")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    data = load_sentences(args.opp115, args.limit)
    probs = out_of_fold(data, facts_config(), args.folds)
    scores = evaluate(data, probs, args.folds)
    section = markdown_section(scores, time.perf_counter() - started, len(data.texts),
                               len(data.policy_gold), args.folds)
    print(section)
    if args.write:
        old = args.write.read_text("utf-8") if args.write.exists() else ""
        args.write.write_text(replace_section(old, section), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
