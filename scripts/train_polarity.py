"""Train the "says it does not" polarity model on OPP-115; write resources/polarity_model.npz.

    python scripts/train_polarity.py [--opp115 ../shared/opp115] [--write docs/EVALUATION.md]

Measures, with 5-fold cross-validation split BY POLICY, the polarity model, the negation-cue
rule and the baseline (every fact found is "stated") at sentence level (pairs of a sentence
and a fact an annotator marked in it) and at policy level (the app's rule on the facts the
bundled facts model states), then fits the model on all policies. ``--write`` puts the
table into the facts section of the file (its "Says it does not" part). Needs the
``train`` extra. Deterministic; about a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np

from reader.analysis.classifier import save_model
from reader.analysis.fact_training import replace_polarity_notes
from reader.analysis.facts import default_facts_model
from reader.analysis.polarity import POLARITY_GROUPS, POLARITY_MODEL_FILE
from reader.analysis.polarity_training import (
    fit_polarity,
    group_labels,
    load_polarity,
    pair_scores,
    polarity_config,
    polarity_out_of_fold,
    polarity_texts,
    policy_outcome,
    rule_negative,
)
from reader.paths import resources_dir

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"
THRESHOLD = 0.5  # fixed, not tuned: the folds' own labels never choose it


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--out", type=Path, default=resources_dir() / POLARITY_MODEL_FILE)
    parser.add_argument("--write", type=Path, help="write the notes into this markdown file")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, help="first N policies only (for tests)")
    parser.add_argument("--corpus", type=Path,
                        help="also count, on this folder of policies, the facts the app "
                             "shows as \"says it does not\" (with the model just written)")
    args = parser.parse_args()
    started = time.perf_counter()
    data = load_polarity(args.opp115, args.limit)
    config = polarity_config()
    model_says = polarity_out_of_fold(data, config, args.folds) >= THRESHOLD
    rule_says = np.repeat(rule_negative(data)[:, None], len(POLARITY_GROUPS), axis=1)
    never = np.zeros_like(model_says)
    facts = default_facts_model().classifier
    fact_probs = facts.predict(data.texts)
    rows = []
    for name, says in (("baseline: every fact found is stated", never),
                       ("negation-cue rule (a \"not\", \"no\", \"never\", \"n't\" in the "
                        "sentence)", rule_says),
                       (f"polarity model alone (probability >= {THRESHOLD})", model_says),
                       ("polarity model and a negation word (shipped)",
                        model_says & rule_says)):
        sentence = pair_scores(data, says)
        policy = policy_outcome(data, fact_probs, facts.thresholds, facts.labels, says)
        rows.append((name, sentence, policy))
    rows_of, labels = group_labels(data)
    kept = np.flatnonzero(rows_of.any(axis=1))
    texts = polarity_texts(data.texts)
    model = fit_polarity([texts[i] for i in kept], rows_of[kept], labels[kept], config)
    model.thresholds = np.full(len(POLARITY_GROUPS), THRESHOLD, dtype=np.float32)
    model.info = {"trained_on": "OPP-115 Does/Does Not of collection and sharing practices, "
                                f"{len(set(data.policies))} policies, {len(kept)} sentences",
                  "config": config.__dict__, "threshold": THRESHOLD}
    save_model(args.out, model)
    notes = markdown_notes(rows, data, time.perf_counter() - started, args.folds)
    if args.corpus:
        notes += corpus_notes(args.corpus, args.out)
    print(notes)
    if args.write:
        old = args.write.read_text("utf-8") if args.write.exists() else ""
        args.write.write_text(replace_polarity_notes(old, notes), "utf-8")
    return 0


def markdown_notes(rows, data, seconds: float, folds: int) -> str:
    carried = int(data.carried.sum())
    negative = int(data.negative.sum())
    gold = sum(len(found) for found in data.policy_does_not.values())
    lines = [
        "### Says it does not (polarity)",
        "",
        f"Measured {dt.date.today().isoformat()} by `python scripts/train_polarity.py` "
        f"({seconds:.0f} s); model: `resources/polarity_model.npz`.",
        "",
        "OPP-115 gives every collection and sharing practice a \"Does/Does Not\" value, so "
        "the facts of the groups `collects`, `purpose` and `shares_with` can be \"says it "
        "does not\" (except `purpose:legal`: a legal requirement is the exception of \"we "
        "do not share it unless the law requires it\", and annotators mark it \"Does\"). "
        "Sentence gold: of the annotators who marked the fact in the sentence, "
        "more said \"Does Not\" than \"Does\" "
        f"({negative} of {carried} sentence-fact pairs). Policy gold: >= 2 annotators gave "
        f"the fact with \"Does Not\" and < 2 with \"Does\" ({gold} policy-fact pairs of "
        f"{len(data.policy_does)} policies). {folds}-fold cross-validation split **by "
        "policy**. Policy level applies the app's rule (a stated fact all of whose "
        "sentences at or above its threshold say \"does not\" is shown as \"says it does "
        "not\") to the sentences the shipped facts model picks; that model was trained on "
        "these 80 policies, so which facts are found is optimistic here, the polarity is "
        "out-of-fold.",
        "",
        "| method | sentence precision | sentence recall | policy: shown \"does not\" (of "
        "stated) | policy precision | policy recall | shown \"does not\" where >= 2 "
        "annotators say \"Does\" |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, sentence, policy in rows:
        at_policy = policy.as_scores()
        lines.append(
            f"| {name} | {sentence['precision']:.3f} | {sentence['recall']:.3f} | "
            f"{policy.does_not} / {policy.stated} | {at_policy['precision']:.3f} "
            f"({policy.hits}/{policy.does_not}) | {at_policy['recall']:.3f} "
            f"({policy.hits}/{policy.gold_does_not}) | {policy.gold_does} |")
    lines += [
        "",
        "The app ships the polarity model, asked only about sentences with a negation word "
        "(alone it also learnt topics that OPP-115's few \"does not\" sentences share, "
        "such as \"we send offers on behalf of partners\"). Policy precision counts only "
        "the gold \"does not\" pairs as right; most other facts shown \"does not\" are "
        "ones fewer than 2 annotators found at all, where the old \"stated\" was wrong "
        "too (last column: those contradicted by the annotators).",
        "",
    ]
    return "\n".join(lines)


def corpus_notes(root: Path, model_path: Path) -> str:
    """How the decision, with the model at ``model_path``, reads the policies of ``root``:
    the facts found, those now "says it does not" (listed) and the stated ones that also
    have a "does not" sentence."""
    from reader.analysis import practices
    from reader.analysis.classifier import load_model
    from reader.output.highlight import HighlightedPolicy
    from reader.sources.corpus import Corpus

    model = load_model(model_path)
    # the decision reads the bundled model; point it at the one just written
    original = practices.default_polarity_model
    practices.default_polarity_model = lambda: model
    try:
        corpus = Corpus.open(root)
        found, denied, with_denials = 0, [], 0
        for domain in corpus.domains():
            analysis = HighlightedPolicy.of(corpus.load(domain)).analysis
            for fact in analysis.facts:
                found += fact.state != "not_stated"
                with_denials += bool(fact.denials)
                if fact.says_not:
                    quote = " ".join(analysis.text[fact.evidence[0].start:
                                                   fact.evidence[0].end].split())
                    denied.append(f"- {domain} `{fact.id}`: \"{quote}\"")
    finally:
        practices.default_polarity_model = original
    return "\n".join([
        "",
        f"On `{root.name}/` ({len(corpus.domains())} policies): {len(denied)} of the "
        f"{found} facts found (stated before) are \"says it does not\", and "
        f"{with_denials} stated facts also have a \"does not\" sentence. Each with its "
        "first sentence:",
        "",
        *denied,
        "",
    ])


if __name__ == "__main__":
    raise SystemExit(main())
