"""Test setup: offscreen Qt, a private user-data folder, shared fixtures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

import reader  # noqa: F401 - first, as in the app: numpy's BLAS then runs without threads

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PRIVACY_READER_WELCOME"] = "0"  # no first-run welcome unless a test asks
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def git(repo: Path, *args: str, date: str = "2020-01-01T12:00:00+00:00") -> str:
    """Run git in ``repo`` as a test's author, on ``date``, with no user or system config."""
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, env=env,
                          capture_output=True, text=True).stdout


def _find_shared() -> Path:
    """``../shared`` beside the repo; in a git worktree nested deeper, beside an ancestor."""
    for folder in PROJECT.parents:
        if (folder / "shared").is_dir():
            return folder / "shared"
    return PROJECT.parent / "shared"


SHARED = _find_shared()
SHARED_CORPUS = SHARED / "corpus"
OPP115 = SHARED / "opp115"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own user-data folder (indexes, settings never touch $HOME)."""
    folder = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("PRIVACY_READER_DATA", str(folder))
    return folder


@pytest.fixture
def embedded_corpus() -> Path:
    """The five real seed policies that ship with the app (``corpus/``)."""
    return PROJECT / "corpus"


@pytest.fixture(params=("whoosh", "tantivy"))  # reader.search.engine.ENGINES
def seed_index(embedded_corpus, request):
    """The seed policies' index, in each engine."""
    from reader.search.engine import open_index
    from reader.sources.corpus import Corpus

    if request.param == "tantivy":
        pytest.importorskip("tantivy")
    policy_index = open_index(Corpus.open(embedded_corpus), request.param)
    policy_index.open()
    policy_index.update(workers=1)
    yield policy_index
    policy_index.close()


@pytest.fixture
def demo_corpus() -> Path:
    """Five short demo policies of fictional companies, written to exercise every practice."""
    return FIXTURES / "demo"


@pytest.fixture
def nested_corpus() -> Path:
    return FIXTURES / "nested"


def shared_folder(name: str) -> Path:
    """A folder of ``../shared``, or skip the test when this machine does not have it."""
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(f"../shared/{name} is not present on this machine")
    return folder


def clone_history_bundle(name: str, target: Path) -> Path:
    """A working copy of the git bundle ``../shared/history/<name>`` at ``target`` (its
    ``main`` branch), or skip the test when this machine has no such bundle or no git."""
    bundle = SHARED / "history" / name
    if not bundle.is_file() or shutil.which("git") is None:
        pytest.skip(f"../shared/history/{name} is not present")
    subprocess.run(["git", "clone", "-q", "-b", "main", str(bundle), str(target)],
                   check=True, capture_output=True)
    return target


@pytest.fixture
def shared_seeds() -> Path:
    return shared_folder("seeds")


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    return SHARED_CORPUS


def wait_idle(qtbot, window) -> None:
    """Until a main window's index, search and file-check workers are done."""
    qtbot.waitUntil(lambda: window.index_worker is None and window.search_worker is None
                    and window.check_worker is None, timeout=60000)


@pytest.fixture
def make_window(qtbot):
    """Makes shown main windows (on a corpus folder, or the embedded one), idle; at the
    end closes their message boxes and waits for their workers."""
    from PySide6.QtWidgets import QMessageBox

    from reader.output.fonts import register_fonts
    from reader.ui.main_window import MainWindow

    register_fonts()
    created = []

    def make(corpus=None, restore=False) -> MainWindow:
        window = MainWindow(str(corpus) if corpus else None, restore=restore)
        qtbot.addWidget(window)
        window.resize(1300, 800)
        window.show()
        wait_idle(qtbot, window)
        created.append(window)
        return window

    yield make
    for window in created:
        for box in window.findChildren(QMessageBox):
            box.close()
        window.pool.waitForDone(10000)


_WORD = re.compile(r"[^\W_]+")
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]*|mailto:[^<>\s]*|[^<>\s@]+@[^<>\s@]+)>")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")


def shown_words(text: str) -> list[str]:
    """The words of a text, as the checks below compare them."""
    return _WORD.findall(text)


def source_words(body: str) -> list[str]:
    """The words a reader should see of a markdown body, in order: links as their text,
    autolinks as their address, tags of HTML elements removed (other ``<name>`` is text),
    numbers of numbered list items left to the list, "*" of emphasis removed."""
    from reader.analysis.document import HTML_ELEMENTS

    body = _AUTOLINK.sub(r"\1", _MD_LINK.sub(r"\1", body))
    body = _TAG.sub(lambda m: " " if m.group(1).lower() in HTML_ELEMENTS else m.group(), body)
    body = re.sub(r"(?m)^\s*\d+\.(?=\s)", " ", body).replace("*", "")
    return shown_words(body)


def pdf_policy_characters(path: Path) -> tuple[Counter, list[int]]:
    """The characters (not spaces) an exported PDF prints from its "Policy text" heading
    on, and the numbers of those pages; asserts that no page holds text outside its box
    (Qt's own print_ wrote the line before a page break again above the next page, where
    no reader sees it but text extraction does). pdfium reads ~100 pages/s, many times
    faster than pdfplumber; its text comes in drawing order, not reading order, hence a
    multiset."""
    import pypdfium2

    found: Counter = Counter()
    pages: list[int] = []
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        started = False
        for number in range(len(pdf)):
            page = pdf[number]
            width, height = page.get_size()
            text_page = page.get_textpage()
            everything = text_page.get_text_range()
            within = text_page.get_text_bounded(0, 0, width, height)
            assert _letters(everything) == _letters(within), (
                f"{path.name} page {number + 1} holds text off the page")
            top = height
            if not started:
                hit = text_page.search("Policy text", match_case=True,
                                       match_whole_word=True).get_next()
                if hit is None:
                    continue
                first, count = hit
                top = min(text_page.get_charbox(first + i)[1] for i in range(count)) - 1
                started = True
            text = text_page.get_text_bounded(0, 0, width, top)
            text = text.replace("\x02", "-")  # pdfium's mark for a hyphen ending a line
            found.update(char for char in text if not char.isspace())
            pages.append(number + 1)
    finally:
        pdf.close()
    return found, pages


def _letters(text: str) -> Counter:
    return Counter(char for char in text if not char.isspace() and char not in "\x02\ufffe")


def expected_pdf_characters(document, pages: list[int]) -> Counter:
    """What :func:`pdf_policy_characters` should find on ``pages``: every character of
    ``document``'s text (but the invisible format characters some pages hold, a zero-width
    space or a left-to-right mark: nothing to print), the numbers of numbered list items
    and the page numbers."""
    expected = Counter(char for char in document.text
                       if not char.isspace() and unicodedata.category(char) != "Cf")
    for block in document.blocks:
        if block.number is not None:
            expected.update(f"{block.number}.")
    for page in pages:
        expected.update(str(page))
    return expected
