"""Policy files on disk: header parsing, lazy corpus listing, safe loading.

A policy file is markdown. Files from the Princeton-Leuven corpus start with a quote line::

    > *The following text is extracted and transformed from the amazon.com privacy policy
    that was archived on 2007-06-06. Please check the [original snapshot on the Wayback
    Machine](URL) for the most accurate reproduction.*

followed by a ``# Title`` and the body. Files without that header still load; their domain
comes from the file name, their title from a first heading. Where a file sits in the folder
says whose document it is (see :mod:`reader.sources.layouts`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from reader.slices import SLICE_CHARS, text_slices
from reader.sources.dated import dated_file
from reader.sources.layouts import (
    POLICY_SUFFIXES,
    PRIVACY_POLICY,
    Layout,
    document_identity,
    is_privacy_policy,
    strip_policy_suffix,
)
from reader.sources.listing_cache import Listing, load_listing, save_listing
from reader.sources.repair import demote_body_headings, repair_text
from reader.sources.sites import other_snapshot_site, snapshot_note

log = logging.getLogger(__name__)

MAX_POLICY_BYTES = 4 * 1024 * 1024  # about 650,000 words; real policies stay near 1 MB
WORDS_PER_MINUTE = 230

_HEADER_DOMAIN = re.compile(r"from the\s+(\S+?)\s+privacy policy", re.IGNORECASE)
_HEADER_DATE = re.compile(r"archived on\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_HEADER_URL = re.compile(r"\]\(\s*(https?://[^)\s]+)\s*\)")
_TITLE = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$")
_SETEXT_RULE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


class PolicyLoadError(Exception):
    """A policy file that cannot be read as text; the message names the file."""


class CorpusError(Exception):
    """A corpus folder that cannot be used at all (missing, not a folder)."""


@dataclass(frozen=True)
class Header:
    """What the first lines of a policy file say about it."""

    domain: str | None = None
    archive_date: str | None = None
    source_url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Policy:
    """One privacy policy, fully read."""

    domain: str
    title: str
    archive_date: str | None
    source_url: str | None
    body: str
    path: Path
    word_count: int = 0
    company: str = ""
    doc_type: str = PRIVACY_POLICY
    raw_title: str = ""  # the heading as the file has it, site furniture and all

    @property
    def reading_minutes(self) -> int:
        """Reading time in whole minutes at 230 words per minute (at least 1)."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def year(self) -> int | None:
        return int(self.archive_date[:4]) if self.archive_date else None

    @property
    def snapshot_site(self) -> str | None:
        """The site the archived snapshot was taken on, when it is not this domain (nor a
        subdomain of it): ``bizsecure.com`` for ``bizdesign.com``. Else ``None``."""
        return other_snapshot_site(self.domain, self.source_url)

    @property
    def company_label(self) -> str:
        """The company as every view names it, with the snapshot's site when it differs:
        ``bizdesign.com (snapshot from bizsecure.com)``."""
        company = self.company or self.domain
        site = self.snapshot_site
        return f"{company} ({snapshot_note(site)})" if site else company


class PolicyEntry:
    """A policy file as listed, before its body is read.

    ``path`` may be given as a string: its :class:`Path` is made on first use (making
    100,000 Paths up front costs a second or more when a corpus opens)."""

    __slots__ = ("domain", "_path", "size", "mtime", "relpath", "company", "doc_type")

    def __init__(self, domain: str, path: Path | str, size: int, mtime: float,
                 relpath: str = "", company: str = "", doc_type: str = PRIVACY_POLICY) -> None:
        self.domain = domain
        self._path = path
        self.size = size
        self.mtime = mtime
        self.relpath = relpath
        self.company = company
        self.doc_type = doc_type

    @property
    def path(self) -> Path:
        path = self._path
        if isinstance(path, str):
            path = self._path = Path(path)
        return path

    @property
    def file(self) -> str:
        """The path as a string (no Path made)."""
        return self._path if isinstance(self._path, str) else str(self._path)

    def _key(self) -> tuple:
        return (self.domain, self.file, self.size, self.mtime, self.relpath, self.company,
                self.doc_type)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PolicyEntry) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"PolicyEntry(domain={self.domain!r}, path={self.file!r}, size={self.size}, "
                f"mtime={self.mtime}, relpath={self.relpath!r}, company={self.company!r}, "
                f"doc_type={self.doc_type!r})")


