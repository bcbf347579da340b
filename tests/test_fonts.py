"""Characters no installed font draws: named on screen, by `export`, and in the GUI's
export notices, never silently printed as empty boxes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reader.output.export import ensure_gui_application
from reader.output.fonts import characters_without_a_font, missing_font_message

# Scripts few computers have a font for: Egyptian hieroglyphs, Mayan numerals, Hanifi Rohingya
RARE = ("\U00013000", "\U0001D2E0", "\U00010D00")


@pytest.fixture(scope="module")
def no_font_character() -> str:
    ensure_gui_application()
    for char in RARE:
        if characters_without_a_font(char) == char:
            return char
    pytest.skip("every candidate character has a font on this computer")


@pytest.fixture
def boxed_corpus(tmp_path, no_font_character):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "boxes.example.md").write_text(
        f"# Privacy Policy\n\nWe collect your email address {no_font_character} to send "
        "receipts.\n", encoding="utf-8")
    (folder / "plain.example.md").write_text(
        "# Privacy Policy\n\nWe collect your email address to send receipts.\n",
        encoding="utf-8")
    return folder


def test_only_characters_no_font_draws_are_listed(no_font_character):
    text = f"Plain é text, “quotes” – {no_font_character}\u200b\x80\t{no_font_character}"
    assert characters_without_a_font(text) == no_font_character
    message = missing_font_message(no_font_character, "boxes.example")
    assert message.startswith("boxes.example has characters that no font on this computer "
                              "can draw")
    assert f"U+{ord(no_font_character):04X}" in message and "fonts-noto" in message


def test_cli_export_warns_of_characters_printed_as_empty_boxes(boxed_corpus, tmp_path,
                                                               no_font_character):
    def export(domain: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "reader", "export", domain, "--corpus", str(boxed_corpus),
             "-o", str(tmp_path / f"{domain}.pdf")],
            capture_output=True, text=True, timeout=300)

    boxed = export("boxes.example")
    assert boxed.returncode == 0, boxed.stderr
    assert (tmp_path / "boxes.example.pdf").stat().st_size > 1000  # written all the same
    assert (f"warning: boxes.example.pdf has characters that no font on this computer can "
            f"draw; they show as empty boxes: {no_font_character} "
            f"(U+{ord(no_font_character):04X})") in boxed.stderr
    plain = export("plain.example")
    assert plain.returncode == 0 and "warning" not in plain.stderr


def test_the_window_and_its_export_name_characters_without_a_font(make_window, qtbot,
                                                                  boxed_corpus, tmp_path,
                                                                  no_font_character):
    from reader.ui.export_dialog import export_current

    window = make_window(boxed_corpus)
    window.select_company("boxes.example")
    code = f"U+{ord(no_font_character):04X}"
    assert code in window.notice_bar.summary("no-font")
    export_current(window, str(tmp_path / "boxes.pdf"))
    qtbot.waitUntil(lambda: window.export_worker is None, timeout=60000)
    assert window.notice_bar.summary("unprintable").startswith(
        "boxes.pdf has characters that no font")
    assert code in window.notice_bar.summary("unprintable")
    window.select_company("plain.example")
    assert "no-font" not in window.notice_bar.rows


def test_compare_pdf_warns_of_characters_printed_as_empty_boxes(boxed_corpus, tmp_path,
                                                                no_font_character):
    done = subprocess.run(
        [sys.executable, "-m", "reader", "compare", "boxes.example", "plain.example",
         "--corpus", str(boxed_corpus), "-o", str(tmp_path / "both.pdf")],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (f"warning: both.pdf has characters that no font on this computer can draw; they "
            f"show as empty boxes: {no_font_character}") in done.stderr
