"""Versions of a policy over time, from a git working copy or from dated files.

Two history sources are detected when a corpus folder is opened:

- **git**: when the corpus folder is (inside) a git working copy, a policy file's versions
  are the commits that changed it, renames followed. A version's date is the archive date of
  the file's header when it has one, else the commit's author date (in the author's time
  zone). Read with pygit2 (libgit2): no ``git`` program is run and no text is parsed.
- **dated files**: ``<company>/<YYYY-MM-DD>.md`` and ``YYYYMMDD_*.md`` files in one folder
  (see :mod:`reader.sources.dated`) are the versions of one policy.

A policy with neither has one version: its file. Walking a repository's commits is cached in
the user data folder per repository and HEAD, and updated incrementally when HEAD moves on.
Before that walk is done, one policy's versions are found by walking its path alone (the
other files' trees are not read), with the same result.
Nothing here raises on bad repositories: shallow clones, unreadable objects and undecodable
versions become messages in :attr:`GitHistory.problems` / :attr:`PolicyHistory.problems`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reader.paths import folder_problem, user_data_dir
from reader.sources.corpus import (
    MAX_POLICY_BYTES,
    Corpus,
    Policy,
    PolicyEntry,
    PolicyLoadError,
    count_words,
    decode_policy_bytes,
    display_title,
    parse_header,
)
from reader.sources.dated import dated_file

log = logging.getLogger(__name__)

CACHE_FORMAT = 2
HEADER_PROBE_BYTES = 2048  # the archive date sits in the first lines


class HistoryError(Exception):
    """A history that cannot be read at all; the message says why."""


@dataclass(frozen=True)
class Version:
    """One version of a policy. ``ref`` is a commit id (git) or a file path (dated files)."""

    date: str  # YYYY-MM-DD
    ref: str
    path: str  # the file's path at this version (relative to the repository or corpus)
    blob: str = ""  # git blob id, empty for files
    source: str = "file"  # "git" or "file"

    @property
    def label(self) -> str:
        """Short name shown to people: the date, with the commit for git versions."""
        return f"{self.date} ({self.ref[:7]})" if self.source == "git" else self.date


@dataclass
class PolicyHistory:
    """Every version of one policy, oldest first, and how to read each one."""

    company: str
    versions: list[Version]
    problems: list[str] = field(default_factory=list)
    _repo: GitHistory | None = None
    # earlier_same_text's answer, with the versions it was for (a dated file is read for it)
    _same_text: tuple[tuple[str, ...], list[int | None]] | None = field(
        default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.versions)

    def read_bytes(self, version: Version) -> bytes:
        if version.source == "git":
            if self._repo is None:
                raise PolicyLoadError(f"{version.label}: no repository to read it from")
            return self._repo.read_blob(version)
        path = Path(version.ref)
        try:
            if path.stat().st_size > MAX_POLICY_BYTES:
                raise PolicyLoadError(f"{path}: larger than a policy may be")
            return path.read_bytes()
        except OSError as exc:
            raise PolicyLoadError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc

    def read_body(self, version: Version) -> str:
        """The markdown body of one version (its header left out); raises
        :class:`PolicyLoadError` naming it."""
        text = decode_policy_bytes(self.read_bytes(version),
                                   Path(f"{self.company} {version.label}"))
        return parse_header(text)[1]

    def load(self, version: Version) -> Policy:
        """Read and parse one version; raises :class:`PolicyLoadError` naming it."""
        name = f"{self.company} {version.label}"
        text = decode_policy_bytes(self.read_bytes(version), Path(name))
        header, body = parse_header(text)
        raw_title = header.title or self.company
        return Policy(domain=self.company, title=display_title(raw_title), raw_title=raw_title,
                      archive_date=version.date, source_url=header.source_url, body=body,
                      path=Path(version.ref) if version.source == "file" else Path(version.path),
                      word_count=count_words(body), company=self.company)

    def earlier_same_text(self) -> list[int | None]:
        """For each version, the first earlier version whose file is the same byte for byte
        (``None``: its text is new). Archives often record a page in two forms in turn (a
        regional or test variant): Instagram's privacy policy goes back to an earlier text
        54 times in 112 versions, Finya's 77 times in 81. Git versions are compared by
        their blob ids (nothing is read); dated files by a digest of their bytes (a file
        that cannot be read is new). Kept while the versions are the same: the History
        window and every diff ask."""
        refs = tuple(f"{version.ref}:{version.blob}" for version in self.versions)
        if self._same_text is not None and self._same_text[0] == refs:
            return list(self._same_text[1])
        first: dict[str, int] = {}
        found: list[int | None] = []
        for number, version in enumerate(self.versions):
            key = version.blob or self._file_digest(version)
            earlier = first.setdefault(key, number) if key is not None else number
            found.append(earlier if earlier != number else None)
        self._same_text = (refs, found)
        return list(found)

    def _file_digest(self, version: Version) -> str | None:
        try:
            return hashlib.blake2b(self.read_bytes(version), digest_size=16).hexdigest()
        except PolicyLoadError:
            return None

    def find(self, wanted: str) -> Version:
        """A version by date (``YYYY-MM-DD``: the last one that day), commit prefix, or
        position (``@1`` is the oldest, ``@-1`` the newest)."""
        if wanted.startswith("@"):
            try:
                position = int(wanted[1:])
                if position == 0:  # not the oldest: @1 is
                    raise IndexError(position)
                return self.versions[position - 1 if position > 0 else position]
            except (ValueError, IndexError):
                raise KeyError(f"no version {wanted} (there are {len(self)})") from None
        same_day = [v for v in self.versions if v.date == wanted]
        if same_day:
            return same_day[-1]
        if len(wanted) >= 4:
            by_commit = [v for v in self.versions if v.source == "git" and
                         v.ref.startswith(wanted.lower())]
            if len(by_commit) == 1:
                return by_commit[0]
        dates = ", ".join(v.date for v in self.versions[-5:])
        raise KeyError(f"{self.company} has no version {wanted!r} (latest: {dates})")


def author_date(seconds: int, offset_minutes: int) -> str:
    """A commit time as the calendar date in the author's own time zone."""
    zone = dt.timezone(dt.timedelta(minutes=offset_minutes))
    return dt.datetime.fromtimestamp(seconds, zone).date().isoformat()


