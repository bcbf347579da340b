"""Evaluate what the app shows, by 5-fold cross-validation split BY POLICY on OPP-115.

    python scripts/evaluate_classifier.py [--opp115 ../shared/opp115] [--write docs/EVALUATION.md]

Each fold trains the paragraph and sentence models on the other policies (thresholds tuned
on the other folds' out-of-fold predictions) and sends every held-out segment through
``reader.analysis.practices.analyze_text``, the function behind ``classify --jsonl``:
(a) its ``categories`` against the segment's majority label; (b) its ``spans`` against the
sentence gold (a sentence of >= 3 words carries c when >= 2 annotators marked c in text
overlapping it; predicted when spans of c cover at least half of the sentence). Needs the
``train`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from reader.analysis.fact_training import facts_section_of
from reader.analysis.training import (
    PARAGRAPH_CONFIG,
    PRACTICES,
    SENTENCE_CONFIG,
    evaluate_product,
    load_segments,
    scores_table,
)

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"
TARGETS = {"segment micro-F1": 0.82, "segment macro-F1": 0.78, "sentence micro-F1": 0.78,
           "sentence precision": 0.75}


def _table(scores: dict, reference: dict | None = None) -> list[str]:
    lines = ["| category | precision | recall | F1 | support |" +
             (" reference F1 |" if reference else ""),
             "|---|---:|---:|---:|---:|" + ("---:|" if reference else "")]
    for label in PRACTICES:
        row = scores["per_label"][label]
        extra = f" {reference['per_label'][label]['f1']:.3f} |" if reference else ""
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{row['f1']:.3f} | {row['support']} |{extra}")
    micro_ref = (f" {reference['micro_f1']:.3f} (P {reference['micro_precision']:.3f}) |"
                 if reference else "")
    macro_ref = f" {reference['macro_f1']:.3f} |" if reference else ""
    lines += [
        f"| **micro** (9 categories) | {scores['micro_precision']:.3f} | "
        f"{scores['micro_recall']:.3f} | **{scores['micro_f1']:.3f}** | |{micro_ref}",
        f"| **macro** (9 categories) | | | **{scores['macro_f1']:.3f}** | |{macro_ref}",
    ]
    return lines


def report(segment: dict, sentence: dict, reference: dict, seconds: float, segments: int,
           sentences: int, policies: int, confident: dict | None = None) -> str:
    reached = {"segment micro-F1": segment["micro_f1"], "segment macro-F1": segment["macro_f1"],
               "sentence micro-F1": sentence["micro_f1"],
               "sentence precision": sentence["micro_precision"]}
    met = ", ".join(f"{name} {reached[name]:.3f} >= {target} "
                    f"{'yes' if reached[name] >= target else 'NO'}"
                    for name, target in TARGETS.items())
    return "\n".join([
        "# Highlights: evaluation of what the app shows",
        "",
        f"Measured {dt.date.today().isoformat()} by `python scripts/evaluate_classifier.py` "
        f"({seconds:.0f} s).",
        "",
        f"Data: OPP-115 development split in `../shared/opp115` ({policies} policies, "
        f"{segments} segments, {sentences} sentences of at least 3 words). 5-fold "
        "cross-validation split **by policy**: each fold trains both models on the other "
        "policies, tunes the thresholds on the other folds' out-of-fold predictions (see "
        "the protocol caveat below), then sends each held-out segment through "
        "`analyze_text`, the function behind `classify --jsonl`, and scores exactly what it "
        "returns.",
        "",
        "## (a) Segments: the `categories` returned",
        "",
        "Gold: at least 2 of 3 annotators gave the segment the category.",
        "",
        *_table(segment),
        "",
        "## (b) Sentences: the `spans` returned",
        "",
        "Gold: a sentence of at least 3 words carries c when at least 2 annotators marked c "
        "in text overlapping it. Predicted: spans of c cover at least half of the sentence. "
        "Reference: highlight every sentence of each segment whose gold label is c (what "
        "whole-paragraph highlighting would give with perfect paragraph labels).",
        "",
        *_table(sentence, reference),
        "",
        f"Targets: {met}.",
        "",
        *([] if confident is None else [
            "## (c) Sentences in the panel's \"Highlight confident passages only\" mode",
            "",
            "The same gold; predicted: the *confident* spans of c (the passages that mode "
            "highlights; the unsure ones, given only so that each category found has a "
            "passage, are left out). Reference column: (b)'s all-passages mode.",
            "",
            *_table(confident, sentence),
            "",
            f"Sentence precision {confident['micro_precision']:.3f} >= "
            f"{TARGETS['sentence precision']} "
            f"{'yes' if confident['micro_precision'] >= TARGETS['sentence precision'] else 'NO'}"
            f"; micro-F1 {confident['micro_f1']:.3f} >= {TARGETS['sentence micro-F1']} "
            f"{'yes' if confident['micro_f1'] >= TARGETS['sentence micro-F1'] else 'NO'}.",
            "",
        ]),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--write", type=Path, help="write the report to this markdown file")
    args = parser.parse_args()
    started = time.perf_counter()
    segments = load_segments(args.opp115)
    result = evaluate_product(segments, PARAGRAPH_CONFIG, SENTENCE_CONFIG,
                              progress=lambda text: print(text, file=sys.stderr, flush=True))
    text = report(scores_table(result.segment_truth, result.segment_predicted),
                  scores_table(result.sentence_truth, result.sentence_predicted),
                  scores_table(result.sentence_truth, result.sentence_reference),
                  time.perf_counter() - started, len(segments), len(result.sentence_truth),
                  len({s.policy for s in segments}),
                  scores_table(result.sentence_truth, result.sentence_confident))
    print(text)
    if args.write:
        old = args.write.read_text("utf-8") if args.write.exists() else ""
        args.write.write_text(with_report(old, text), "utf-8")
    return 0


def with_report(document: str, report_text: str) -> str:
    """``document`` with this report in place of everything before NOTES_MARKER; the notes
    after the marker (written by hand) and the privacy facts section that
    scripts/evaluate_facts.py writes are kept."""
    if NOTES_MARKER in document:
        return report_text + "\n" + document[document.index(NOTES_MARKER):]
    facts = facts_section_of(document)
    return report_text + "\n" + NOTES_MARKER + "\n" + ("\n" + facts if facts else "")


NOTES_MARKER = "<!-- notes: kept when the tables above are measured again -->"

if __name__ == "__main__":
    raise SystemExit(main())