# A whole whitespace-separated token made of table pipes and rules only.
_TABLE_FURNITURE = re.compile(r"(?<!\S)[|:\-]*\|[|:\-]*(?!\S)")


def count_words(body: str) -> int:
    """Words of a policy's text; markdown table pipes and rules (``|``, ``|---|``) are not
    words. (Two C passes per slice: a 30,000-word policy counts in 2 ms, not 18 ms; slices
    keep each pass short, see :mod:`reader.slices`.)"""
    if len(body) <= SLICE_CHARS:
        return _count_words(body)
    return sum(_count_words(piece) for piece in text_slices(body))


def _count_words(body: str) -> int:
    furniture = len(_TABLE_FURNITURE.findall(body)) if "|" in body else 0
    return len(body.split()) - furniture


def domain_from_filename(path: Path) -> str:
    """``a/am/ama/amazon.com.md`` -> ``amazon.com``."""
    return strip_policy_suffix(path.name)


def clean_title(text: str) -> str:
    """A heading as plain text: links keep their words; ``**``, ``__`` and backslash
    escapes go."""
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", text)
    return " ".join(text.split())


# "Privacy Policy | Amazon.com", "Privacy - IMDb", "USDOJ: Privacy Policy": spaced bars,
# dashes, middle dots, guillemets and colons separate a page's title from the site's name.
_TITLE_SEPARATOR = re.compile(
    r"\s+[|\u2013\u2014\u00b7\u00bb\u2022-]+\s+|\s*\|\s*|\s+:+\s+|(?<=\S):\s+")
_POLICY_WORDS = re.compile(
    r"\b(privacy|policy|policies|statement|notice|cookies?|data protection|terms|legal)\b",
    re.IGNORECASE)
_PRIVACY = re.compile(r"\bprivacy\b", re.IGNORECASE)
_FURNITURE = {"home", "homepage", "home page", "welcome", "main page", "index"}
# "Help > Privacy & Security > Privacy Notice": a breadcrumb trail, whose last step is the page
_BREADCRUMB = re.compile(r"\s+[>\u203a\u00bb]\s+")


def display_title(raw: str) -> str:
    """A policy's title without the site furniture of a web page's title:
    ``"Privacy Policy | Amazon.com"`` -> ``"Privacy Policy"``; ``"Home | Acme"`` -> ``"Acme"``;
    ``"JSTOR: Privacy Policy"`` -> ``"Privacy Policy"``. The first piece that names the
    document (privacy first, then policy, notice...) wins; a title with no such piece loses only its
    empty and "Home" pieces. A breadcrumb trail (``"Help > Privacy & Security > Privacy
    Notice"``) is read from its last step: ``"Privacy Notice"``. Never empty when ``raw`` is
    not."""
    title = " ".join(raw.split())
    steps = [step for step in _BREADCRUMB.split(title) if step.strip()]
    if len(steps) > 1:
        for step in reversed(steps):
            if _POLICY_WORDS.search(step):
                return display_title(step)
    pieces = [p.strip() for p in _TITLE_SEPARATOR.split(title)]
    pieces = [p for p in pieces if p and p.casefold() not in _FURNITURE]
    for words in (_PRIVACY, _POLICY_WORDS):
        for piece in pieces:
            if words.search(piece):
                return piece
    if pieces and len(pieces) < len(_TITLE_SEPARATOR.split(title)):
        return " - ".join(pieces) if len(pieces) > 1 else pieces[0]
    return title


def valid_date(text: str | None) -> str | None:
    """``text`` if it is a real calendar date ``YYYY-MM-DD`` (1990 or later), else ``None``:
    an archive line saying 2007-13-45 gives no date rather than a bogus one."""
    if not text:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return text if day.year >= 1990 else None


def _first_heading(lines: list[str], start: int) -> tuple[str | None, int]:
    """A ``# Title`` or underlined title as the first block from ``start``: its text and
    the line after it, or ``(None, start)``."""
    probe = start
    while probe < len(lines) and not lines[probe].strip():
        probe += 1
    if probe >= len(lines):
        return None, start
    if m := _TITLE.match(lines[probe]):
        return m.group(1).strip(), probe + 1
    if (probe + 1 < len(lines) and lines[probe].strip() and not lines[probe].startswith(
            (" " * 4, "\t")) and _SETEXT_RULE.match(lines[probe + 1])):
        title = clean_title(lines[probe])
        if title:
            return title, probe + 2
    return None, start