# A recorded change of one file: commit id, blob id, path at that commit, author date.
Change = tuple[str, str, str, str]


class GitHistory:
    """The commits of a git working copy, walked into per-file change lists.

    ``files`` maps each path present at HEAD to the changes of that file, oldest first,
    renames followed (the changes of the old path come first). It is walked (or read from
    the cache) when first asked for; the versions of one file asked for before that are
    found by a walk along that file's path alone (see :func:`_walk_paths`), with the same
    result at a fraction of the cost.
    """

    def __init__(self, workdir: Path, repo, files: dict[str, list[Change]] | None,
                 problems: list[str], head: str, cache: Path | None = None) -> None:
        self.workdir = workdir
        self.repo = repo
        self._files = files
        self._problems = problems
        self._by_path: dict[str, list[Change]] = {}  # walked alone, before ``files``
        self._path_problems: list[str] = []
        self._cache = cache
        self.head = head
        self._header_dates: dict[str, str] = {}
        # libgit2 objects are not for simultaneous use by several threads (two History
        # windows, say): one reader at a time.
        self._lock = threading.Lock()

    @classmethod
    def discover(cls, folder: Path, use_cache: bool = True) -> GitHistory | None:
        """The history of the git working copy holding ``folder``, or ``None`` when it is
        not in one. A repository that cannot be read gives an empty history with a message.
        Its commits are walked when first needed (see :attr:`files`), or read from the
        cache, or walked from where the cache ends when HEAD moved on.
        """
        import pygit2

        # Repository() looks upwards for the repository itself. (pygit2's
        # discover_repository() is not used: in 1.21 it drops a reference to None each time
        # it finds nothing, which crashes Python 3.11 at exit.)
        try:
            repo = pygit2.Repository(str(folder))
        except pygit2.GitError as exc:
            if "not found" in str(exc).lower():
                return None
            return cls(Path(folder), None, {}, [f"{folder}: not a readable git repository "
                                                f"({exc})"], "")
        except (KeyError, ValueError, OSError):
            return None
        if repo.is_bare or repo.workdir is None:
            return None
        workdir = Path(repo.workdir).resolve()
        if repo.head_is_unborn:
            return cls(workdir, repo, {}, [_unborn_head_problem(repo, workdir)], "")
        try:
            head = str(repo.head.target)
        except pygit2.GitError as exc:
            return cls(workdir, repo, {}, [f"{workdir}: cannot read HEAD ({exc})"], "")
        problems: list[str] = []
        if repo.is_shallow:
            problems.append(f"{workdir} is a shallow clone: versions older than the first "
                            "commit in this copy are not shown")
        if repo.head_is_detached:
            log.info("%s: detached HEAD at %s", workdir, head[:7])
        cache = None
        if use_cache:
            try:
                cache = _cache_path(workdir)
            except OSError as exc:  # an unusable user data folder: read without a cache
                problems.append(f"The versions found are not kept for next time: "
                                f"{folder_problem(exc)}.")
        cached = _read_cache(cache) if cache else None
        files: dict[str, list[Change]] | None = None
        if cached and cached["head"] == head:
            files = cached["files"]
            problems += cached["problems"]
        elif cached and _is_ancestor(repo, cached["head"], head):
            # HEAD moved on: the new commits alone are walked.
            files, gone, walked = _walk(repo, head, cached["head"],
                                        (cached["files"], cached["gone"]))
            problems += cached["problems"] + walked
            if not walked:  # a damaged copy is read again next time
                _write_cache(cache, {"format": CACHE_FORMAT, "head": head, "files": files,
                                     "gone": gone, "problems": cached["problems"]})
        return cls(workdir, repo, files, problems, head, cache)

    @property
    def files(self) -> dict[str, list[Change]]:
        """Path at HEAD -> its changes, oldest first (every commit walked once, cached)."""
        with self._lock:
            if self._files is None:
                files, gone, walked = _walk(self.repo, self.head, None, None)
                self._problems += walked
                if self._cache and not walked:  # a damaged copy is read again next time
                    _write_cache(self._cache, {"format": CACHE_FORMAT, "head": self.head,
                                               "files": files, "gone": gone, "problems": []})
                self._files = files
            return self._files

    @property
    def problems(self) -> list[str]:
        """What could not be read in the whole repository (its commits walked if need be)."""
        _ = self.files
        return self._problems

    def changes(self, path: str) -> tuple[list[Change], list[str]]:
        """The changes of the file at ``path`` (a path at HEAD), oldest first, and the
        problems met finding them. Only that file's path is walked when the whole
        repository has not been (see :func:`_walk_paths`)."""
        with self._lock:
            if self._files is not None:
                return self._files.get(path, []), list(self._problems)
            found = self._by_path.get(path)
            if found is None:
                if not self.head:
                    return [], list(self._problems)
                walked, problems = _walk_paths(self.repo, self.head, {path})
                found = self._by_path[path] = walked[path]
                self._path_problems += [p for p in problems if p not in self._path_problems]
            return found, self._problems + self._path_problems

    def version_counts(self) -> dict[str, int]:
        """Path at HEAD -> number of versions."""
        return {path: len(changes) for path, changes in self.files.items()}

    def repo_path(self, file: Path) -> str | None:
        """A file's path inside the repository (``/``-separated), or ``None`` if outside."""
        try:
            return PurePosixPath(Path(file).resolve().relative_to(self.workdir)).as_posix()
        except ValueError:
            return None

    def versions(self, path: str) -> list[Version]:
        """The versions of the file at ``path`` (a path at HEAD), oldest first."""
        return self._versions(self.changes(path)[0])

    def _versions(self, changes: list[Change]) -> list[Version]:
        # Files either carry the archive header or not: when neither the first nor the last
        # version has one (Open Terms Archive collections), the others are not read.
        probe = bool(changes) and any(self._header_date(changes[i][1]) for i in (0, -1))
        out = [Version((probe and self._header_date(blob)) or date, commit, at_path, blob,
                       "git")
               for commit, blob, at_path, date in changes]
        # Stable: versions of one day stay in commit order.
        return sorted(out, key=lambda v: v.date)

    def read_blob(self, version: Version) -> bytes:
        import pygit2

        try:
            with self._lock:
                blob = self.repo[version.blob]
                if blob.size > MAX_POLICY_BYTES:
                    raise PolicyLoadError(f"{version.path} at {version.label}: "
                                          f"{blob.size / 1e6:.1f} MB is larger than a policy "
                                          "may be")
                return blob.data
        except (KeyError, ValueError, pygit2.GitError) as exc:
            raise PolicyLoadError(f"{version.path} at {version.label}: the git object cannot "
                                  f"be read ({exc}); the repository may be damaged") from exc

    def _header_date(self, blob_id: str) -> str | None:
        if blob_id not in self._header_dates:
            date = ""
            try:
                with self._lock:
                    head = self.repo[blob_id].data[:HEADER_PROBE_BYTES]
                if head.lstrip()[:1] == b">":
                    date = parse_header(head.decode("utf-8", "replace"))[0].archive_date or ""
            except Exception:  # noqa: BLE001 - unreadable versions are reported when read
                date = ""
            self._header_dates[blob_id] = date
        return self._header_dates[blob_id] or None


