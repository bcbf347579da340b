"""README's fresh-machine commands and what CI runs stay the same."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", quick_start)


def test_readme_gives_one_launch_and_one_test_command() -> None:
    launch, test = _readme_commands()[:2]
    assert launch.startswith("sh packaging/system-deps.sh && ")
    assert launch.endswith(".venv/bin/privacy-reader")
    assert test.startswith("sh packaging/system-deps.sh && ")
    assert test.endswith(".venv/bin/python -m pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci_lines


def test_system_deps_script_is_valid_shell_and_names_the_xcb_plugin_libraries() -> None:
    script = ROOT / "packaging" / "system-deps.sh"
    subprocess.run(["sh", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "python3-venv"):
        assert package in text
