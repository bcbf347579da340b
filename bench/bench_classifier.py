"""Classifier speed: segments per second on one core, a 50,000-word policy, model load.

    python bench/bench_classifier.py

Baselines measured in the same run: the same model called one segment at a time, the same
model without its word-vector block, and (when scikit-learn is installed) scikit-learn's
TfidfVectorizer + LogisticRegression (TF-IDF only, no word vectors).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from common import (  # noqa: E402
    SHARED,
    longest_real_policy,
    median_time,
    source_paragraphs,
    table,
)

from reader.analysis.classifier import default_model, load_model  # noqa: E402
from reader.analysis.document import parse_policy  # noqa: E402
from reader.analysis.practices import analyze_policy, analyze_text  # noqa: E402
from reader.sources.corpus import read_policy  # noqa: E402


def main() -> None:
    segments = [json.loads(line)["text"] for path in sorted((SHARED / "opp115").glob("*.jsonl"))
                for line in path.read_text("utf-8").splitlines()]
    model = default_model()
    load = median_time(load_model, runs=5)
    batched = median_time(lambda: model.predict(segments), runs=5)
    one_by_one = median_time(lambda: [model.predict([s]) for s in segments], runs=3)
    tfidf_only = dataclasses.replace(model, word_vectors=None)
    without_vectors = median_time(lambda: tfidf_only.predict(segments), runs=5)
    rows = [
        ["model load", f"{load * 1000:.0f} ms", "", "< 300 ms"],
        ["segments/s, batched (this model)", f"{len(segments) / batched:,.0f}", "1.00",
         ">= 5,000"],
        ["segments/s, one call per segment", f"{len(segments) / one_by_one:,.0f}",
         f"{one_by_one / batched:.2f}x slower", ""],
        ["segments/s, same model without word vectors", f"{len(segments) / without_vectors:,.0f}",
         f"{without_vectors / batched:.2f}x the time", ""],
    ]
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        from reader.analysis.training import _analyzer, load_opp115

        data = load_opp115(SHARED / "opp115")
        vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=2)
        matrix = vectorizer.fit_transform(data.texts)
        classifier = OneVsRestClassifier(LogisticRegression(max_iter=500)).fit(
            matrix, data.labels[:, :9])
        sk = median_time(lambda: classifier.predict_proba(vectorizer.transform(segments)), 5)
        rows.append(["segments/s, scikit-learn TF-IDF + LR", f"{len(segments) / sk:,.0f}",
                     f"{sk / batched:.2f}x the time", ""])
    except ImportError:
        rows.append(["scikit-learn pipeline", "not installed", "", ""])

    paragraphs, origin = source_paragraphs()
    rng = random.Random(3)
    body, words = [], 0
    while words < 50_000:
        paragraph = rng.choice(paragraphs)
        body.append(paragraph)
        words += len(paragraph.split())
    policy_text = "\n\n".join(body)
    document = parse_policy(policy_text)
    whole = median_time(lambda: analyze_policy(policy_text, document), runs=5)
    parse = median_time(lambda: parse_policy(policy_text), runs=3)
    plain = median_time(lambda: analyze_text(policy_text), runs=3)
    rows += [
        [f"classify a {words:,}-word policy (paragraphs + sentences)", f"{whole * 1000:.0f} ms",
         "", "< 500 ms"],
        ["  of which markdown parse + sanitise (done once per policy)", f"{parse * 1000:.0f} ms",
         "", ""],
        ["  same text via classify --jsonl path", f"{plain * 1000:.0f} ms", "", ""],
    ]
    longest = longest_real_policy()
    if longest is not None:
        real = read_policy(longest)
        real_document = parse_policy(real.body)
        real_time = median_time(lambda: analyze_policy(real.body, real_document), runs=5)
        rows.append([f"classify the longest real policy ({real.domain}, "
                     f"{real.word_count:,} words)", f"{real_time * 1000:.0f} ms", "",
                     "< 500 ms"])
    print(f"Classifier speed, one core, median of 3-5 runs. Segments: {len(segments):,} "
          f"OPP-115 segments. The 50,000-word policy is synthetic: {origin}.\n")
    print(table(["measure", "result", "vs baseline", "target"], rows))


if __name__ == "__main__":
    main()
