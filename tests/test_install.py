"""Installed like a user: data files are package data found through importlib.resources.

The full check (build the wheel, install it in a fresh venv, run it from another folder) is
``.ci/smoke_wheel.sh``, which ``.ci/run`` runs after the test suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reader import paths

PROJECT = Path(__file__).resolve().parent.parent


def test_resources_and_corpus_come_from_the_checkout_here(monkeypatch):
    monkeypatch.delenv("PRIVACY_READER_RESOURCES", raising=False)
    assert paths.resources_dir().resolve() == PROJECT / "resources"
    assert paths.embedded_corpus_dir().resolve() == PROJECT / "corpus"
    assert (paths.resources_dir() / "practice_model.npz").is_file()
    monkeypatch.setenv("PRIVACY_READER_RESOURCES", "/somewhere/else")
    assert paths.resources_dir() == Path("/somewhere/else")


def test_an_installed_data_package_is_found_with_importlib_resources(tmp_path, monkeypatch):
    """As a wheel installs them: reader/_resources (a package) and reader/_corpus (policy
    files only, a namespace package)."""
    site = tmp_path / "site"
    shutil.copytree(PROJECT / "reader", site / "reader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "resources", site / "reader" / "_resources")
    shutil.copytree(PROJECT / "corpus", site / "reader" / "_corpus")
    code = ("import reader.paths as p; print(p.resources_dir()); "
            "print(p.embedded_corpus_dir())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin"},
                            check=True)
    assert result.stdout.split() == [str(site / "reader" / "_resources"),
                                     str(site / "reader" / "_corpus")]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_wheel_holds_model_categories_fonts_icon_and_seed_corpus(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(PROJECT / name, source)
    for name in ("reader", "resources", "corpus"):
        shutil.copytree(PROJECT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source),
                    "-w", str(tmp_path / "dist")], check=True, capture_output=True,
                   timeout=600)
    wheel = next((tmp_path / "dist").glob("privacy_reader-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("reader/_resources/categories.json", "reader/_resources/practice_model.npz",
                     "reader/_resources/fonts/DejaVuSans.ttf",
                     "reader/_resources/fonts/LICENSE-DejaVu.txt",
                     "reader/_resources/icons/privacy-reader.svg",
                     "reader/paths.py", "reader/sources/layouts.py", "reader/ui/main_window.py"):
        assert expected in names, expected
    seeds = sorted(n for n in names if n.startswith("reader/_corpus/"))
    assert seeds == [f"reader/_corpus/{p.name}" for p in sorted((PROJECT / "corpus").iterdir())]
    assert len(seeds) == 5
