"""Command-line interface: ``privacy-reader [COMMAND] [--corpus DIR] ...``.

With no command it opens the desktop app. Every command uses the same library functions as
the GUI.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from reader import __version__
from reader.paths import embedded_corpus_dir
from reader.sources.corpus import (
    Corpus,
    CorpusError,
    Policy,
    PolicyLoadError,
    corpus_folder_problem,
)
from reader.sources.layouts import is_privacy_policy
from reader.sources.sites import snapshot_note
from reader.wording import counted, noun_for

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


def _open_corpus(args: argparse.Namespace) -> Corpus:
    try:
        return Corpus.open(args.corpus or embedded_corpus_dir())
    except CorpusError as exc:
        raise CliError(str(exc)) from exc


def _open_indexed_corpus(args: argparse.Namespace, check_files: bool = True) -> Corpus:
    """The corpus for ``search`` and ``index``: its listing is kept under the data dir, as
    the app keeps it, and reused while its folders are unchanged (adding, deleting or
    renaming a file changes them); with ``check_files``, files edited in place are found
    by their size and time, and any change lists the folder again. At 100,000 policies
    this saves the seconds of walking the folders (``search`` checks only the files of
    the hits it shows, see :func:`_edited_hits`)."""
    from reader.paths import user_data_dir

    try:
        listings = user_data_dir() / "listings"
    except OSError:
        listings = None
    try:
        corpus = Corpus.open(args.corpus or embedded_corpus_dir(), cache_dir=listings)
        if check_files and corpus.from_cache and corpus.stale():
            corpus.rescan()
    except CorpusError as exc:
        raise CliError(str(exc)) from exc
    return corpus


def _load_policy(corpus: Corpus, name: str) -> Policy:
    entry = corpus.find(name)
    if entry is None:
        raise CliError(f"no policy for {name!r} in {corpus.root} (try: privacy-reader list)")
    try:
        return corpus.load(entry.domain)
    except PolicyLoadError as exc:
        raise CliError(str(exc)) from exc


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK and emoji count two, combining marks and
    zero-width characters none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
            continue
        width += 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (see :func:`display_width`)."""
    return text + " " * max(0, width - display_width(text))


def _policy_row(policy: Policy, path: Path | str) -> dict:
    """A policy's metadata as ``list --json`` and ``show --json`` give it."""
    return {"company": policy.domain, "archived": policy.archive_date,
            "words": policy.word_count, "title": " ".join(policy.title.split()),
            "type": policy.doc_type, "source": policy.source_url,
            "snapshot_site": policy.snapshot_site, "file": str(path)}


def cmd_list(args: argparse.Namespace) -> int:
    corpus = _open_corpus(args)
    out = sys.stdout
    wanted = (args.type or "").strip().casefold()
    entries = [e for e in corpus.entries if wanted in e.doc_type.casefold()]
    width = max([32, *(display_width(e.domain) + 1 for e in entries)])
    if not args.json:
        out.write(f"{pad('COMPANY', width)} {'ARCHIVED':10} {'WORDS':>7}  TITLE\n")
    listed: list[dict] = []
    skipped: list[dict] = []
    for entry in entries:
        try:
            policy = corpus.load(entry.domain)
        except PolicyLoadError as exc:
            print(f"warning: {exc}", file=sys.stderr)
            skipped.append({"company": entry.domain, "file": str(entry.path),
                            "message": str(exc)})
            continue
        title = " ".join(policy.title.split())
        listed.append(_policy_row(policy, entry.path))
        if not args.json:
            site = f"  [{snapshot_note(policy.snapshot_site)}]" if policy.snapshot_site else ""
            out.write(f"{pad(entry.domain, width)} {policy.archive_date or '-':10} "
                      f"{policy.word_count:>7}  {title}{site}\n")
    if args.json:
        json.dump({"corpus": str(corpus.root), "policies": listed, "skipped": skipped}, out,
                  ensure_ascii=False, indent=1)
        out.write("\n")
        return EXIT_OK
    kind = f" of type {args.type!r}" if wanted else ""
    # The policies listed: a file that cannot be read is no policy (it said "2 policies"
    # above one row and a warning).
    note = (f" ({counted(len(skipped), 'file', False)} skipped, see the warnings)"
            if skipped else "")
    if not corpus.entries:
        from reader.sources.history import nothing_checked_out

        hint = nothing_checked_out(corpus.root)
        note = f" (no .md, .markdown or .txt files found{'; ' + hint if hint else ''})"
    out.write(f"{counted(len(listed), 'policy', False)}{kind} in {corpus.root}{note}\n")
    return EXIT_OK