ALTERNATING_FROM = 3  # versions back at an earlier text from which the archive alternates


def repeated_text_note(same_text: list[int | None]) -> str | None:
    """What to tell the reader when versions go back to an earlier text (see
    :meth:`PolicyHistory.earlier_same_text`), or ``None`` when none does: a change undone,
    or (from :data:`ALTERNATING_FROM` such versions) an archive that recorded the page in
    more than one form in turn."""
    repeats = sum(1 for earlier in same_text if earlier is not None)
    if not repeats:
        return None
    if repeats < ALTERNATING_FROM:
        return (f"{repeats} of {len(same_text)} versions go{'es' * (repeats == 1)} back to an "
                "earlier version's text byte for byte: the change before "
                f"{'it was' if repeats == 1 else 'each was'} undone.")
    distinct = len(same_text) - repeats
    return (f"{repeats} of {len(same_text)} versions repeat an earlier version's text byte "
            f"for byte ({distinct} distinct text{'s' * (distinct != 1)}): the archive "
            "recorded the page in more than one form in turn, so a change that a later "
            "version undoes is not a change of policy.")


_DATERS: dict[tuple[int, str, str], GitHistory] = {}  # (process, workdir, HEAD) -> walk
_DATERS_LOCK = threading.Lock()


def newest_version_date(file: Path) -> str | None:
    """The date :meth:`CorpusHistory.history` gives the newest version of ``file`` when it
    sits in a git working copy (the header's archive date, else the newest commit's author
    date), else ``None``. Every file of a repository shares one walk of its commits (kept
    in the user data folder, as :attr:`GitHistory.files`), so dating a whole collection
    costs one walk, not one per file."""
    import pygit2

    try:
        repo = pygit2.Repository(str(Path(file).parent))
        if repo.is_bare or repo.workdir is None or repo.head_is_unborn:
            return None
        key = (os.getpid(), str(Path(repo.workdir).resolve()), str(repo.head.target))
    except (pygit2.GitError, KeyError, ValueError, OSError):
        return None
    with _DATERS_LOCK:
        git = _DATERS.get(key)
        if git is None:
            git = GitHistory.discover(Path(key[1]))
            if git is None:
                return None
            if len(_DATERS) >= 4:  # HEAD moved on, or other repositories: keep a few
                _DATERS.pop(next(iter(_DATERS)))
            _DATERS[key] = git
    path = git.repo_path(file)
    changes = git.files.get(path) if path else None
    return git._versions(changes)[-1].date if changes else None


