"""Train the practice models on OPP-115: resources/practice_model.npz (paragraphs) and
resources/sentence_model.npz (which sentences state a practice).

    python scripts/train_classifier.py [--opp115 ../shared/opp115] [--out-dir resources/]

Needs the ``train`` extra (scikit-learn). Deterministic: the same data gives the same models.
Paragraph gold: at least 2 of 3 annotators gave the segment the category. Sentence gold: at
least 2 annotators marked the category in text overlapping the sentence. Thresholds are
tuned on policy-split out-of-fold predictions.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from reader.analysis.classifier import MODEL_FILE, save_model
from reader.analysis.practices import SENTENCE_MODEL_FILE
from reader.analysis.training import (
    PARAGRAPH_CONFIG,
    SENTENCE_CONFIG,
    load_segments,
    sentence_dataset,
    train_models,
)
from reader.paths import resources_dir

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--out-dir", type=Path, default=resources_dir())
    args = parser.parse_args()
    config, sentence_config = PARAGRAPH_CONFIG, SENTENCE_CONFIG
    started = time.perf_counter()
    segments = load_segments(args.opp115)
    model, sentence_model = train_models(segments, config, sentence_config, folds=5)
    model.info = {"trained_on": "OPP-115, 80 policies (../shared/opp115), majority vote "
                                "(>=2 of 3)", "segments": len(segments), "config": config.__dict__}
    sentence_model.info = {
        "trained_on": "OPP-115 sentences of >= 3 words; first head: for each category those "
                      "of segments labelled with it, second head: all; gold: >= 2 "
                      "annotators marked the category in text overlapping the sentence; "
                      "thresholds (first head's) apply to practices.sentence_scores",
        "sentences": len(sentence_dataset(segments)[0].texts), "config": sentence_config.__dict__}
    for name, trained in ((MODEL_FILE, model), (SENTENCE_MODEL_FILE, sentence_model)):
        path = args.out_dir / name
        save_model(path, trained)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, "
              f"{len(trained.vocabulary)} terms); thresholds:",
              {label: round(float(t), 3)
               for label, t in zip(trained.labels, trained.thresholds, strict=True)})
    print(f"in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
