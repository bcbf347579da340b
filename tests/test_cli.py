"""CLI commands and exit codes."""

from __future__ import annotations

import subprocess
import sys

from reader import __version__
from reader.cli import main


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          text=True, timeout=120)


def test_version():
    result = _cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"privacy-reader {__version__}"


def test_list_embedded(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "northwind-books.example" in out
    assert "5 policies in" in out


def test_list_nested_with_dates(nested_corpus, capsys):
    assert main(["list", "--corpus", str(nested_corpus)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["acme-widgets.test", "2009-04-02"]
    assert lines[2].split()[:2] == ["zorbo.test", "2016-11-30"]
    assert main(["--corpus", str(nested_corpus), "list"]) == 0


def test_show(nested_corpus, capsys):
    assert main(["show", "acme-widgets.test", "--corpus", str(nested_corpus)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Acme Widgets Privacy Policy\n")
    assert "Archived: 2009-04-02" in out
    assert "We may sell your information to advertisers." in out


def test_exit_code_2_for_missing_corpus_and_unknown_domain(tmp_path, capsys):
    assert main(["list", "--corpus", str(tmp_path / "missing")]) == 2
    assert "corpus folder not found" in capsys.readouterr().err
    assert main(["show", "nosuch.example"]) == 2
    assert "no policy for 'nosuch.example'" in capsys.readouterr().err


def test_unreadable_policy_exit_code(tmp_path, capsys):
    (tmp_path / "bad.com.md").write_bytes(b"\x00\x01\x02binary")
    assert main(["show", "bad.com", "--corpus", str(tmp_path)]) == 2
    assert "binary" in capsys.readouterr().err


def test_bad_arguments_exit_code():
    result = _cli("show")
    assert result.returncode == 2
    assert "usage" in result.stderr