def policy_as_text(policy: Policy) -> str:
    """A policy as readable plain text: metadata lines, then the rendered blocks."""
    from reader.analysis.document import parse_policy

    document = parse_policy(policy.body)
    lines = [policy.title, "=" * min(len(policy.title), 78), f"Company:  {policy.domain}"]
    if policy.snapshot_site:
        lines.append(f"Snapshot: {policy.snapshot_site} (the archived page was on that site)")
    if not is_privacy_policy(policy.doc_type):
        lines.append(f"Document: {policy.doc_type}")
    if policy.archive_date:
        lines.append(f"Archived: {policy.archive_date}")
    if policy.source_url:
        lines.append(f"Source:   {policy.source_url}")
    lines.append(f"Length:   {counted(policy.word_count, 'word', thousands=False)}, "
                 f"about {policy.reading_minutes} min")
    lines.append("")
    for block in document.blocks:
        prefix = f"{block.number}. " if block.number else "- " if block.tag == "li" else ""
        lines.append(prefix + block.text.strip())
        lines.append("")
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    corpus = _open_corpus(args)
    policy = _load_policy(corpus, args.domain)
    if not args.json:
        sys.stdout.write(policy_as_text(policy))
        return EXIT_OK
    from reader.analysis.document import parse_policy

    entry = corpus.find(args.domain)
    assert entry is not None  # _load_policy found it
    row = _policy_row(policy, entry.path)
    row["reading_minutes"] = policy.reading_minutes
    # the rendered blocks, in order: what the viewer shows, word for word
    row["blocks"] = [{"tag": block.tag, "number": block.number, "text": block.text.strip()}
                     for block in parse_policy(policy.body).blocks]
    json.dump(row, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_classify(args: argparse.Namespace) -> int:
    from reader.analysis.fact_categories import category_row_note, facts_beside_categories
    from reader.analysis.practices import analyze_text
    from reader.analysis.taxonomy import category
    from reader.output.highlight import HighlightedPolicy

    if args.jsonl:
        return _classify_lines(sys.stdin, sys.stdout, analyze_text)
    if not args.domain:
        raise CliError("classify needs a DOMAIN or --jsonl")
    policy = _load_policy(_open_corpus(args), args.domain)
    analysis = HighlightedPolicy.of(policy).analysis
    if args.json:
        _classify_json(policy, analysis)
        return EXIT_OK
    counts = analysis.passage_counts()
    print(f"{policy.domain}: {policy.title}")
    if caveat := analysis.caveat():
        print(f"note: {caveat}")
    for category_id in analysis.categories:
        count = counts.get(category_id, 0)
        print(f"  {category(category_id).name:32} {count:4} {noun_for(count, 'passage')}")
    for category_id, stated in facts_beside_categories(analysis).categories.items():
        print(f"  {category(category_id).name:32}    {category_row_note(stated)}")
    print()
    for span in analysis.spans:
        text = " ".join(analysis.passage_text(span).split())
        print(f"[{', '.join(span.categories)}] {text}")
    print(f"\nfacts stated: {', '.join(analysis.stated_facts()) or 'none'}")
    if denied := analysis.denied_facts():
        print(f"says it does not: {', '.join(denied)}")
    return EXIT_OK


def _classify_json(policy: Policy, analysis) -> None:
    """``classify DOMAIN --json``: the panel's categories, passages and notes, as decided
    once for every view (offsets into ``analysis.text``, the rendered text)."""
    from reader.analysis.fact_categories import category_row_note, facts_beside_categories

    counts = analysis.passage_counts()
    result = {
        "company": policy.domain, "title": " ".join(policy.title.split()),
        "language": analysis.language, "note": analysis.caveat() or None,
        "categories": {c: counts.get(c, 0) for c in analysis.categories},
        # stated in the facts card but with no passage of the category (the panel's note)
        "category_notes": {c: category_row_note(stated) for c, stated
                           in facts_beside_categories(analysis).categories.items()},
        "passages": [{"start": span.start, "end": span.end,
                      "categories": list(span.categories),
                      "confident": list(span.confident or [True] * len(span.categories)),
                      "text": " ".join(analysis.passage_text(span).split())}
                     for span in analysis.spans],
        "facts": analysis.stated_facts(), "does_not": analysis.denied_facts(),
    }
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _classify_lines(lines, out, analyze_text) -> int:
    """One JSON result per input line; a bad line is answered with
    ``{"line": n, "error": "..."}`` and the stream goes on. Exit 1 if any line failed."""
    from reader.analysis.fact_categories import facts_json_notes

    failures = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "text" not in record:
                raise ValueError('expected an object with a "text" field')
            text = record["text"]
            if not isinstance(text, str):
                raise ValueError('"text" is not a string')
            analysis = analyze_text(text)
        except (ValueError, RecursionError) as exc:
            failures += 1
            result = {"line": number, "error": str(exc)}
        else:
            result = {
                "categories": analysis.categories,
                "scores": analysis.scores,
                # One entry per sentence and category, the most confident category first.
                "spans": [[s.start, s.end, c] for s in analysis.spans for c in s.categories],
                "facts": analysis.stated_facts(),  # ids of the shown facts it states
                "does_not": analysis.denied_facts(),  # ... it says it does not do
                # stated facts whose sentences are not (all) passages of their category
                "fact_notes": facts_json_notes(analysis),
                "language": analysis.language,  # not "en": the models are not to be trusted
            }
        out.write(json.dumps(result) + "\n")
        out.flush()
    if failures:
        print(f"warning: {failures} input lines could not be classified", file=sys.stderr)
    return EXIT_FAILURE if failures else EXIT_OK


def _progress_printer(stream=None):
    """A terminal progress line: count, rate and ETA (only drawn on a terminal)."""
    stream = stream or sys.stderr
    interactive = stream.isatty()

    def show(progress) -> None:
        if not interactive or not progress.total:
            return
        eta = f"{progress.eta:4.0f} s left" if progress.eta is not None else ""
        width = 30
        filled = int(width * progress.done / progress.total)
        stream.write(f"\rindexing [{'#' * filled}{'.' * (width - filled)}] "
                     f"{progress.done}/{progress.total}  {progress.rate:5.0f}/s  {eta}  ")
        stream.flush()
        if progress.done == progress.total:
            stream.write("\n")

    return show


def _update_index(corpus: Corpus, quiet: bool = False, rebuild: bool = False):
    """The corpus's index, brought up to date (or rebuilt); a damaged one is rebuilt with
    a warning. An unusable data folder is an error naming it."""
    from reader.paths import folder_problem
    from reader.search.engine import open_index
    from reader.search.query import SearchError

    policy_index = None
    try:
        policy_index = open_index(corpus)
        policy_index.open()
        progress = None if quiet else _progress_printer()
        report = (policy_index.rebuild(progress) if rebuild
                  else policy_index.update(progress))
    except (SearchError, OSError) as exc:
        if policy_index:
            policy_index.close()
        if isinstance(exc, OSError):
            raise CliError(f"the search index is unavailable: {folder_problem(exc)}; "
                           "set PRIVACY_READER_DATA to a writable folder") from exc
        raise CliError(str(exc)) from exc
    return policy_index, report


def cmd_index(args: argparse.Namespace) -> int:
    corpus = _open_indexed_corpus(args)
    policy_index, report = _update_index(corpus, rebuild=args.rebuild)
    try:
        total = policy_index.doc_count()
    finally:
        policy_index.close()
    rate = report.indexed / report.seconds if report.seconds and report.indexed else 0
    print(f"{counted(total, 'policy', False)} indexed in {policy_index.folder}")
    print(f"added {report.added}, changed {report.changed}, deleted {report.deleted}, "
          f"unchanged {report.unchanged}, not readable {len(report.failed)} "
          f"({report.seconds:.1f} s{f', {rate:.0f} policies/s' if rate else ''})")
    return EXIT_OK


def _search(policy_index, query: str, limit: int, quiet: bool):
    """Search; an index found damaged on reading is rebuilt (with a warning) and the
    search run again."""
    from reader.search.engine import IndexDamagedError

    try:
        return policy_index.search(query, limit=limit)
    except IndexDamagedError as exc:
        print(f"warning: {exc}", file=sys.stderr)
        policy_index.update(None if quiet else _progress_printer())
        return policy_index.search(query, limit=limit)


def _edited_hits(corpus: Corpus, hits) -> bool:
    """Whether a hit's file differs in size or time from the listing the index was
    brought up to date with (edited in place, or gone)."""
    for hit in hits:
        try:
            entry = corpus.entry(hit.domain)
            stat = os.stat(hit.path)
        except (KeyError, OSError):
            return True
        if (str(hit.path), stat.st_size, stat.st_mtime) != (str(entry.file), entry.size,
                                                             entry.mtime):
            return True
    return False


def cmd_search(args: argparse.Namespace) -> int:
    """Search the index. The kept listing is trusted while its folders are unchanged (the
    check of every file's size and time is a third of a search at 100,000 policies and is
    the ``index`` command's job); the files of the hits shown are checked, and if one was
    edited in place every file is checked, the index brought up to date and the search run
    again, so no hit is shown from a policy's old text."""
    from reader.search.query import SearchError, terminal_snippet

    corpus = _open_indexed_corpus(args, check_files=False)
    policy_index, _ = _update_index(corpus, quiet=args.json)
    try:
        results = _search(policy_index, args.query, args.limit, quiet=args.json)
        if _edited_hits(corpus, results.hits):
            if corpus.stale():
                corpus.rescan()
            policy_index.update(None if args.json else _progress_printer())
            results = _search(policy_index, args.query, args.limit, quiet=args.json)
    except SearchError as exc:
        raise CliError(str(exc)) from exc
    finally:
        policy_index.close()
    if args.json:
        json.dump({"query": results.query, "total": results.total,
                   "total_is_exact": results.total_is_exact,
                   "suggestion": results.suggestion,
                   "hits": [hit.as_json() for hit in results.hits]}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    if results.suggestion:
        print(f"Did you mean: {results.suggestion}")
    about = "" if results.total_is_exact else "about "
    verb = "matches" if results.total == 1 else "match"
    print(f"{about}{counted(results.total, 'policy', False)} {verb} {args.query!r} "
          f"(showing {len(results.hits)}, {results.seconds * 1000:.0f} ms)")
    for rank, hit in enumerate(results.hits, 1):
        print(f"\n{rank:3}. {hit.domain}  {hit.date or ''}  score {hit.score:.2f}  "
              f"{hit.found_for(thousands=False)}".rstrip())
        print(f"     {hit.title}")
        for snippet in hit.snippets:
            print(f"     {terminal_snippet(snippet)}")
    return EXIT_OK


def _warn_unprintable(path: Path, characters: str | set[str]) -> None:
    """Warn of a written PDF's characters that print as empty boxes (no font has them)."""
    from reader.output.fonts import missing_font_message

    if characters:
        print(f"warning: {missing_font_message(''.join(sorted(characters)), path.name)}",
              file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from reader.analysis.taxonomy import parse_category_list
    from reader.output.export import (
        ExportCancelled,
        ExportError,
        StopOnSignals,
        export_many,
        write_pdf,
    )
    from reader.output.highlight import HighlightedPolicy

    corpus = _open_corpus(args)
    try:
        visible = set(parse_category_list(args.categories)) if args.categories else None
    except KeyError as exc:
        raise CliError(str(exc).strip("'\"")) from exc
    domains = list(args.domains)
    if args.search:
        from reader.search.query import SearchError

        policy_index, _ = _update_index(corpus, quiet=True)
        try:
            domains += [h.domain for h in policy_index.search(args.search, limit=args.limit,
                                                              snippets=False).hits]
        except SearchError as exc:
            raise CliError(str(exc)) from exc
        finally:
            policy_index.close()
        if not domains:
            raise CliError(f"no policy matches {args.search!r}; nothing to export")
    if not domains:
        raise CliError("name at least one DOMAIN, or --search QUERY")
    if args.output and args.out_dir:
        raise CliError("give either -o FILE.pdf (one policy) or -d DIR (a folder), not both")
    entries: list[str] = []
    for name in domains:
        entry = corpus.find(name)
        if entry is None:
            raise CliError(f"no policy for {name!r} in {corpus.root}")
        if entry.domain not in entries:  # each policy once, however often it is named
            entries.append(entry.domain)
    if args.output:
        if len(entries) > 1:
            raise CliError("several policies: give a folder with --out-dir DIR instead of -o")
        output = Path(args.output).expanduser()
        if output.is_dir():  # like cp: an existing folder receives DOMAIN.pdf
            output = output / f"{entries[0]}.pdf"
        policy = _load_policy(corpus, entries[0])
        missing: set[str] = set()
        try:
            with StopOnSignals() as stop:  # Ctrl+C / SIGTERM: stop and leave no .part file
                path = write_pdf(HighlightedPolicy.of(policy), output, visible, stop,
                                 confident_only=args.confident_only, unprintable=missing)
        except ExportCancelled:
            print("export interrupted; nothing written", file=sys.stderr)
            return 128 + stop.signum
        except ExportError as exc:
            raise CliError(str(exc)) from exc
        _warn_unprintable(path, missing)
        print(f"wrote {path}")
        return EXIT_OK
    folder = Path(args.out_dir or ".")
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int, domain: str) -> None:
        if interactive:
            sys.stderr.write(f"\rexporting {done}/{total} {domain[:40]:40}")
            sys.stderr.flush()

    try:
        with StopOnSignals() as stop:
            report = export_many(corpus, entries, folder, visible, progress, stop,
                                 confident_only=args.confident_only)
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    if report.cancelled:
        print(f"export interrupted after {counted(len(report.written), 'PDF file')}",
              file=sys.stderr)
        return 128 + stop.signum
    if interactive:
        sys.stderr.write("\n")
    for failure in report.failed:
        print(f"warning: {failure}", file=sys.stderr)
    for path, characters in report.unprintable.items():
        _warn_unprintable(path, characters)
    print(f"wrote {counted(len(report.written), 'PDF file', False)} to {folder}")
    return EXIT_FAILURE if report.failed else EXIT_OK


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _policy_history(args: argparse.Namespace):
    """The versions of ``args.company`` in the corpus, problems printed as warnings."""
    from reader.sources.history import CorpusHistory

    history_source = CorpusHistory(_open_corpus(args))
    try:
        history = history_source.history(args.company)
    except KeyError as exc:
        hint = " (try: privacy-reader list)" if history_source.corpus.entries else ""
        raise CliError(f"{exc.args[0]}{hint}") from exc
    for problem in history.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return history


def _version_store():
    """Where analysed versions are kept; an unusable data folder is a warning, not an
    error (the versions are analysed again next time)."""
    from reader.analysis.timeline import VersionStore

    store = VersionStore()
    if store.problem:
        print(f"warning: {store.problem}", file=sys.stderr)
    return store


_SHORT_CATEGORY = {"first_party_collection": "collect", "third_party_sharing": "share",
                   "user_choice": "choice", "user_access": "access",
                   "data_retention": "retain", "data_security": "secure",
                   "policy_change": "change", "do_not_track": "dnt",
                   "international_audiences": "audienc"}


def cmd_history(args: argparse.Namespace) -> int:
    from reader.analysis.language import ENGLISH, language_name
    from reader.analysis.taxonomy import practice_ids
    from reader.analysis.timeline import timeline
    from reader.sources.history import repeated_text_note

    history = _policy_history(args)
    store = _version_store()

    def progress(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\ranalysing versions: {done}/{total}", end=end, file=sys.stderr, flush=True)

    points = timeline(history, store, progress=progress if sys.stderr.isatty() else None)
    for point in points:
        if point.problem:
            print(f"warning: {point.problem}", file=sys.stderr)
    same_text = history.earlier_same_text()
    position = {id(version): number for number, version in enumerate(history.versions)}
    points = [p for p in points if p.counts is not None]
    ids = practice_ids()

    def same_as(point) -> str | None:
        """The earlier version whose text this one repeats byte for byte, if any."""
        earlier = same_text[position[id(point.version)]]
        return history.versions[earlier].label if earlier is not None else None

    if args.json:
        json.dump({"company": history.company,
                   "versions": [{"date": p.version.date, "words": p.words,
                                 "language": p.language, "categories": p.counts,
                                 "same_text_as": same_as(p)}
                                for p in points]}, sys.stdout)
        sys.stdout.write("\n")
        return EXIT_OK
    short = [_SHORT_CATEGORY.get(i, i[:7]) for i in ids]
    print(f"{history.company}: {counted(len(points), 'version')} (passages per practice)")
    print(f"{'DATE':10} {'COMMIT':7} {'WORDS':>7} " + " ".join(f"{s:>7}" for s in short)
          + "  LANG")
    for point in points:
        commit = point.version.ref[:7] if point.version.source == "git" else "-"
        mark = "" if point.language == ENGLISH else " *"
        earlier = same_as(point)
        print(f"{point.version.date:10} {commit:7} {point.words:>7} "
              + " ".join(f"{point.counts.get(i, 0):>7}" for i in ids)
              + f"  {point.language}{mark}" + (f"  = {earlier}" if earlier else ""))
    other = sorted({p.language for p in points} - {ENGLISH})
    if other:
        names = " or ".join(language_name(code) for code in other)
        print(f"* reads as {names}: the practice models learnt from English policies, so "
              "these counts are likely too low: a rise or drop where the language changes is "
              "not a change of practice")
    note = repeated_text_note(same_text)
    if note:
        print(f"= (marked =) {note}")
    print("columns: " + ", ".join(f"{s}={i}" for s, i in zip(short, ids, strict=True)))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from reader.analysis.timeline import diff_history, last_text_change

    history = _policy_history(args)
    store = _version_store()
    if len(history) < 2:
        raise CliError(f"{history.company} has only {len(history)} version; nothing to compare")
    try:
        old = history.find(args.old) if args.old else history.versions[-2]
        new = history.find(args.new) if args.new else history.versions[-1]
    except KeyError as exc:
        raise CliError(exc.args[0]) from exc
    try:
        diff = diff_history(history, old, new, store)
    except PolicyLoadError as exc:
        raise CliError(str(exc)) from exc
    earlier = None  # the versions differ only in formatting: the last change of text, as
    if diff.other_difference and (args.json or not args.output):  # the window offers it
        versions = history.versions
        found = last_text_change(history, versions.index(new), versions.index(old), store)
        earlier = versions[found] if found is not None else None
    if args.output:
        from reader.output.diff_export import write_diff_pdf
        from reader.output.export import ExportError

        missing: set[str] = set()
        try:
            written = write_diff_pdf(history.company, diff, Path(args.output),
                                     unprintable=missing)
        except ExportError as exc:
            raise CliError(str(exc)) from exc
        _warn_unprintable(written, missing)
        print(f"wrote {written}", file=sys.stderr)
    if args.json:
        result = diff.to_json()
        result["last_text_change"] = earlier.date if earlier else None
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif not args.output:
        print(f"{history.company}: {old.label} -> {new.label}")
        for line in diff.summary():
            print(f"  {line}")
        if earlier:
            def spec(version):  # what `diff` finds it by: the commit, else the date
                return version.ref[:7] if version.source == "git" else version.date

            print(f"  The newest earlier version whose text differs: {earlier.label} "
                  f"(privacy-reader diff \"{history.company}\" {spec(earlier)} {spec(new)})")
        marks = {"added": "+", "removed": "-", "changed": "~"}
        for change in diff.changes:
            cats = f" [{', '.join(change.categories)}]" if change.categories else ""
            if change.kind == "changed":
                print(f"\n~{cats}\n  - {change.old.text}\n  + {change.new.text}")
            else:
                text = (change.new or change.old).text
                print(f"\n{marks[change.kind]}{cats} {text}")
        for link in diff.links:
            old_target = link.old.target if link.old else "(no link)"
            new_target = link.new.target if link.new else "(no link)"
            print(f"\n@ link \"{link.link.text}\": {old_target} -> {new_target}\n"
                  f"  {link.link.context}")
    return EXIT_OK


def _add_history_commands(command) -> None:
    history = command("history", "every version of a company's policy with its practices")
    history.add_argument("company", metavar="COMPANY")
    history.add_argument("--json", action="store_true", help="print the versions as JSON")
    history.set_defaults(func=cmd_history)
    diff = command("diff", "what changed between two versions of a policy, by practice")
    diff.add_argument("company", metavar="COMPANY")
    diff.add_argument("old", metavar="OLD", nargs="?",
                      help="date YYYY-MM-DD, commit or @N (default: the second newest)")
    diff.add_argument("new", metavar="NEW", nargs="?", help="(default: the newest)")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON")
    diff.add_argument("-o", "--output", metavar="FILE.pdf", help="export the diff as a PDF")
    diff.set_defaults(func=cmd_diff)


def cmd_facts(args: argparse.Namespace) -> int:
    """Privacy facts at a glance: each shown fact, stated, "says it does not" or not
    stated, with its evidence."""
    from reader.analysis.fact_categories import facts_json_notes
    from reader.analysis.facts import CARD_GROUPS, NOT_RELIABLE, STATED_MEANS, facts_json
    from reader.output.highlight import HighlightedPolicy

    policy = _load_policy(_open_corpus(args), args.domain)
    analysis = HighlightedPolicy.of(policy).analysis  # the decision every view shows
    facts, text = analysis.facts, analysis.text
    notes = facts_json_notes(analysis)
    if args.json:
        found = facts_json(text, facts)
        for fact_id, entry in found.items():  # added field: the card's tooltip, or null
            entry["category_note"] = notes.get(fact_id)
        json.dump({"company": policy.domain, "language": analysis.language,
                   "facts": found},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    print(f"{policy.domain}: {policy.title}")
    if caveat := analysis.caveat():
        print(f"note: {caveat}")
    for group, title in CARD_GROUPS:  # the card's groups, each said (as on the card)
        print(f"\n{title}")
        members = [fact for fact in facts if fact.group == group]
        if not members:
            print(f"  {NOT_RELIABLE}")
        for fact in members:
            print(f"  {fact.label:36} {fact.words}")
            for evidence in fact.evidence[:1]:
                print(f"      \"{' '.join(text[evidence.start:evidence.end].split())}\"")
            if fact.id in notes:
                print(f"      ({notes[fact.id]})")
            for evidence in fact.denials[:1]:
                print(f"      also says it does not: "
                      f"\"{' '.join(text[evidence.start:evidence.end].split())}\"")
    print(f"\n{STATED_MEANS}")
    return EXIT_OK


def _add_facts_command(command) -> None:
    facts = command("facts", "privacy facts at a glance (what is collected, shared, kept...)"
                    " with the sentences that state them")
    facts.add_argument("domain", metavar="DOMAIN")
    facts.add_argument("--json", action="store_true", help="print the facts as JSON")
    facts.set_defaults(func=cmd_facts)


def cmd_compare(args: argparse.Namespace) -> int:
    """Companies side by side: facts and passages per practice, differences marked."""
    from reader.analysis.compare import CompareError, compare_companies

    corpus = _open_corpus(args)
    try:
        comparison = compare_companies(corpus, args.companies)
    except CompareError as exc:
        raise CliError(str(exc)) from exc
    if args.output:
        from reader.output.compare_export import write_comparison_pdf
        from reader.output.export import ExportError

        missing: set[str] = set()
        try:
            written = write_comparison_pdf(comparison, Path(args.output), missing)
        except ExportError as exc:
            raise CliError(str(exc)) from exc
        _warn_unprintable(written, missing)
        print(f"wrote {written}", file=sys.stderr)
    if args.json:
        json.dump(comparison.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif not args.output:
        sys.stdout.write(comparison_table(comparison))
    return EXIT_OK


def comparison_table(comparison) -> str:
    """The comparison as a text table: one column per company, ``*`` before rows that
    differ."""
    from reader.analysis.compare import FACT_ROW, PRACTICE_ROW
    from reader.analysis.facts import STATED_MEANS

    names = [c.domain for c in comparison.companies]
    width = max(14, *(len(n) + 2 for n in names),
                *(len(c.value) + 2 for r in comparison.rows for c in r.cells))
    label_width = max(len(r.label) for r in comparison.rows) + 4

    def line(mark: str, label: str, values) -> str:
        return f"{mark} {label:{label_width}}" + "".join(f"{v:{width}}" for v in values)

    out = [line(" ", "", names).rstrip()]
    group = ""
    for row in comparison.rows_of(FACT_ROW):
        if row.group != group:
            group = row.group
            out.append(f"\n{group}")
        out.append(line("*" if row.differs else " ", "  " + row.label,
                        [c.value for c in row.cells]).rstrip())
    out.append("\nPassages per practice")
    for row in comparison.rows_of(PRACTICE_ROW):
        out.append(line("*" if row.differs else " ", "  " + row.label,
                        [c.value for c in row.cells]).rstrip())
    differing = len(comparison.differing())
    out += [f"note: {c.domain}: {c.caveat}" for c in comparison.companies if c.caveat]
    out.append(f"\n* the companies differ ({counted(differing, 'row', False)}); "
               f"--json gives the evidence sentences")
    if any(c.note for row in comparison.rows_of(PRACTICE_ROW) for c in row.cells):
        out.append("\u201c0 · stated in facts\u201d: no passage of the practice, yet a fact "
                   "above states it from a sentence the category model did not mark "
                   "(--json: \"note\").")
    out.append(STATED_MEANS)
    return "\n".join(out) + "\n"


def _add_compare_command(command) -> None:
    compare = command("compare", "2 to 4 companies side by side: privacy facts and "
                      "passages per practice, differences marked")
    compare.add_argument("companies", metavar="COMPANY", nargs="+",
                         help="2 to 4 companies (domains, as privacy-reader list names them)")
    compare.add_argument("--json", action="store_true",
                         help="print the comparison with its evidence as JSON")
    compare.add_argument("-o", "--output", metavar="FILE.pdf",
                         help="export the comparison as a PDF")
    compare.set_defaults(func=cmd_compare)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacy-reader",
        description="Read, search and compare website privacy policies. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Smoke tests and start-up benchmarks: open the window, wait until ready, exit.
    parser.add_argument("--quit-when-ready", action="store_true", help=argparse.SUPPRESS)
    corpus_help = "folder of policies (default: the embedded corpus)"
    parser.add_argument("--corpus", metavar="DIR", help=corpus_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--corpus", metavar="DIR", help=corpus_help, default=argparse.SUPPRESS)
        return sub

    command("gui", "open the desktop app (the default)")
    listing = command("list", "list companies with archive date, word count and title")
    listing.add_argument("--type", metavar="TYPE",
                         help='only documents whose type contains TYPE ("privacy", "terms")')
    listing.add_argument("--json", action="store_true",
                         help="the policies listed (and files skipped) as JSON")
    listing.set_defaults(func=cmd_list)
    show = command("show", "print a policy as text")
    show.add_argument("domain", metavar="DOMAIN")
    show.add_argument("--json", action="store_true",
                      help="the policy's details and its text block by block, as JSON")
    show.set_defaults(func=cmd_show)
    classify = command("classify", "data practices of a policy, or of JSON lines on stdin")
    classify.add_argument("domain", metavar="DOMAIN", nargs="?")
    classify.add_argument("--jsonl", action="store_true",
                          help='read {"text": ...} lines on stdin, write one result per line')
    classify.add_argument("--json", action="store_true",
                          help="DOMAIN's categories, passages and facts as JSON")
    classify.set_defaults(func=cmd_classify)
    index = command("index", "build or update the search index of a corpus")
    index.add_argument("--rebuild", action="store_true",
                       help="build the index again from nothing (a damaged index is "
                            "rebuilt by itself)")
    index.set_defaults(func=cmd_index)
    search = command("search", "search the corpus (updates its index first)")
    search.add_argument("query", metavar="QUERY",
                        help='words, "phrases", prefix*, AND/OR/NOT, company:, category:, '
                        "year:2010..2015")
    search.add_argument("--limit", type=positive_int, default=20, metavar="N")
    search.add_argument("--json", action="store_true", help="print hits as JSON")
    search.set_defaults(func=cmd_search)
    export = command("export", "export highlighted policies to PDF")
    export.add_argument("domains", metavar="DOMAIN", nargs="*")
    export.add_argument("-o", "--output", metavar="FILE.pdf",
                        help="the PDF of one policy; an existing folder receives DOMAIN.pdf")
    export.add_argument("-d", "--out-dir", metavar="DIR",
                        help="folder for the PDFs, named DOMAIN.pdf (created if its parent "
                        "exists)")
    export.add_argument("--categories", metavar="IDS",
                        help="comma-separated category ids to highlight (default: all)")
    export.add_argument("--confident-only", action="store_true",
                        help="highlight only confident passages (as the app's switch does)")
    export.add_argument("--search", metavar="QUERY", help="export every result of a search")
    export.add_argument("--limit", type=positive_int, default=None, metavar="N",
                        help="at most the N best search results (default: all of them)")
    export.set_defaults(func=cmd_export)
    _add_history_commands(command)
    _add_facts_command(command)
    _add_compare_command(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        problem = corpus_folder_problem(args.corpus) if args.corpus else None
        if problem:  # say so here rather than open another corpus silently
            print(f"privacy-reader: error: {problem}", file=sys.stderr)
            return EXIT_USAGE
        from reader.ui.app import run_app

        return run_app(args.corpus, quit_when_ready=args.quit_when_ready)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"privacy-reader: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
