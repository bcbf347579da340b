"""Search snippets show the words a reader sees, not markdown source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.paths import embedded_corpus_dir
from reader.search.index import PolicyIndex
from reader.search.query import Match, make_snippets, snippet_text
from reader.sources.corpus import Corpus


@contextmanager
def one_policy_index(tmp_path: Path, file_name: str, body: str) -> Iterator[PolicyIndex]:
    """The search index of a corpus folder holding one policy file, built; closed after."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / file_name).write_text(body, "utf-8")
    policy_index = PolicyIndex(Corpus.open(folder), tmp_path / "index")
    policy_index.open()
    policy_index.update(workers=1)
    try:
        yield policy_index
    finally:
        policy_index.close()


def test_snippet_text_drops_markdown_keeps_words():
    assert (snippet_text("We **never** sell your [personal data](https://x.com/a) to _anyone_.")
            == "We never sell your personal data to anyone.")
    assert snippet_text("data](https://x.com/a) and more") == "data and more"  # cut link
    assert snippet_text("see [our cookie") == "see our cookie"
    assert snippet_text("the `code` word, snake_case_name") == "the code word, snake_case_name"
    assert snippet_text("| Cookie | Purpose |").split() == ["Cookie", "Purpose"]
    assert snippet_text("|---|:---|").split() == []
    assert snippet_text("opt-in, 3-5 days - or not") == "opt-in, 3-5 days - or not"


def test_snippets_cut_inside_a_link_and_bold():
    body = ("We **never** sell your data to [third parties](http://a.com/b). **Cookies** are "
            "used by [our partners](http://x.y/z) for ads.")
    matches = [Match(m.start(), m.end()) for m in re.finditer("cookies|sell", body, re.I)]
    assert make_snippets(body, matches, radius=20) == [
        "We never <b>sell</b> your data to third…",
        "…parties. <b>Cookies</b> are used by our…"]


def test_real_snippets_have_no_markdown():
    """The seed policies have bold headings and links; no result shows ``**`` or ``](``."""
    policy_index = PolicyIndex(Corpus.open(embedded_corpus_dir()))
    policy_index.open()
    policy_index.update(workers=1)
    try:
        for words in ("firewall", "information", "privacy policy", "secure", "cookies"):
            results = policy_index.search(words)
            assert results.hits, words
            for hit in results.hits:
                for snippet in hit.snippets:
                    assert "**" not in snippet and "](" not in snippet, snippet
                    assert "<b>" in snippet or not hit.match_count
        firewall = policy_index.search("firewall").hits
        assert any("<b>Firewall</b>" in s for hit in firewall for s in hit.snippets)
    finally:
        policy_index.close()


def test_link_text_in_a_snippet_is_not_padded_with_spaces(tmp_path):
    """duckduckgo.com: "an encrypted version ([HTTPS](...))" read "version ( HTTPS )"."""
    (tmp_path / "ddg.test.md").write_text(
        "# Policy\n\nYou can also use an **encrypted** version ([HTTPS](https://d.test/)), "
        "which doesn't send [your search](https://d.test/s)'s terms.\n", "utf-8")
    policy_index = PolicyIndex(Corpus.open(tmp_path))
    policy_index.open()
    policy_index.update(workers=1)
    try:
        [hit] = policy_index.search("encrypted").hits
        assert hit.snippets[0].startswith("You can also use an <b>encrypted</b> version "
                                          "(HTTPS), which doesn&#x27;t send your search&#x27;s")
    finally:
        policy_index.close()


def test_a_hit_counts_the_matches_the_viewer_shows(tmp_path):
    """A word in a link target or a tag is no match on screen, so none in the result list:
    the list said 6 "cookie" for umich.edu where the viewer found 4."""
    from reader.analysis.document import parse_policy

    body = ("# Privacy\n\nWe use cookies. See our [cookie notice](https://x.example/cookie-policy)"
            " and <span title='cookie'>the settings</span>.\n\n"
            "![cookie](https://x.example/cookie.png) Cookie banners ask first.\n")
    with one_policy_index(tmp_path, "links.example.md", body) as policy_index:
        for words in ("cookie", "cookie*", '"cookie notice"', "policy OR png"):
            results = policy_index.search(words)
            shown = parse_policy(body).text
            counts = [(hit.match_count, len(results.finder.find(shown))) for hit in results.hits]
            assert all(listed == seen for listed, seen in counts), (words, counts)
        assert policy_index.search("cookie").hits[0].match_count == 3
        # A word only in _emphasis_: not a match of the source's words, one on screen.
        (tmp_path / "corpus" / "links.example.md").write_text(
            "# P\n\nThe _cookie_ settings.\n", "utf-8")
        policy_index.update(workers=1)
        assert policy_index.search("cookie").hits[0].match_count == 1


def test_snippets_mark_no_word_of_a_link_target_and_show_no_heading_marks(tmp_path):
    """whitehouse.gov (../shared/corpus): a snippet read 'such as “[cookies]"[cookies])', the
    second 'cookies' the end of a link's target (…/privacy#cookies), and '#### HOW THIS
    INFORMATION IS USED' for headings inside list items."""
    body = ("# Privacy\n\n"
            "  * ####  **[INFORMATION WE RECEIVE](https://w.example/privacy#s1)** (WHEN YOU"
            " VISIT THIRD-PARTY SITES)\n\n"
            "  * ####  **[HOW THIS INFORMATION IS USED](https://w.example/privacy#s2)**\n\n"
            "####  The site uses measurement technologies (such as “[cookies\"]"
            "(https://w.example/privacy#cookies)). You can choose not to accept them.\n")
    with one_policy_index(tmp_path, "w.example.md", body) as policy_index:
        [hit] = policy_index.search("cookies").hits
        assert hit.match_count == 1
        assert hit.snippets == ["…USED The site uses measurement technologies (such as "
                                "“<b>cookies</b>&quot;). You can choose not to accept them."]
        [hit] = policy_index.search('"third party"').hits
        assert "#" not in " ".join(hit.snippets)
        assert "HOW THIS INFORMATION IS USED" in " ".join(hit.snippets)


def test_a_hit_without_matched_words_opens_with_the_words_a_reader_sees(tmp_path):
    """A field-only query (``language:fr``) shows the policy's opening: the dating
    collection's AdopteUnMec read '---------- **Politique de confidentialité** **1\\.
    Généralités**' and DisonsDemain '\\_\\_\\_\\_\\_ Bonjour'."""
    body = (
        "à jour du 10/12/2021\n\nPolitique de confidentialité\n----------------------------\n\n"
        "**Politique de confidentialité et de traitement des données personnelles**\n\n"
        "**1\\. Généralités**\n\n\\_\\_\\_\\_\\_\\_ Bonjour à tous !\n\n"
        "Titre\n=====\n\nNous protégeons vos données.\n")
    with one_policy_index(tmp_path, "adopte.example.md", body) as policy_index:
        [hit] = policy_index.search("company:adopte").hits
        assert hit.snippets == [
            "à jour du 10/12/2021 Politique de confidentialité Politique de confidentialité"
            " et de traitement des données personnelles 1. Généralités Bonjour à tous ! "
            "Titre Nous protégeons vos…"]
