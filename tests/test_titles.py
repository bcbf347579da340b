"""Header text fixes: clean titles, real archive dates, a leading quote that is not the
source line, and CJK/emoji aligned in ``privacy-reader list``."""

from __future__ import annotations

import pytest

from reader.cli import display_width, main
from reader.output.highlight import header_html
from reader.sources.corpus import Corpus, display_title, parse_header, valid_date


@pytest.mark.parametrize(("raw", "clean"), [
    ("Privacy Policy | Amazon.com", "Privacy Policy"),
    ("Privacy Policy |", "Privacy Policy"),
    ("Home | Example Corp", "Example Corp"),
    ("Privacy - IMDb", "Privacy"),
    ("JSTOR: Privacy Policy", "Privacy Policy"),
    ("NIH: About NIH : Privacy Notice", "Privacy Notice"),
    ("Legal - Website Privacy Policy", "Website Privacy Policy"),
    ("Privacy Policy – Privacy & Terms – Google", "Privacy Policy"),
    ("Website Privacy Policy · House.gov", "Website Privacy Policy"),
    ("Etsy :: Privacy Policy", "Privacy Policy"),
    # a breadcrumb trail: its last step that names the document (amazon.com, audiomidi.com)
    ("Help > Privacy & Security > Privacy Notice", "Privacy Notice"),
    ("Help > Privacy, Security & Accessibility", "Privacy, Security & Accessibility"),
    ("Legal \u203a Privacy Statement | Acme", "Privacy Statement"),
    ("Home » Legal » Privacy", "Privacy"),
    ("Products > Widgets", "Products > Widgets"),  # no step names the document: kept
    # nothing to clean: kept as it is
    ("Yahoo!7 Privacy Policy", "Yahoo!7 Privacy Policy"),
    ("5 Calls: Make your voice heard", "5 Calls: Make your voice heard"),
    ("x10Hosting - Free Web Hosting for the Masses",
     "x10Hosting - Free Web Hosting for the Masses"),
    ("Home", "Home"),
])
def test_display_title_drops_site_furniture(raw, clean):
    assert display_title(raw) == clean


@pytest.mark.parametrize(("text", "date"), [
    ("2007-06-06", "2007-06-06"), ("2016-02-29", "2016-02-29"), ("2007-13-45", None),
    ("2015-02-29", None), ("0000-00-00", None), ("1900-01-01", None), (None, None)])
def test_valid_date(text, date):
    assert valid_date(text) == date


def _policy_file(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    return Corpus.open(folder)


def test_bogus_archive_date_is_not_shown(tmp_path):
    corpus = _policy_file(tmp_path / "c", "bogus.example.md", (
        "> *The following text is extracted and transformed from the bogus.example privacy "
        "policy that was archived on 2007-13-45. Please check the [original snapshot on the "
        "Wayback Machine](https://web.archive.org/web/2007/bogus.example) for the most "
        "accurate reproduction.*\n\n# Privacy Policy | Bogus Inc.\n\nWe collect your email.\n"))
    policy = corpus.load("bogus.example")
    assert policy.archive_date is None and policy.year is None
    assert policy.source_url == "https://web.archive.org/web/2007/bogus.example"
    assert policy.title == "Privacy Policy"
    assert policy.raw_title == "Privacy Policy | Bogus Inc."
    assert policy.body == "We collect your email."
    header = header_html(policy)
    assert "archived" not in header and "2007-13-45" not in header
    assert "<h2 style='margin:0'>Privacy Policy</h2>" in header


def test_leading_ordinary_quote_keeps_the_title_and_the_quote():
    header, body = parse_header("> Privacy is a right, not a privilege.\n\n"
                                "# Privacy Policy | Acme\n\nWe collect your name.")
    assert header.title == "Privacy Policy | Acme"
    assert (header.domain, header.archive_date, header.source_url) == (None, None, None)
    assert body == "> Privacy is a right, not a privilege.\n\nWe collect your name."


def test_leading_quote_without_a_title_stays_in_the_body():
    header, body = parse_header("> Just an ordinary quote.\n\nBody text.")
    assert header.title is None
    assert body == "> Just an ordinary quote.\n\nBody text."


def test_display_width_counts_wide_characters_twice():
    assert display_width("amazon.com") == 10
    assert display_width("例え.jp") == 7
    assert display_width("😀.example") == 10
    assert display_width("cafe\u0301.fr") == 7  # combining accent takes no column


def test_list_aligns_cjk_and_emoji_domains(tmp_path, capsys):
    folder = tmp_path / "wide"
    for name in ("例え.jp", "😀.example", "plain.example"):
        _policy_file(folder, f"{name}.md", (
            f"> *The following text is extracted and transformed from the {name} privacy "
            "policy that was archived on 2015-03-15.*\n\n# プライバシー | Privacy Policy\n\n"
            "We collect your email address.\n"))
    assert main(["list", "--corpus", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = lines[1:-1]
    assert len(rows) == 3
    columns = {display_width(row[:row.index("2015-03-15")]) for row in rows}
    assert columns == {display_width(lines[0][:lines[0].index("ARCHIVED")])}
    assert all(row.endswith("Privacy Policy") for row in rows)


def test_header_keeps_the_raw_title_in_its_tooltip(make_window):
    window = make_window()
    window.select_company("bmtmicro.com")
    assert "<h2 style='margin:0'>Privacy Policy</h2>" in window.header.text()
    assert window.header.toolTip() == "Title as written: Privacy Policy |"
    window.select_company("ipmart.com")
    assert window.header.toolTip() == "Title as written: IPmart.com - Privacy Policy"
