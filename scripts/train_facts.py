"""Train the facts model on OPP-115 and write resources/facts_model.npz.

    python scripts/train_facts.py [--opp115 ../shared/opp115] [--out resources/facts_model.npz]

Fits the sentence classifier on all policies, sets per-fact thresholds from 5-fold
out-of-fold predictions (split by policy) and records in the model which facts are shown
(policy-level F1 >= 0.75 in cross-validation, see scripts/evaluate_facts.py). Needs the
``train`` extra (scikit-learn). Deterministic.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from reader.analysis.classifier import save_model
from reader.analysis.fact_training import (
    evaluate,
    facts_config,
    fit_facts,
    load_sentences,
    markdown_section,
    out_of_fold,
    policy_thresholds,
    policy_view,
    replace_section,
)
from reader.analysis.facts import FACTS_MODEL_FILE, MIN_SHOWN_F1
from reader.paths import resources_dir

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--out", type=Path, default=resources_dir() / FACTS_MODEL_FILE)
    parser.add_argument("--limit", type=int, help="first N policies only (for tests)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write-evaluation", type=Path,
                        help="also write the cross-validation table into this markdown file")
    args = parser.parse_args()
    started = time.perf_counter()
    data = load_sentences(args.opp115, args.limit)
    config = facts_config()
    probs = out_of_fold(data, config, args.folds)
    view = policy_view(data, probs)
    scores = evaluate(data, probs, args.folds)
    model = fit_facts(data.texts, data.labels, config)
    model.thresholds = policy_thresholds(view.maxima, view.truth)
    shown = [fact for fact, row in scores.items() if row["shown"]]
    model.info = {
        "trained_on": f"OPP-115, {len(view.names)} policies (../shared/opp115); sentence "
                      "gold: an annotator's marked text overlaps; policy gold: >= 2 annotators",
        "sentences": len(data.texts), "config": config.__dict__,
        "shown": shown, "min_shown_f1": MIN_SHOWN_F1,
        "policy_f1": {fact: round(row["f1"], 3) for fact, row in scores.items()},
    }
    save_model(args.out, model)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB, {len(model.vocabulary)} terms) "
          f"in {time.perf_counter() - started:.0f} s")
    print("shown:", ", ".join(shown))
    section = markdown_section(scores, time.perf_counter() - started, len(data.texts),
                               len(view.names), args.folds)
    print(section)
    if args.write_evaluation:
        path = args.write_evaluation
        old = path.read_text("utf-8") if path.exists() else ""
        path.write_text(replace_section(old, section), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
