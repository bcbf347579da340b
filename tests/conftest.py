"""Test setup: offscreen Qt, a private user-data folder, shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = PROJECT.parent / "shared"
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
    return PROJECT / "corpus"


@pytest.fixture
def nested_corpus() -> Path:
    return FIXTURES / "nested"


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    return SHARED_CORPUS
