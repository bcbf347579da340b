"""Smoke test of the built app bundle, run as a user would, outside the source tree.

Marked ``bundle`` (skipped by the quick test command): ``pytest -m bundle tests/test_bundle.py``.
Uses the bundle folder in ``PRIVACY_READER_BUNDLE`` when set (``.ci/run`` builds it first),
otherwise builds one with ``packaging/build_bundle.py`` (a few minutes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pdfplumber
import pytest

from reader import __version__
from reader.sources.corpus import Corpus

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "packaging"))

import build_bundle  # noqa: E402

pytestmark = pytest.mark.bundle
SEED_CORPUS = PROJECT / "corpus"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    given = os.environ.get("PRIVACY_READER_BUNDLE")
    if given:
        return Path(given).resolve()
    pytest.importorskip("PyInstaller", reason="pip install -e '.[bundle]' to build the bundle")
    dist = tmp_path_factory.mktemp("dist")
    assert build_bundle.main(["--dist", str(dist), "--work", str(dist / "work")]) == 0
    return dist / build_bundle.bundle_name()


@pytest.fixture
def run(bundle, tmp_path):
    """Run the bundle's executable from an empty folder, with a private user-data folder."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", PRIVACY_READER_DATA=str(tmp_path / "userdata"))
    work = tmp_path / "cwd"
    work.mkdir()

    def run_bundle(*args: str, executable: Path | None = None,
                   engine: str | None = None) -> subprocess.CompletedProcess:
        extra = {"PRIVACY_READER_ENGINE": engine} if engine else {}
        return subprocess.run([str(executable or bundle / "privacy-reader"), *args], cwd=work,
                              env={**env, **extra}, capture_output=True, text=True,
                              timeout=600)

    return run_bundle


def test_version(run):
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"privacy-reader {__version__}"


def test_lists_the_seed_corpus_inside_the_bundle(run, bundle):
    result = run("list")
    assert result.returncode == 0, result.stderr
    seeds = sorted(p.name.removesuffix(".md") for p in SEED_CORPUS.glob("*.md"))
    listed = sorted(line.split()[0] for line in result.stdout.splitlines()[1:-1])
    assert listed == seeds
    assert result.stdout.splitlines()[-1].startswith(f"{len(seeds)} policies in {bundle}")


def test_seed_corpus_and_resources_are_inside_byte_for_byte(bundle):
    internal = bundle / "_internal"
    for src, dest in build_bundle.data_files():
        for path in Path(src).rglob("*"):
            if path.is_file():
                copied = internal / dest / path.relative_to(src)
                assert copied.read_bytes() == path.read_bytes(), copied


def test_search_finds_what_the_source_tree_finds(run):
    result = run("search", "information", "--json")
    assert result.returncode == 0, result.stderr
    frozen = json.loads(result.stdout)
    source = subprocess.run([sys.executable, "-m", "reader", "search", "information", "--json"],
                            capture_output=True, text=True, cwd=PROJECT, check=True)
    expected = json.loads(source.stdout)
    assert frozen["hits"], "no hits"
    assert [h["domain"] for h in frozen["hits"]] == [h["domain"] for h in expected["hits"]]
    assert frozen["total"] == expected["total"]


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_spelling_suggestion_inside_the_bundle(run, engine):
    """A misspelt word gets its "did you mean" inside the bundle too: the edit distance is
    rapidfuzz's compiled code, which must be bundled (a missing module would silently give
    no suggestion)."""
    result = run("search", "informaton", "--json", engine=engine)
    assert result.returncode == 0, result.stderr
    frozen = json.loads(result.stdout)
    assert frozen["total"] == 0
    assert frozen["suggestion"] == "information"


def test_search_with_tantivy_inside_the_bundle(run):
    """The large-corpus engine (tantivy's compiled module) is bundled and answers as the
    source tree's does."""
    result = run("search", "information", "--json", engine="tantivy")
    assert result.returncode == 0, result.stderr
    frozen = json.loads(result.stdout)
    source = subprocess.run([sys.executable, "-m", "reader", "search", "information", "--json"],
                            capture_output=True, text=True, cwd=PROJECT, check=True,
                            env={**os.environ, "PRIVACY_READER_ENGINE": "tantivy"})
    expected = json.loads(source.stdout)
    assert frozen["hits"] and frozen["total"] == expected["total"]
    assert [h["domain"] for h in frozen["hits"]] == [h["domain"] for h in expected["hits"]]


