"""docs/EVALUATION.md has two writers: neither may delete the other's section."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reader.analysis.fact_training import (
    SECTION_BEGIN,
    SECTION_END,
    always_yes_f1,
    facts_section_of,
    replace_section,
)

ROOT = Path(__file__).resolve().parents[1]


def _classifier_script():
    spec = importlib.util.spec_from_file_location(
        "evaluate_classifier", ROOT / "scripts" / "evaluate_classifier.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_always_yes_baseline():
    assert always_yes_f1(73, 80) == 2 * 73 / 153  # precision 73/80, recall 1
    assert round(always_yes_f1(4, 80), 3) == 0.095
    assert always_yes_f1(0, 80) == 0.0


def test_each_script_writes_only_its_own_section():
    script = _classifier_script()
    notes = script.NOTES_MARKER
    doc = f"# Highlights\nold tables\n\n{notes}\nhand notes\n"
    doc = replace_section(doc, "## Privacy facts\n\nfacts v1\n")
    expected = f"{SECTION_BEGIN}\n## Privacy facts\n\nfacts v1\n{SECTION_END}\n"
    assert facts_section_of(doc) == expected
    # The classifier's report replaces its own tables; notes and facts stay.
    doc = script.with_report(doc, "# Highlights\nnew tables\n")
    assert doc.startswith("# Highlights\nnew tables\n") and "old tables" not in doc
    assert "hand notes" in doc and "facts v1" in doc
    # The facts script replaces its own section; the rest stays byte for byte.
    updated = replace_section(doc, "## Privacy facts\n\nfacts v2\n")
    assert updated == doc.replace("facts v1", "facts v2")
    # Without the notes marker the classifier still keeps the facts section.
    bare = "# Highlights\nold\n\n" + facts_section_of(updated)
    rewritten = script.with_report(bare, "# Highlights\nnew\n")
    assert "facts v2" in rewritten and "old" not in rewritten


def test_legacy_unmarked_section_is_replaced_not_duplicated():
    doc = "# E\n\n## Privacy facts\n\nold facts\n\n## After\n\nkept\n"
    out = replace_section(doc, "## Privacy facts\n\nnew facts\n")
    assert out.count("## Privacy facts") == 1 and "old facts" not in out
    assert out.endswith("## After\n\nkept\n") and SECTION_BEGIN in out


def test_evaluation_doc_has_the_facts_section_marked():
    text = (ROOT / "docs" / "EVALUATION.md").read_text("utf-8")
    section = facts_section_of(text)
    assert "## Privacy facts" in section and "always-yes F1" in section


def test_the_polarity_notes_live_inside_the_facts_section_and_survive_it():
    from reader.analysis.fact_training import (
        POLARITY_BEGIN,
        POLARITY_END,
        replace_polarity_notes,
    )

    doc = replace_section("# E\n\nintro\n", "## Privacy facts\n\nfacts v1\n")
    doc = replace_polarity_notes(doc, "### Says it does not (polarity)\n\nv1\n")
    section = facts_section_of(doc)
    assert POLARITY_BEGIN in section and "v1\n" + POLARITY_END in section
    doc = replace_polarity_notes(doc, "### Says it does not (polarity)\n\nv2\n")
    assert "\nv1\n" not in doc and doc.count(POLARITY_BEGIN) == 1
    # The facts script rewrites its section; the polarity notes stay in it.
    doc = replace_section(doc, "## Privacy facts\n\nfacts v2\n")
    section = facts_section_of(doc)
    assert "facts v2" in section and "facts v1" not in section and "\nv2\n" in section
    assert doc.startswith("# E\n\nintro\n")
    text = (ROOT / "docs" / "EVALUATION.md").read_text("utf-8")
    assert "### Says it does not (polarity)" in facts_section_of(text)
