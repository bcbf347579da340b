"""The code stays ruff clean (rules in pyproject.toml), with the ruff of the test extra."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from conftest import PROJECT


def test_ruff_clean():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "reader", "tests", "bench", "scripts"],
        cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
