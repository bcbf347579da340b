"""The code stays ruff clean (rules in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import PROJECT


def test_ruff_clean():
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(PROJECT / ".venv" / "bin"))
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    try:
        result = subprocess.run([*command, "check", "reader", "tests", "bench", "scripts"],
                                cwd=PROJECT, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.skip("ruff is not installed")
    assert result.returncode == 0, result.stdout + result.stderr