def parse_header(text: str) -> tuple[Header, str]:
    """Split ``text`` into its parsed header and the body after the header and title.

    Tolerates a missing or malformed header: whatever parts are found are kept.
    """
    lines = text.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    domain = date = url = None
    if index < len(lines) and lines[index].lstrip().startswith(">"):
        quote: list[str] = []
        while index < len(lines) and lines[index].lstrip().startswith(">"):
            quote.append(lines[index].lstrip()[1:].strip())
            index += 1
        quote_text = " ".join(quote)
        if m := _HEADER_DOMAIN.search(quote_text):
            domain = m.group(1).strip("*_`").lower()
        if m := _HEADER_DATE.search(quote_text):
            date = valid_date(m.group(1))
        if m := _HEADER_URL.search(quote_text):
            url = m.group(1)
        if not (domain or date or url or _HEADER_DATE.search(quote_text)):
            # An ordinary block quote, not our header: it stays in the body, and a title
            # right after it is still the title.
            title, after = _first_heading(lines, index)
            body = "\n".join(lines[:index] + lines[after:]).strip("\n")
            return Header(None, None, None, title), body
    title, index = _first_heading(lines, index)
    # "\n".join(lines[index:]), without joining the whole text again
    body = text[sum(map(len, lines[:index])) + index:].strip("\n")
    return Header(domain, date, url, title), body


