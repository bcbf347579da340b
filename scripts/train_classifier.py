"""Train the practice classifier on OPP-115 and write resources/practice_model.npz.

    python scripts/train_classifier.py [--opp115 ../shared/opp115] [--out resources/...]

Needs the ``train`` extra (scikit-learn). Deterministic: the same data gives the same model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from reader.analysis.classifier import save_model
from reader.analysis.training import TrainConfig, fit, load_opp115, tune
from reader.paths import resources_dir

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--out", type=Path, default=resources_dir() / "practice_model.npz")
    parser.add_argument("--hidden", type=int, default=TrainConfig.hidden)
    parser.add_argument("--seeds", type=int, default=TrainConfig.seeds)
    parser.add_argument("--word-vectors", default=TrainConfig.word_vectors,
                        help="file in resources/ written by scripts/embed_words.py; '' for none")
    args = parser.parse_args()
    config = TrainConfig(hidden=args.hidden, seeds=args.seeds, word_vectors=args.word_vectors)
    started = time.perf_counter()
    data = load_opp115(args.opp115)
    model = fit(data.texts, data.labels, config)
    tune(model, data, config)
    info = {"trained_on": "OPP-115, 80 policies (../shared/opp115), majority vote (>=2 of 3)",
            "segments": len(data.texts), "config": config.__dict__}
    model.info = info
    save_model(args.out, model)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB, {len(model.vocabulary)} terms) "
          f"in {time.perf_counter() - started:.0f} s")
    print("thresholds:", dict(zip(model.labels, [round(float(t), 3) for t in model.thresholds],
                                  strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
