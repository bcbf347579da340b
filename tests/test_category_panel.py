"""The category panel: passages most confident first, and the "confident only" / "all"
highlight switch, remembered in settings."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSettings

from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus
from reader.ui.category_panel import CONFIDENT_ONLY_KEY, CategoryPanel, SpanRole


def _policy(demo_corpus) -> HighlightedPolicy:
    return HighlightedPolicy.of(Corpus.open(demo_corpus).load("northwind-books.example"))


def test_passages_are_listed_most_confident_first(qtbot, demo_corpus):
    panel = CategoryPanel()
    qtbot.addWidget(panel)
    item = _policy(demo_corpus)
    panel.show_policy(item)
    for category_id in item.analysis.categories:
        listed = panel.passages_of(category_id)
        spans = [item.analysis.spans[child.data(0, SpanRole)] for child in listed]
        scores = [s.scores[s.categories.index(category_id)] for s in spans]
        assert scores == sorted(scores, reverse=True)
        assert len(listed) == item.counts()[category_id]
        assert listed[0].text(0).startswith(f"{scores[0]:.0%}")


def test_confident_only_switch_hides_unsure_highlights_and_is_remembered(
        qtbot, demo_corpus, tmp_path):
    store = tmp_path / "settings.ini"
    settings = QSettings(str(store), QSettings.Format.IniFormat)
    panel = CategoryPanel(settings)
    qtbot.addWidget(panel)
    assert not panel.confident_only()  # all highlights by default
    item = _policy(demo_corpus)
    # Whatever the models say today, make the first passage an unsure one.
    first = item.analysis.spans[0]
    item.analysis.spans[0] = dataclasses.replace(
        first, confident=tuple(False for _ in first.categories))
    unsure = [n for n, span in enumerate(item.analysis.spans)
              if not all(span.is_confident(c) for c in span.categories)]
    confident = [n for n, span in enumerate(item.analysis.spans)
                 if any(span.is_confident(c) for c in span.categories)]
    assert confident
    every = item.body_html(panel.visible(), confident_only=panel.confident_only())
    with qtbot.waitSignal(panel.visibility_changed):
        panel.set_confident_only(True)
    fewer = item.body_html(panel.visible(), confident_only=panel.confident_only())
    anchors = item.visible_span_anchors(panel.visible(), confident_only=True)
    assert anchors == [f"s{n}" for n in confident]
    assert all(f'name="s{n}"' in every for n in range(len(item.analysis.spans)))
    assert all(f'name="s{n}"' in fewer for n in confident)
    fully_unsure = [n for n in unsure if n not in confident]
    assert 0 in fully_unsure
    assert not any(f'name="s{n}"' in fewer for n in fully_unsure)
    # A new panel (the app started again) reads the choice back.
    again = CategoryPanel(QSettings(str(store), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.confident_only()
    assert QSettings(str(store), QSettings.Format.IniFormat).value(CONFIDENT_ONLY_KEY) in (
        True, "true")


def test_counts_follow_the_confident_only_switch(qtbot, embedded_corpus):
    """bmtmicro.com: 3 sharing passages, one of them unsure ("Except for the circumstances
    set forth in the previous paragraph, we will not knowingly distribute..."); with
    "confident passages only" the page and the PDF highlight 2, and the panel said 3."""
    panel = CategoryPanel()
    qtbot.addWidget(panel)
    item = HighlightedPolicy.of(Corpus.open(embedded_corpus).load("bmtmicro.com"))
    panel.show_policy(item)
    sharing, security = panel.items["third_party_sharing"], panel.items["data_security"]
    # (Security: 11 before its two headings in bold, "SSL (Secure Socket Layers)" and "How
    # does BMT Micro, Inc. protect customer information?", were read as headings.)
    assert (sharing.text(1), security.text(1)) == ("3", "9")
    with qtbot.waitSignal(panel.visibility_changed):
        panel.set_confident_only(True)
    assert (sharing.text(1), security.text(1)) == ("2 (+1)", "9")
    assert sharing.toolTip(1) == ("2 passages highlighted; 1 unsure passage listed in "
                                  "italics, not highlighted")
    assert panel.items["first_party_collection"].text(1) == "4 (+1)"
    assert len(panel.passages_of("third_party_sharing")) == 3  # the unsure one in italics
    panel.show_policy(HighlightedPolicy.of(Corpus.open(embedded_corpus).load("audiomidi.com")))
    assert panel.items["data_security"].text(1) == "6" and not sharing.toolTip(1)
    panel.set_confident_only(False)
    panel.show_policy(item)
    assert sharing.text(1) == "3" and not sharing.toolTip(1)