def _unborn_head_problem(repo, workdir: Path) -> str:
    """Why a working copy shows no versions when its HEAD names a branch without commits,
    and, when it has another branch (a clone of a bundle whose HEAD is missing checks out
    nothing and keeps ``origin/main``), how to check that one out."""
    try:
        branches = [*repo.branches.local, *repo.branches.remote]
    except Exception:  # noqa: BLE001 - the advice is a courtesy
        branches = []
    problem = f"{workdir}: the git repository has no commits checked out"
    if not branches:
        return problem + "; versions are not shown"
    local = branches[0].split("/", 1)[1] if branches[0] in repo.branches.remote \
        else branches[0]
    return (f"{problem} (its files are on branch {', '.join(branches[:5])}); check one out "
            f"to read them and their versions: git -C \"{workdir}\" checkout {local}")


def nothing_checked_out(folder: Path | str) -> str | None:
    """Why ``folder``, a git working copy with nothing checked out (a clone of a bundle
    whose HEAD is missing), shows no policy files, and how to check them out; ``None`` for
    any other folder."""
    import pygit2

    try:
        repo = pygit2.Repository(str(folder))
        if repo.is_bare or repo.workdir is None or not repo.head_is_unborn:
            return None
    except (pygit2.GitError, KeyError, ValueError, OSError):
        return None
    return _unborn_head_problem(repo, Path(repo.workdir).resolve())


