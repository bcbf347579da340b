"""CLI commands and exit codes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

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
    rows = [line.split() for line in out.splitlines()[1:-1]]
    assert [(r[0], r[1]) for r in rows] == [
        ("audiomidi.com", "2014-04-08"), ("bettymills.com", "2015-03-15"),
        ("bizdesign.com", "2010-06-22"), ("bmtmicro.com", "2016-11-26"),
        ("ipmart.com", "2013-05-22")]
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


def test_list_counts_the_policies_it_lists(tmp_path, capsys):
    """A folder with a binary .md beside a policy said '2 policies' above one row."""
    (tmp_path / "bad.com.md").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "good.com.md").write_text("# Privacy\n\nWe collect your email.\n", "utf-8")
    assert main(["list", "--corpus", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == ["good.com"]
    assert lines[-1] == f"1 policy in {tmp_path} (1 file skipped, see the warnings)"
    assert "bad.com.md" in captured.err and "binary" in captured.err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["list", "--corpus", str(empty)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"0 policies in {empty} (no .md, .markdown or .txt files found)")


def test_list_json_gives_the_rows_of_the_table(tmp_path, capsys):
    """'list --json': what the table shows, one object a policy, and the files skipped."""
    (tmp_path / "bad.com.md").write_bytes(b"\x00\x01\x02binary")
    assert main(["list"]) == 0
    table = capsys.readouterr().out.splitlines()[1:-1]
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["company"] for p in listed["policies"]] == [row.split()[0] for row in table] == [
        "audiomidi.com", "bettymills.com", "bizdesign.com", "bmtmicro.com", "ipmart.com"]
    assert [(p["archived"], p["words"]) for p in listed["policies"]] == [
        (row.split()[1], int(row.split()[2])) for row in table]
    audiomidi = listed["policies"][0]
    assert audiomidi["title"] == "Privacy, Security & Accessibility"  # "Help > ..." read
    assert audiomidi["type"] == "Privacy Policy" and audiomidi["source"].startswith("http")
    assert listed["skipped"] == []
    (tmp_path / "good.com.md").write_text("# Privacy\n\nWe collect your email.\n", "utf-8")
    assert main(["list", "--corpus", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    listed = json.loads(captured.out)
    assert [p["company"] for p in listed["policies"]] == ["good.com"]
    assert listed["policies"][0]["archived"] is None and listed["policies"][0]["words"] == 4
    assert [s["company"] for s in listed["skipped"]] == ["bad.com"]
    assert "binary" in listed["skipped"][0]["message"] and "bad.com.md" in captured.err


def test_show_json_gives_the_details_and_the_text_the_viewer_shows(capsys, embedded_corpus):
    """'show --json': the row 'list --json' gives, and the rendered blocks word for word."""
    from reader.output.highlight import HighlightedPolicy
    from reader.sources.corpus import Corpus

    assert main(["list", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["policies"][-1]
    assert main(["show", "ipmart.com", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {k: shown[k] for k in row} == row and row["company"] == "ipmart.com"
    assert shown["reading_minutes"] == 3
    assert shown["blocks"][2] == {"tag": "p", "number": None,
                                  "text": "Information we collect and sources of information."}
    text = HighlightedPolicy.of(Corpus.open(embedded_corpus).load("ipmart.com")).document.text
    assert " ".join(b["text"] for b in shown["blocks"]).split() == text.split()


def test_classify_json_is_what_the_panel_shows(capsys, embedded_corpus):
    """'classify DOMAIN --json': the panel's categories and counts, every passage with its
    categories and confidence, the facts, from the one decision the viewer uses."""
    from reader.output.highlight import HighlightedPolicy
    from reader.sources.corpus import Corpus

    assert main(["classify", "ipmart.com", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    analysis = HighlightedPolicy.of(Corpus.open(embedded_corpus).load("ipmart.com")).analysis
    # (Collection: 11 before "Order and Credit Card Information", in bold, was read as a
    # heading, DECISION_VERSION 12.)
    assert result["categories"] == {"first_party_collection": 10, "third_party_sharing": 4,
                                     "data_security": 5} == analysis.passage_counts()
    assert len(result["passages"]) == len(analysis.spans)
    first = result["passages"][0]
    assert first["text"] == ("Under no circumstances will your information be shared with, or "
                             "sold to, or disclosed to any third party, except where required "
                             "by law.")
    assert first["categories"] == ["third_party_sharing"] and first["confident"] == [True]
    assert analysis.text[first["start"]:first["end"]].split() == first["text"].split()
    assert [p["confident"] for p in result["passages"]].count([False]) >= 1
    assert result["facts"] == analysis.stated_facts() and result["language"] == "en"


def test_bad_arguments_exit_code():
    result = _cli("show")
    assert result.returncode == 2
    assert "usage" in result.stderr


def _one_line_error(capsys, expected: str) -> None:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err


def test_missing_corpus_never_falls_back_to_the_embedded_one(tmp_path, capsys):
    typo = str(tmp_path / "typo")
    for argv in (["--corpus", typo], ["gui", "--corpus", typo], ["--corpus", typo, "list"],
                 ["search", "privacy", "--corpus", typo]):
        assert main(argv) == 2, argv
        _one_line_error(capsys, f"corpus folder not found: {typo}")
    (tmp_path / "file.md").write_text("x", "utf-8")
    assert main(["--corpus", str(tmp_path / "file.md")]) == 2
    _one_line_error(capsys, "not a folder")


@pytest.mark.parametrize("limit", ["0", "-1", "ten"])
def test_limit_must_be_a_positive_number(limit):
    for argv in (["search", "privacy", "--limit", limit],
                 ["export", "--search", "privacy", "--limit", limit]):
        result = _cli(*argv)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "argument --limit:" in result.stderr and "usage:" in result.stderr


def test_search_limit_one(capsys):
    assert main(["search", "cookies", "--limit", "1"]) == 0
    assert "(showing 1," in capsys.readouterr().out


DOMAIN = "bmtmicro.com"  # a seed policy of the embedded corpus


def test_export_into_an_existing_folder_with_o(tmp_path, capsys):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    assert main(["export", DOMAIN, "-o", str(folder)]) == 0
    assert (folder / f"{DOMAIN}.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "pdfs.pdf").exists()
    assert f"wrote {folder / DOMAIN}.pdf" in capsys.readouterr().out


def test_export_o_and_d_together_is_an_error(tmp_path, capsys):
    assert main(["export", DOMAIN, "-o", str(tmp_path / "a.pdf"), "-d", str(tmp_path)]) == 2
    _one_line_error(capsys, "not both")
    assert list(tmp_path.iterdir()) == []


def test_export_same_policy_twice_is_written_once(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", DOMAIN, DOMAIN.upper(), "-d", str(out)]) == 0
    assert f"wrote 1 PDF file to {out}" in capsys.readouterr().out
    assert [p.name for p in out.iterdir()] == [f"{DOMAIN}.pdf"]


def test_export_missing_parent_folders_refused_by_o_and_d_alike(tmp_path, capsys):
    missing = tmp_path / "no" / "such"
    assert main(["export", DOMAIN, "-o", str(missing / "x.pdf")]) == 2
    _one_line_error(capsys, "does not exist")
    assert main(["export", DOMAIN, "-d", str(missing)]) == 2
    _one_line_error(capsys, f"the folder {tmp_path / 'no'} does not exist")
    assert not (tmp_path / "no").exists()
    assert main(["export", DOMAIN, "-d", str(tmp_path / "new")]) == 0  # parent exists
    assert (tmp_path / "new" / f"{DOMAIN}.pdf").is_file()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_exported_pdf_mode_follows_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        assert main(["export", DOMAIN, "-o", str(tmp_path / "one.pdf")]) == 0
        assert main(["export", DOMAIN, "-d", str(tmp_path / "many")]) == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "one.pdf", tmp_path / "many" / f"{DOMAIN}.pdf"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_classify_jsonl_answers_bad_lines_and_goes_on():
    lines = ['{"text": "We share your email address with advertisers."}',
             "not json",
             '{"txt": "missing field"}',
             "",
             '{"text": 42}',
             '["text"]',
             '{"text": "We use SSL encryption to protect your data."}']
    result = subprocess.run([sys.executable, "-m", "reader", "classify", "--jsonl"],
                            input="\n".join(lines) + "\n", capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 6
    assert "third_party_sharing" in answers[0]["categories"]
    assert answers[1]["line"] == 2 and "Expecting value" in answers[1]["error"]
    assert answers[2] == {"line": 3, "error": 'expected an object with a "text" field'}
    assert answers[3] == {"line": 5, "error": '"text" is not a string'}
    assert answers[4]["line"] == 6
    assert "data_security" in answers[5]["categories"]
    assert "4 input lines could not be classified" in result.stderr


def test_classify_jsonl_all_good_exits_zero():
    result = subprocess.run([sys.executable, "-m", "reader", "classify", "--jsonl"],
                            input='{"text": "We collect your name."}\n', capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == ""
    assert "first_party_collection" in json.loads(result.stdout)["categories"]


def test_show_numbers_a_list_resumed_after_a_paragraph(shared_corpus, capsys):
    """japantimes.co.jp: steps 1 and 2, an address, then step 3 (it printed "- ")."""
    assert main(["show", "japantimes.co.jp", "--corpus", str(shared_corpus)]) == 0
    out = capsys.readouterr().out
    assert "1. Obtain an Application Form for Disclosure" in out
    assert "\n3. We will send you a reply by registered mail." in out
    assert "\n- In the event that the request is made by an agent" in out
