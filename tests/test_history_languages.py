"""Versions not in English are marked in the history table, ``history --json`` and the
History window (chart shade, tooltip, version lists): their passage counts come from
models that learnt from English, so a drop there is not a change of practice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import clone_history_bundle
from test_history import commit, git

from reader.analysis.timeline import VersionStore, analyze_body, timeline
from reader.cli import main
from reader.sources.corpus import Corpus
from reader.sources.history import CorpusHistory
from reader.ui.history_panel import HistoryDialog

GERMAN = """# Datenschutzerklärung

Wir erheben Ihre Daten, wenn Sie sich bei uns registrieren. Die Daten werden von uns und
unseren Partnern verarbeitet, wenn Sie der Verarbeitung nicht widersprechen.

Sie können Ihre Einwilligung jederzeit widerrufen. Wir geben Ihre Daten nicht an Dritte
weiter, es sei denn, wir sind dazu verpflichtet oder Sie haben eingewilligt.

Ihre Daten werden auf unseren Servern in der EU gespeichert und mit einer Verschlüsselung
geschützt, die dem Stand der Technik entspricht. Sie haben das Recht auf Auskunft und auf
Löschung Ihrer Daten, die bei uns gespeichert sind, und auf eine Kopie Ihrer Daten.
"""
ENGLISH = """# Privacy Policy

We collect your email address when you register an account.

We share your information with advertising partners for marketing purposes.

You can opt out of marketing emails at any time.
"""


@pytest.fixture
def german_then_english(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"example.com.md": GERMAN}, "2021-03-01")
    commit(root, {"example.com.md": ENGLISH}, "2022-05-02")
    return root


def test_history_table_and_json_give_each_version_its_language(german_then_english, capsys):
    assert main(["history", "example.com", "--corpus", str(german_then_english),
                 "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert [(v["date"], v["language"]) for v in versions] == [("2021-03-01", "de"),
                                                              ("2022-05-02", "en")]
    assert main(["history", "example.com", "--corpus", str(german_then_english)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[-1] == "LANG"
    assert lines[2].startswith("2021-03-01") and lines[2].endswith(" de *")
    assert lines[3].startswith("2022-05-02") and lines[3].endswith(" en")
    assert lines[4].startswith("* reads as German: the practice models learnt from English")


def test_languages_are_kept_with_the_cached_counts(german_then_english, tmp_path):
    history = CorpusHistory(Corpus.open(german_then_english)).history("example.com")
    store = VersionStore(tmp_path / "store")
    assert [p.language for p in timeline(history, store)] == ["de", "en"]
    # A second store reads the counts and languages kept by the first, nothing analysed.
    again = VersionStore(tmp_path / "store")
    assert [p.language for p in timeline(history, again)] == ["de", "en"]
    # Counts kept before languages were (two values a version) get their language.
    counts = store.folder / "counts.json"
    data = json.loads(counts.read_text("utf-8"))
    data["versions"] = {key: value[:2] for key, value in data["versions"].items()}
    counts.write_text(json.dumps(data), "utf-8")
    assert [p.language for p in timeline(history, VersionStore(store.folder))] == ["de", "en"]


def open_dialog(qtbot, root: Path, company: str) -> HistoryDialog:
    dialog = HistoryDialog(Corpus.open(root), company)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.is_busy() and dialog.diff is not None, timeout=120000)
    dialog._refresh()
    return dialog


def test_history_window_marks_a_version_not_in_english(qtbot, german_then_english):
    dialog = open_dialog(qtbot, german_then_english, "example.com")
    assert dialog.chart.other_language_runs() == [(0, 0, "de")]
    assert "Reads as German" in dialog.chart.tooltip_text(0)
    assert "Reads as German" not in dialog.chart.tooltip_text(1)
    assert dialog.old_box.itemText(0) == "2021-03-01 (" + \
        dialog.history.versions[0].ref[:7] + ") · German"
    assert "German" not in dialog.new_box.itemText(1)
    assert "reads as German: counts not comparable" in dialog.legend.text()
    # The shade is drawn: a pixel inside the German stretch has the band's colour.
    image = dialog.chart.grab().toImage()
    x = round((dialog.chart._x(0, dialog.chart.width()) + dialog.chart._x(1,
               dialog.chart.width())) / 2)
    assert image.pixelColor(x, 60).name() == dialog.chart.band_colour().name()


@pytest.fixture(scope="module")
def pga_clone(tmp_path_factory) -> Path:
    return clone_history_bundle("pga-versions.bundle", tmp_path_factory.mktemp("pga") / "pga")


def test_pga_tiktok_german_versions_are_marked(pga_clone, qtbot, tmp_path):
    """TikTok's privacy policy was German until 2022-10: those versions (and only those)
    read as German, as the viewer's analysis of each whole version says."""
    history = CorpusHistory(Corpus.open(pga_clone)).history("TikTok")
    points = timeline(history, VersionStore(tmp_path / "store"))
    german = [p.version.date for p in points if p.language == "de"]
    assert german and max(german) < "2022-10-01"
    assert {p.language for p in points if p.version.date >= "2022-10-01"} == {"en"}
    for point in points[:len(german) + 2]:
        assert point.language == analyze_body(history.read_body(point.version)).language
    dialog = open_dialog(qtbot, pga_clone, "TikTok")
    assert dialog.chart.other_language_runs() == [(0, len(german) - 1, "de")]
    assert dialog.old_box.itemText(0).endswith("· German")


def test_dating_bundle_german_words_written_with_combining_marks_are_found(tmp_path, capsys):
    """Finya's privacy policy (dating bundle) writes some umlauts as a letter and a
    combining mark ("Verschlu\u0308sselung"): the policy reads them composed, so the
    search finds the word as typed and the viewer's words are whole."""
    from reader.analysis.document import parse_policy

    root = clone_history_bundle("dating-versions.bundle", tmp_path / "dating")
    raw = (root / "Finya" / "Privacy Policy.md").read_text("utf-8")
    assert "Verschlu\u0308sselung" in raw  # (the data as archived)
    policy = Corpus.open(root).load("Finya")
    assert "Verschlu\u0308sselung" not in policy.body
    assert "Verschl\u00fcsselung" in parse_policy(policy.body).text
    assert main(["--corpus", str(root), "search", "Verschlüsselung", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert "Finya" in [hit["domain"] for hit in found["hits"]]