def test_exports_a_pdf_with_text_and_version(run, tmp_path):
    domain = "bmtmicro.com"
    policy = Corpus.open(SEED_CORPUS).load(domain)
    out = tmp_path / "out.pdf"
    result = run("export", domain, "-o", str(out))
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(out) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert pdf.metadata["Creator"] == f"Privacy Policy Reader {__version__}"
        assert all("DejaVu" in char["fontname"] for char in pdf.pages[0].chars)
    assert policy.title in text
    assert f"Company {domain}" in text


def test_opens_the_window_and_quits_when_ready(run):
    result = run("--quit-when-ready")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("window ready at ")
    assert lines[-1] == f"index ready: {len(list(SEED_CORPUS.glob('*.md')))} policies"
    assert "Traceback" not in result.stderr


def test_window_indexes_with_worker_processes(run, tmp_path):
    """60 policies: the window's index build spawns worker processes, which must not start
    another app (multiprocessing.freeze_support in the frozen entry point)."""
    corpus = tmp_path / "many"
    corpus.mkdir()
    seeds = sorted(SEED_CORPUS.glob("*.md"))
    for number in range(60):
        shutil.copyfile(seeds[number % len(seeds)], corpus / f"site{number:02}.example.md")
    result = run("--quit-when-ready", "--corpus", str(corpus))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "index ready: 60 policies"
    # The command line indexes in forked workers: the same index answers it.
    search = run("search", "privacy", "--corpus", str(corpus), "--json")
    assert search.returncode == 0, search.stderr
    assert json.loads(search.stdout)["total"] == 60


def test_policy_history_from_git_inside_the_bundle(run, tmp_path):
    """pygit2 is imported lazily; the bundle must still carry it (and libgit2)."""
    if shutil.which("git") is None:
        pytest.skip("the git program makes the test repository")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    texts = ["We collect your email address when you register an account.\n",
             "We collect your email address when you register an account.\n\n"
             "We share your information with advertising partners for marketing.\n"]
    for number, text in enumerate(texts):
        (repo / "example.com.md").write_text("# Privacy Policy\n\n" + text, "utf-8")
        date = f"202{number}-01-01T12:00:00+00:00"
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "v"], check=True,
                       env=dict(env, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date))
    result = run("history", "example.com", "--corpus", str(repo), "--json")
    assert result.returncode == 0, result.stderr
    versions = json.loads(result.stdout)["versions"]
    assert [v["date"] for v in versions] == ["2020-01-01", "2021-01-01"]
    diff = run("diff", "example.com", "--corpus", str(repo), "--json")
    assert diff.returncode == 0, diff.stderr
    assert "advertising partners" in json.loads(diff.stdout)["added"][0]["text"]


def test_only_the_qt_modules_the_app_uses(bundle):
    pyside = bundle / "_internal" / "PySide6"
    modules = sorted(p.name.split(".")[0] for p in pyside.glob("Qt*.*") if p.is_file())
    assert modules == ["QtCore", "QtGui", "QtPrintSupport", "QtWidgets"]
    assert not (pyside / "Qt" / "translations").exists()
    assert not list(bundle.rglob("libQt6Network*"))
    assert not list(bundle.rglob("libQt6Qml*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .tar.gz is for Linux")
def test_archive_installs_into_local_and_runs(bundle, tmp_path):
    archive = bundle.with_name(bundle.name + ".tar.gz")
    assert archive.is_file()
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "PRIVACY_READER_DATA": str(tmp_path / "userdata")}
    env.pop("PREFIX", None)
    unpacked = tmp_path / "unpacked" / bundle.name
    subprocess.run([str(unpacked / "install.sh")], env=env, check=True, capture_output=True)
    binary = home / ".local" / "bin" / "privacy-reader"
    result = subprocess.run([str(binary), "list"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"policies in {home / '.local' / 'lib' / 'privacy-reader'}" in result.stdout
    subprocess.run([str(home / ".local" / "lib" / "privacy-reader" / "install.sh"),
                    "--uninstall"], env=env, check=True, capture_output=True)
    assert not binary.exists() and not (home / ".local" / "lib" / "privacy-reader").exists()