def _is_ancestor(repo, old: str, new: str) -> bool:
    try:
        return old == new or repo.descendant_of(new, old)
    except Exception:  # noqa: BLE001 - an unknown cached commit means: walk again
        return False


def _walk(repo, head: str, since: str | None, state: tuple[dict, dict] | None,
          only: frozenset[str] | None = None) -> tuple[dict, dict, list[str]]:
    """Walk commits oldest first (from ``since``, exclusive, when given) and record which
    files each commit changed, following renames.

    With ``only``, the walk looks at those paths alone (each commit's trees are looked up
    along them, not compared whole), except at a commit that adds or deletes one of them:
    there every change is read, as the whole walk reads it, to find renames. The lists of
    ``only``'s paths are then those of the whole walk as long as every path renamed into
    one of them is in ``only`` too: :func:`_walk_paths` widens ``only`` until it is."""
    import pygit2
    from pygit2.enums import SortMode

    files: dict[str, list[Change]] = {k: list(v) for k, v in state[0].items()} if state else {}
    gone: dict[str, list[Change]] = {k: list(v) for k, v in state[1].items()} if state else {}
    problems: list[str] = []
    # Tree and blob ids stay pygit2 Oids (hashable, cheap) until a change is recorded.
    trees: dict = {}
    tree_of_commit: dict = {}
    # With ``only``: folder prefix ("" or "a/b/") -> the names looked up in its trees.
    wanted: dict[str, set[str]] = {}
    for path in only or ():
        parts = path.split("/")
        for depth, name in enumerate(parts):
            wanted.setdefault("".join(p + "/" for p in parts[:depth]), set()).add(name)
    picked: dict = {}

    def entries(tree_id) -> dict:
        if tree_id is None:
            return {}
        found = trees.get(tree_id)
        if found is None:
            found = {e.name: (e.id, isinstance(e, pygit2.Tree)) for e in repo[tree_id]}
            trees[tree_id] = found
        return found

    def wanted_entries(tree_id, prefix: str) -> dict:
        """Entries of a tree named in ``wanted`` (each looked up, not every one read)."""
        if tree_id is None:
            return {}
        found = picked.get((tree_id, prefix))
        if found is None:
            found = trees.get(tree_id)
            if found is not None:
                found = {n: found[n] for n in wanted[prefix] if n in found}
            else:
                tree = repo[tree_id]
                found = {}
                for name in wanted[prefix]:
                    try:
                        entry = tree[name]
                    except KeyError:
                        continue
                    found[name] = (entry.id, isinstance(entry, pygit2.Tree))
            picked[(tree_id, prefix)] = found
        return found

    def compare(old: str | None, new: str | None, prefix: str, out: list,
                restricted: bool = False) -> None:
        if restricted:
            if prefix not in wanted:
                return
            before, after = wanted_entries(old, prefix), wanted_entries(new, prefix)
        else:
            before, after = entries(old), entries(new)
        for name, (oid, is_tree) in after.items():
            previous = before.get(name)
            if previous and previous == (oid, is_tree):
                continue
            if is_tree:
                compare(previous[0] if previous and previous[1] else None, oid,
                        prefix + name + "/", out, restricted)
                if previous and not previous[1]:
                    out.append(("D", prefix + name, str(previous[0])))
            else:
                out.append(("M" if previous and not previous[1] else "A", prefix + name,
                            str(oid)))
                if previous and previous[1]:
                    compare(previous[0], None, prefix + name + "/", out, restricted)
        for name, (oid, is_tree) in before.items():
            if name not in after:
                if is_tree:
                    compare(oid, None, prefix + name + "/", out, restricted)
                else:
                    out.append(("D", prefix + name, str(oid)))

    followed = sorted(only or ())
    ids_of_tree: dict = {}

    def followed_ids(tree_id) -> tuple:
        """The object ids at ``only``'s paths in a tree (``None`` where there is none)."""
        found = ids_of_tree.get(tree_id)
        if found is None:
            ids = []
            if tree_id is not None:
                tree = repo[tree_id]
                for path in followed:
                    try:
                        ids.append(tree[path].id)
                    except KeyError:
                        ids.append(None)
            found = ids_of_tree[tree_id] = tuple(ids) if any(ids) else ()
        return found

    last_read = None
    try:
        # Inside the try: a damaged HEAD commit fails here, before the first commit is read.
        walker = repo.walk(head, SortMode.TOPOLOGICAL | SortMode.REVERSE)
        if since:
            walker.hide(since)
        for commit in walker:
            tree_id = tree_of_commit[commit.id] = commit.tree_id
            parent_ids = commit.parent_ids
            parent_tree = None
            if parent_ids:
                try:
                    first = parent_ids[0]
                    parent_tree = tree_of_commit.get(first) or repo[first].tree_id
                except (KeyError, pygit2.GitError):
                    problems.append(f"commit {str(commit.id)[:7]}: its parent is not in this "
                                    "copy (shallow clone?); older versions are not shown")
            changes: list[tuple[str, str, str]] = []
            try:
                if only is not None and followed_ids(tree_id) == followed_ids(parent_tree):
                    continue  # none of ``only``'s paths changed (most commits)
                if only is not None:
                    compare(parent_tree, tree_id, "", changes, restricted=True)
                    changes = [c for c in changes if c[1] in only]
                    if len(parent_ids) > 1:
                        changes = _unmerged(repo, commit, changes)
                    if any(kind != "M" for kind, _, _ in changes):  # renames: read all
                        changes = []
                        compare(parent_tree, tree_id, "", changes)
                else:
                    compare(parent_tree, tree_id, "", changes)
            except (KeyError, ValueError, UnicodeError, pygit2.GitError) as exc:
                problems.append(f"commit {str(commit.id)[:7]}: a tree cannot be read ({exc}); "
                                "its changes are not shown")
                continue
            commit_id = last_read = str(commit.id)
            if not changes:
                continue
            if len(commit.parent_ids) > 1:
                changes = _unmerged(repo, commit, changes)
            date = author_date(commit.author.time, commit.author.offset)
            added = [c for c in changes if c[0] == "A"]
            deleted = [c for c in changes if c[0] == "D"]
            renames = _renames(repo, parent_tree, commit, added, deleted) \
                if added and deleted else {}
            for kind, path, blob in changes:
                if kind == "D":
                    if path in renames.values():
                        continue
                    if path in files:
                        gone[path] = files.pop(path)
                    continue
                if kind == "A":
                    source = renames.get(path)
                    if only is not None and source is not None and path in only and \
                            source not in only:
                        raise _Widen(source)
                    if source is not None and source in files:
                        files[path] = files.pop(source)
                    elif path in gone:
                        files[path] = gone.pop(path)
                files.setdefault(path, []).append((commit_id, blob, path, date))
    except _Widen:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged repository must not take the app down
        where = f" after commit {last_read[:7]}" if last_read else ""
        problems.append(f"the repository cannot be read{where} ({exc}); later versions are "
                        "not shown")
    return files, gone, problems


