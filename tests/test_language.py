"""A policy not in English is said to be so wherever its highlights and facts are shown:
the models learnt from English policies (OPP-115)."""

from __future__ import annotations

import io
import json

import pdfplumber
import pytest
from conftest import SHARED_CORPUS, clone_history_bundle, shared_folder

from reader.analysis.language import ENGLISH, language_of, models_caveat
from reader.analysis.practices import analyze_policy, policy_words
from reader.cli import _classify_lines, main
from reader.output.export import write_pdf
from reader.output.highlight import HighlightedPolicy
from reader.paths import embedded_corpus_dir
from reader.sources.corpus import Corpus
from reader.ui.category_panel import CategoryPanel

FRENCH = """> *The following text is extracted and transformed from the exemple.fr privacy policy
that was archived on 2023-05-02.*

# Politique de confidentialité

Nous collectons les informations que vous nous fournissez lorsque vous créez un compte, par
exemple votre nom, votre adresse e-mail et votre numéro de téléphone. Nous utilisons ces
données pour fournir nos services, pour les améliorer et pour vous envoyer des messages.

## Partage des données

Nous partageons vos données avec nos partenaires publicitaires et avec les prestataires qui
nous aident à faire fonctionner le service. Ces partenaires sont tenus de protéger vos
données et ne peuvent pas les utiliser pour leurs propres fins.

## Vos droits

Vous pouvez accéder à vos données, les corriger ou les supprimer dans les paramètres de votre
compte. Pour toute question sur cette politique, vous pouvez nous écrire à l'adresse
indiquée sur notre site. Nous conservons vos données pendant la durée de votre compte.
"""

GERMAN_WORDS = ("Wir erheben die Daten, die Sie uns bei der Registrierung mitteilen, und "
                "verwenden sie für den Betrieb unserer Dienste. Ihre Daten werden nicht an "
                "Dritte verkauft, aber wir geben sie an Dienstleister weiter, die für uns "
                "tätig sind und auf unsere Weisung handeln. ") * 3


def _words(text: str) -> list[str]:
    return policy_words(text).words


def test_languages_are_told_by_their_function_words():
    assert language_of(_words(FRENCH)) == "fr"
    assert language_of(_words(GERMAN_WORDS)) == "de"
    english = Corpus.open(embedded_corpus_dir())
    for domain in english.domains():
        assert language_of(_words(english.load(domain).body)) == ENGLISH, domain


def test_too_little_text_is_taken_as_english():
    assert language_of(_words("Nous collectons vos données.")) == ENGLISH
    assert language_of([]) == ENGLISH


def test_every_real_english_policy_reads_as_english():
    folder = shared_folder("corpus")
    corpus = Corpus.open(folder)
    assert len(corpus.domains()) > 200
    misread = {domain: language_of(_words(corpus.load(domain).body))
               for domain in corpus.domains()}
    assert {d: lang for d, lang in misread.items() if lang != ENGLISH} == {}
    assert folder == SHARED_CORPUS


def test_real_french_and_german_policies_of_a_collection(tmp_path):
    # The Open Terms Archive dating collection: some services publish in French or German.
    clone = clone_history_bundle("dating-versions.bundle", tmp_path / "dating")
    corpus = Corpus.open(clone)
    found = {domain: analyze_policy(corpus.load(domain).body).language
             for domain in ("Badoo", "Meetic", "Finya", "LoveScout24", "Bumble", "Tinder")}
    assert found == {"Badoo": "fr", "Meetic": "fr", "Finya": "de", "LoveScout24": "de",
                     "Bumble": ENGLISH, "Tinder": ENGLISH}


def test_the_decision_carries_the_caveat_and_english_has_none():
    assert analyze_policy(FRENCH).language == "fr"
    assert analyze_policy(FRENCH).caveat() == models_caveat("fr")
    assert "French" in models_caveat("fr") and "English policies" in models_caveat("fr")
    seed = Corpus.open(embedded_corpus_dir()).load("ipmart.com")
    assert analyze_policy(seed.body).caveat() is None


@pytest.fixture
def french_corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "exemple.fr.md").write_text(FRENCH, "utf-8")
    return folder


def test_cli_says_so(french_corpus, capsys):
    assert main(["classify", "exemple.fr", "--corpus", str(french_corpus)]) == 0
    assert f"note: {models_caveat('fr')}" in capsys.readouterr().out
    assert main(["facts", "exemple.fr", "--corpus", str(french_corpus), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "fr"
    out = io.StringIO()
    from reader.analysis.practices import analyze_text

    lines = [json.dumps({"text": FRENCH}), json.dumps({"text": "We collect your email."})]
    assert _classify_lines(lines, out, analyze_text) == 0
    assert [json.loads(line)["language"] for line in out.getvalue().splitlines()] == \
        ["fr", ENGLISH]


def test_pdf_export_says_so(french_corpus, tmp_path):
    item = HighlightedPolicy.of(Corpus.open(french_corpus).load("exemple.fr"))
    path = write_pdf(item, tmp_path / "exemple.pdf")
    with pdfplumber.open(path) as pdf:
        first = " ".join(pdf.pages[0].extract_text().split())
    assert "Note: This policy reads as French." in first
    english = HighlightedPolicy.of(Corpus.open(embedded_corpus_dir()).load("ipmart.com"))
    with pdfplumber.open(write_pdf(english, tmp_path / "ipmart.pdf")) as pdf:
        assert "reads as" not in pdf.pages[0].extract_text()


def test_side_panel_shows_the_caveat_above_everything(qtbot, french_corpus):
    panel = CategoryPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_policy(HighlightedPolicy.of(Corpus.open(french_corpus).load("exemple.fr")))
    assert panel.caveat.isVisible()
    assert panel.caveat.text().endswith(models_caveat("fr"))
    assert panel.layout().indexOf(panel.caveat) == 0
    panel.show_policy(HighlightedPolicy.of(
        Corpus.open(embedded_corpus_dir()).load("ipmart.com")))
    assert not panel.caveat.isVisible()
    panel.show_policy(None)
    assert not panel.caveat.isVisible()


def test_the_window_shows_the_caveat_above_the_facts(make_window, french_corpus, qtbot):
    window = make_window(french_corpus)
    window.select_company("exemple.fr")
    caveat = window.category_panel.caveat
    qtbot.waitUntil(caveat.isVisible)
    assert caveat.y() < window.facts_card.y() < window.category_panel.tree.y()


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_search_finds_policies_by_language(engine, french_corpus, tmp_path):
    if engine == "tantivy":
        pytest.importorskip("tantivy")
    from reader.search.engine import open_index

    seed = embedded_corpus_dir() / "ipmart.com.md"
    (french_corpus / seed.name).write_bytes(seed.read_bytes())
    (french_corpus / "beispiel.de.md").write_text(f"# Datenschutz\n\n{GERMAN_WORDS}\n", "utf-8")
    policy_index = open_index(Corpus.open(french_corpus), engine, folder=tmp_path / "index")
    try:
        policy_index.update()
        found = {text: [hit.domain for hit in policy_index.search(text).hits]
                 for text in ("language:fr", "language:de", "language:en",
                              "données language:fr", "données language:en")}
        named = policy_index.search("language:french")
    finally:
        policy_index.close()
    assert found == {"language:fr": ["exemple.fr"], "language:de": ["beispiel.de"],
                     "language:en": ["ipmart.com"], "données language:fr": ["exemple.fr"],
                     "données language:en": []}
    assert (named.total, named.suggestion) == (0, "language:fr")  # "did you mean"