def decode_policy_bytes(data: bytes, path: Path, repair: bool = True) -> str:
    """Decode file bytes as UTF-8 text or raise :class:`PolicyLoadError` naming the file;
    without ``repair``, the text as decoded (enough to know that it can be read: repairing
    never fails)."""
    if not data.strip():
        raise PolicyLoadError(f"{path}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PolicyLoadError(f"{path}: not valid UTF-16 text ({exc.reason})") from exc
    if b"\x00" in data[:8192]:
        raise PolicyLoadError(f"{path}: looks like a binary file, not a text policy")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyLoadError(
            f"{path}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
            "save it as UTF-8 to read it here"
        ) from exc
    if not repair:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return demote_body_headings(repair_text(text, data))


def read_policy_text(path: Path, repair: bool = True) -> str:
    """A policy file's whole text, or :class:`PolicyLoadError` saying why it cannot be read
    (too large, unreadable, empty, binary, not UTF-8); ``repair`` as
    :func:`decode_policy_bytes`."""
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise PolicyLoadError(
                f"{path}: {size / 1e6:.1f} MB is larger than the "
                f"{MAX_POLICY_BYTES / 1e6:.0f} MB a policy may have"
            )
        data = path.read_bytes()
    except PolicyLoadError:
        raise
    except OSError as exc:
        raise PolicyLoadError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    return decode_policy_bytes(data, path, repair)


def read_policy(path: Path, domain: str | None = None, company: str | None = None,
                doc_type: str = PRIVACY_POLICY) -> Policy:
    """Read and parse one policy file (``domain``: its key in the corpus; ``company`` and
    ``doc_type`` as its layout says, see :func:`read_entry`)."""
    text = read_policy_text(path)
    header, body = parse_header(text)
    file_domain = domain or domain_from_filename(path)
    fallback = f"{company} {doc_type}" if company else header.domain or file_domain
    raw_title = header.title or fallback
    return Policy(
        domain=file_domain,
        title=display_title(raw_title),
        raw_title=raw_title,
        archive_date=policy_date(path, header),
        source_url=header.source_url,
        body=body,
        path=path,
        word_count=count_words(body),
        company=company or file_domain,
        doc_type=doc_type,
    )


def policy_date(path: Path, header: Header) -> str | None:
    """A policy file's date, as every view shows it: its header's archive date, else the
    date its name gives (dated versions), else, in a git working copy, the date
    ``privacy-reader history`` gives its newest version (Open Terms Archive collections have
    no header: the newest commit's author date). ``None`` when nothing dates it."""
    date = header.archive_date or _date_in_name(path)
    if date:
        return date
    # Imported here: the history module reads its versions through this one.
    from reader.sources.history import newest_version_date

    return newest_version_date(path)


def entry_reading(entry: PolicyEntry) -> tuple[str, str, str | None, str]:
    """The arguments of :func:`read_policy` for a listed entry, as plain strings (they go
    to worker processes): path, key, the company of a collection document (None for a
    site's policy file) and the document type."""
    collection = bool(entry.company) and (
        document_identity(entry.relpath).layout is Layout.OPEN_TERMS_ARCHIVE)
    return (str(entry.path), entry.domain, entry.company if collection else None,
            entry.doc_type)


def read_entry(entry: PolicyEntry) -> Policy:
    """Read the policy of a listed entry, with the company and type its layout gave it."""
    path, key, company, doc_type = entry_reading(entry)
    return read_policy(Path(path), key, company, doc_type)


def corpus_folder_problem(root: str | os.PathLike[str]) -> str | None:
    """Why ``root`` cannot be opened as a corpus folder, or ``None`` if it can."""
    path = Path(root).expanduser()
    if not path.exists():
        return f"corpus folder not found: {path}"
    if not path.is_dir():
        return f"not a folder: {path}"
    return None


SUFFIX_PREFERENCE = {".md": 0, ".markdown": 1, ".txt": 2}


def _suffix_rank(path: Path) -> int:
    return SUFFIX_PREFERENCE.get(path.suffix.lower(), len(SUFFIX_PREFERENCE))


def preferred_entry(candidates: list[PolicyEntry]) -> PolicyEntry:
    """The file to show when several files name one domain: ``.md`` first, then
    ``.markdown``, then ``.txt``; within a kind the larger file, then the path (A-Z).

    Deterministic whatever order the folder is listed in.
    """
    return min(candidates, key=lambda e: (_suffix_rank(e.path), -e.size, e.relpath))


@dataclass
class CorpusChanges:
    """What a rescan found: domains added, removed, and those whose file changed."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class Corpus:
    """A folder of policy files, flat or in the nested ``a/am/ama/amazon.com.md`` layout.

    Listing only stats files; bodies are read on demand by :meth:`load`. Files found
    unreadable later (:meth:`find_broken`, :meth:`discard`) stay out of the listing until
    they change on disk.
    """

    root: Path
    entries: list[PolicyEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    cache_dir: Path | None = None  # where the listing is kept (None: not kept)
    from_cache: bool = False  # the last listing came from the cache (see :meth:`stale`)

    @classmethod
    def open(cls, root: str | os.PathLike[str], cache_dir: Path | None = None) -> Corpus:
        """List the folder ``root``; with ``cache_dir``, the listing made last time is
        reused while the folders are unchanged (see :mod:`reader.sources.listing_cache`)."""
        path = Path(root).expanduser()
        problem = corpus_folder_problem(path)
        if problem:
            raise CorpusError(problem)
        corpus = cls(root=path.resolve(), cache_dir=cache_dir)
        corpus._broken = {}
        listing = load_listing(cache_dir, corpus.root) if cache_dir else None
        if listing is not None:
            corpus._use_listing(listing)
        else:
            corpus._scan()
        return corpus

    def _warn(self, message: str) -> None:
        self.problems.append(message)
        log.warning("%s", message)

    def _use_listing(self, listing: Listing) -> None:
        self.from_cache = True
        self.entries = [PolicyEntry(*values) for values in listing.entries]
        if listing.digest:
            self._digest = (self.entries, listing.digest)
        self._index = {e.domain: e for e in self.entries}
        self.folders = [Path(folder) for folder, _ in listing.folders]
        self._broken = dict(listing.broken)
        for message in listing.problems:
            self._warn(message)

    def _scan(self) -> None:
        self.from_cache = False
        self._index: dict[str, PolicyEntry] = {}
        broken: dict[str, tuple[int, float, str]] = getattr(self, "_broken", {})
        self._broken = {}
        by_domain: dict[str, list[PolicyEntry]] = {}
        newest: dict[str, PolicyEntry] = {}  # dated policy -> its newest file
        folder_times: list[tuple[str, int]] = []
        prefix = len(os.path.join(str(self.root), ""))
        for path, stat in _walk_policy_files(self.root, self._warn, folder_times):
            if stat.st_size == 0:
                self._warn(f"{path}: the file is empty; skipped")
                continue
            if not os.access(path, os.R_OK):
                self._warn(f"{path}: no permission to read the file; skipped")
                continue
            known = broken.get(path)
            if known and known[:2] == (stat.st_size, stat.st_mtime):
                self._broken[path] = known  # still the same broken file
                self._warn(known[2])
                continue
            relpath = path[prefix:]  # as path.relative_to(root), 5x faster
            if version := dated_file(relpath):
                # Dated versions of one policy (named as its folder would be as one file:
                # facebook.com/2009-12-31.md is facebook.com, Facebook/Privacy Policy/
                # 20040613_x.md is Facebook): the newest is the one listed and indexed.
                who = document_identity(version.policy + ".md")
                listed = newest.get(who.key)
                if listed is None or _newer(relpath, listed.relpath):
                    newest[who.key] = PolicyEntry(who.key, path, stat.st_size, stat.st_mtime,
                                                  relpath, who.company, who.doc_type)
                continue
            who = document_identity(relpath)
            by_domain.setdefault(who.key, []).append(
                PolicyEntry(who.key, path, stat.st_size, stat.st_mtime, relpath, who.company,
                            who.doc_type))
        for policy, entry in newest.items():
            by_domain.setdefault(policy, []).append(entry)
        chosen = []
        for domain, candidates in by_domain.items():
            kept = preferred_entry(candidates) if len(candidates) > 1 else candidates[0]
            chosen.append(kept)
            for other in sorted(candidates, key=lambda e: e.relpath):
                if other is not kept:
                    self._warn(f"{other.path}: a second policy for {domain}; "
                               f"{kept.relpath} is shown instead (.md first, then the "
                               "larger file); skipped")
        self.entries = sorted(chosen, key=entry_order)
        self._index = {e.domain: e for e in self.entries}
        self.folders = [Path(folder) for folder, _ in folder_times]
        self._folder_times = folder_times
        self._save_listing(with_digest=True)

    def _save_listing(self, with_digest: bool = False) -> None:
        """Keep the listing; its digest too when ``with_digest`` or already made (a
        discard, on the GUI thread, does not make it: 0.13 s at 100,000)."""
        if self.cache_dir is None or not hasattr(self, "_folder_times"):
            return
        known = getattr(self, "_digest", None)
        digest = (self.listing_digest() if with_digest else
                  known[1] if known is not None and known[0] is self.entries else None)
        save_listing(self.cache_dir, self.root, Listing(
            [(e.domain, e.file, e.size, e.mtime, e.relpath, e.company, e.doc_type)
             for e in self.entries], list(self.problems), self._folder_times,
            dict(self._broken), digest))

    def listing_digest(self) -> str:
        """A digest of the listing: every policy's file, size and time (the search index
        records the one it was brought up to date with). Kept with the listing, so a
        corpus opened from the kept listing does not make it again (0.13 s at 100,000)."""
        known = getattr(self, "_digest", None)
        if known is not None and known[0] is self.entries:
            return known[1]
        listing = "\n".join(f"{entry.file}\0{entry.size}\0{entry.mtime!r}"
                            for entry in self.entries)
        digest = hashlib.blake2b(listing.encode("utf-8", "surrogateescape"),
                                 digest_size=16).hexdigest()
        self._digest = (self.entries, digest)  # until the entries are replaced
        return digest

    def stale(self, cancelled: Callable[[], bool] | None = None) -> list[str]:
        """Domains whose file changed size or time since it was listed, or is gone (a
        listing from the cache does not see files edited in place). Read-only: safe to
        run off the GUI thread."""
        changed = []
        for entry in list(self.entries):
            if cancelled and cancelled():
                break
            try:
                stat = os.stat(entry.file)
            except OSError:
                changed.append(entry.domain)
                continue
            if (stat.st_size, stat.st_mtime) != (entry.size, entry.mtime):
                changed.append(entry.domain)
        return changed

    def rescan(self) -> CorpusChanges:
        """List the folder again (files added, deleted or changed since) and say what
        changed. Raises :class:`CorpusError` if the folder itself is gone."""
        problem = corpus_folder_problem(self.root)
        if problem:
            raise CorpusError(problem)
        before = {e.domain: (e.file, e.size, e.mtime) for e in self.entries}
        self.problems = []
        self._scan()
        after = {e.domain: (e.file, e.size, e.mtime) for e in self.entries}
        return CorpusChanges(
            added=sorted(set(after) - set(before)),
            removed=sorted(set(before) - set(after)),
            changed=sorted(d for d in set(before) & set(after) if before[d] != after[d]),
        )

    def find_broken(self, cancelled: Callable[[], bool] | None = None,
                    entries: list[PolicyEntry] | None = None
                    ) -> list[tuple[PolicyEntry, str]]:
        """Read every listed file (or just ``entries``) and return ``(entry, message)`` for
        those that cannot be shown (binary, blank, not UTF-8, too large, unreadable, gone).
        Safe to run off the GUI thread: it only reads."""
        broken = []
        for entry in list(self.entries if entries is None else entries):
            if cancelled and cancelled():
                break
            try:
                # Not repaired: the check runs beside the GUI thread for minutes on a
                # large corpus, and the repair's regular expressions (most of its CPU)
                # held Python's lock for milliseconds at a time while the user typed.
                read_policy_text(entry.path, repair=False)
            except PolicyLoadError as exc:
                broken.append((entry, str(exc)))
        return broken

    def discard(self, entry: PolicyEntry | str, message: str) -> bool:
        """Take an unreadable file out of the listing (until it changes on disk) and record
        why in :attr:`problems`. Returns False if it is not listed (any more)."""
        domain = entry if isinstance(entry, str) else entry.domain
        current = self._index.get(domain)
        if current is None or (isinstance(entry, PolicyEntry) and current != entry):
            return False  # gone, or replaced by a newer file since it was checked
        if not message.endswith("skipped"):
            message += "; skipped"
        self._broken[current.file] = (current.size, current.mtime, message)
        self.entries = [e for e in self.entries if e.domain != domain]
        del self._index[domain]
        self._warn(message)
        self._save_listing()
        return True

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, domain: object) -> bool:
        return domain in self._index

    def domains(self) -> list[str]:
        return [e.domain for e in self.entries]

    def entry(self, domain: str) -> PolicyEntry:
        try:
            return self._index[domain]
        except KeyError:
            raise KeyError(f"no policy for {domain!r} in {self.root}") from None

    def find(self, name: str) -> PolicyEntry | None:
        """Look a company up by exact domain, case-insensitively, or with ``www.`` dropped."""
        if name in self._index:
            return self._index[name]
        wanted = name.lower().removeprefix("www.")
        for entry in self.entries:
            if entry.domain.lower().removeprefix("www.") == wanted:
                return entry
        return None

    def load(self, domain: str) -> Policy:
        """Read one policy; raises :class:`PolicyLoadError` with a clear message on bad files."""
        return read_entry(self.entry(domain))

    def iter_policies(self) -> Iterator[Policy]:
        """Every readable policy; bad files are skipped with a warning naming them."""
        for entry in self.entries:
            try:
                yield read_entry(entry)
            except PolicyLoadError as exc:
                self._warn(f"{exc}; skipped")


def _date_in_name(path: Path) -> str | None:
    """The date a dated version's file name gives (``20211114_Facebook_PrivacyPolicy.md``,
    ``2015-12-31.md``), for files without an archive header (PGA v1)."""
    dated = dated_file(PurePath(path.parent.name, path.name))
    return dated.date if dated else None


def _newer(relpath: str, other: str) -> bool:
    """Whether dated file ``relpath`` is a later version than ``other`` (same-day ties go to
    the later name)."""
    mine, theirs = dated_file(relpath), dated_file(other)
    return theirs is None or (mine.date, relpath) > (theirs.date, other)


def entry_order(entry: PolicyEntry) -> tuple:
    """Privacy policies first, then by company and document type (A-Z)."""
    company = entry.company or entry.domain
    return (not is_privacy_policy(entry.doc_type), company.lower(), company,
            entry.doc_type.lower(), entry.domain)


def _walk_policy_files(
    root: Path, warn: Callable[[str], None], folders: list[tuple[str, int]] | None = None
) -> Iterator[tuple[str, os.stat_result]]:
    """Policy files under ``root`` (as strings) with their stat; ``folders`` collects every
    folder seen with its modification time (ns, taken before it is listed)."""
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            if folders is not None:
                folders.append((folder, os.stat(folder).st_mtime_ns))
            with os.scandir(folder) as it:
                items = list(it)
        except OSError as exc:
            warn(f"{folder}: cannot list the folder ({exc.strerror or exc}); skipped")
            continue
        for item in items:
            if item.name.startswith("."):
                continue
            try:
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                elif item.name.lower().endswith(POLICY_SUFFIXES) and item.name.upper() not in {
                    "README.MD",
                    "MANIFEST.TSV",
                }:
                    yield item.path, item.stat()
            except OSError as exc:
                warn(f"{item.path}: cannot read the file ({exc.strerror or exc}); skipped")