class _Widen(Exception):  # noqa: N818 - a signal to the caller, not an error
    """A path followed alone was renamed from one not followed: walk again with it."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _walk_paths(repo, head: str, paths: set[str]) -> tuple[dict[str, list[Change]], list[str]]:
    """The changes of a few paths, as :func:`_walk` of every file finds them, renames
    followed, at a fraction of its cost (each commit's trees are looked up along them)."""
    only = set(paths)
    while True:
        try:
            files, _gone, problems = _walk(repo, head, None, None, frozenset(only))
        except _Widen as widen:
            only.add(widen.path)
            continue
        return {path: files.get(path, []) for path in paths}, problems


def _unmerged(repo, commit, changes: list) -> list:
    """A merge changes a file only where it differs from every parent (as git's history
    simplification reads it): what a merge brings in from a side branch was recorded there."""
    others = []
    for parent_id in commit.parent_ids[1:]:
        try:
            others.append(repo[parent_id].tree)
        except (KeyError, ValueError):
            continue

    def in_other_parent(path: str, blob: str) -> bool:
        for tree in others:
            try:
                if str(tree[path].id) == blob:
                    return True
            except (KeyError, ValueError):
                continue
        return False

    return [c for c in changes if c[0] == "D" or not in_other_parent(c[1], c[2])]


def _renames(repo, parent_tree, commit, added: list, deleted: list
             ) -> dict[str, str]:
    """New path -> old path for files a commit renamed: same content first, then what git's
    rename detection (50% similar) finds."""
    by_blob = {blob: path for _, path, blob in deleted}
    renames = {path: by_blob.pop(blob) for _, path, blob in added if blob in by_blob}
    left_new = {path for _, path, _ in added} - set(renames)
    left_old = set(by_blob.values())
    if left_new and left_old and parent_tree is not None:
        try:
            diff = repo.diff(repo[parent_tree], commit.tree)
            diff.find_similar()
            for patch in diff:
                delta = patch.delta
                if delta.new_file.path in left_new and delta.old_file.path in left_old and \
                        delta.old_file.path != delta.new_file.path:
                    renames[delta.new_file.path] = delta.old_file.path
        except Exception as exc:  # noqa: BLE001 - rename detection is a best effort
            log.warning("rename detection failed in %s: %s", commit.id, exc)
    return renames


def _cache_path(workdir: Path) -> Path:
    digest = hashlib.sha1(str(workdir).encode("utf-8")).hexdigest()[:16]
    return user_data_dir() / "history" / f"{workdir.name[:40]}-{digest}.json"


def _read_cache(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    return data


def _write_cache(path: Path, data: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.part")
        temp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
        os.replace(temp, path)
    except OSError as exc:
        log.warning("cannot write the history cache %s: %s", path, exc)


class CorpusHistory:
    """The history sources of one corpus: its git repository (if any) and dated files."""

    def __init__(self, corpus: Corpus, use_cache: bool = True) -> None:
        self.corpus = corpus
        self.git = GitHistory.discover(corpus.root, use_cache)

    @property
    def problems(self) -> list[str]:
        return list(self.git.problems) if self.git else []

    def version_counts(self) -> dict[str, int]:
        """Company -> number of versions, for every policy of the corpus."""
        counts = self.git.version_counts() if self.git else {}
        # The corpus folder's place in the repository, resolved once: resolving each of
        # 100,000 files took 20 s.
        root = self.git.repo_path(self.corpus.root) if self.git else None
        out = {}
        for entry in self.corpus.entries:
            dated = dated_file(entry.relpath)
            if dated:
                out[entry.domain] = len(_dated_siblings(entry, dated.policy))
                continue
            path = None
            if root is not None and entry.relpath:
                relpath = entry.relpath.replace("\\", "/")
                path = relpath if root in ("", ".") else f"{root}/{relpath}"
            elif self.git:
                path = self.git.repo_path(entry.path)
            out[entry.domain] = counts.get(path, 0) or 1
        return out

    def history(self, company: str) -> PolicyHistory:
        """Every version of a company's policy; raises ``KeyError`` for an unknown one."""
        entry = self.corpus.find(company) or self._by_prefix(company) or \
            self._by_path(company)
        if entry is None:
            why = "".join(f"; {p}" for p in self.git.problems) if self.git and \
                not self.corpus.entries else ""
            raise KeyError(f"no policy for {company!r} in {self.corpus.root}{why}")
        dated = dated_file(entry.relpath)
        if dated:
            versions = [Version(date, str(path), str(path.relative_to(self.corpus.root)))
                        for date, path in _dated_siblings(entry, dated.policy)]
            return PolicyHistory(entry.domain, versions)
        problems: list[str] = []
        if self.git:
            path = self.git.repo_path(entry.path)
            changes, problems = self.git.changes(path) if path else ([], [])
            if changes:
                return PolicyHistory(entry.domain, self.git._versions(changes), problems,
                                     self.git)
        if problems:  # a damaged repository: say so, not that the file has no history
            return PolicyHistory(entry.domain, [_single_version(entry)],
                                 [f"{entry.domain}: no versions could be read from git, only "
                                  f"the file as it is now is shown: {p}" for p in problems])
        return PolicyHistory(entry.domain, [_single_version(entry)],
                             [f"{entry.domain}: no earlier versions (the file has no "
                              "history in git and no dated siblings)"])

    def _by_path(self, name: str) -> PolicyEntry | None:
        """A policy named by its file's path relative to the corpus folder."""
        path = self.corpus.root / name
        try:
            if path.resolve().is_relative_to(self.corpus.root) and path.is_file():
                stat = path.stat()
                return PolicyEntry(name.removesuffix(path.suffix), path, stat.st_size,
                                   stat.st_mtime, name)
        except OSError:
            pass
        return None

    def _by_prefix(self, name: str) -> PolicyEntry | None:
        wanted = name.lower().rstrip("/") + "/"
        found = [e for e in self.corpus.entries if e.domain.lower().startswith(wanted)]
        return found[0] if len(found) == 1 else None


def _dated_siblings(entry: PolicyEntry, policy: str) -> list[tuple[str, Path]]:
    """(date, path) of every dated file of one policy, oldest first."""
    folder = entry.path.parent
    found = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return [(dated_file(entry.relpath).date, entry.path)]
    base = PurePosixPath(*PurePosixPath(entry.relpath.replace(os.sep, "/")).parts[:-1])
    for name in names:
        dated = dated_file(base / name)
        if dated and dated.policy == policy and (folder / name).is_file():
            found.append((dated.date, folder / name))
    return sorted(found, key=lambda item: item[0])


def _single_version(entry: PolicyEntry) -> Version:
    try:
        text = entry.path.read_bytes()[:HEADER_PROBE_BYTES].decode("utf-8", "replace")
        date = parse_header(text)[0].archive_date
    except OSError:
        date = None
    date = date or dt.date.fromtimestamp(entry.mtime).isoformat()
    return Version(date, str(entry.path), entry.relpath)
