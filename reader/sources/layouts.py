"""Which policy a file is, from where it sits in a corpus folder.

Three folder layouts are read:

- flat: ``amazon.com.md`` (the file is named after the site);
- nested, as in the Princeton-Leuven corpus: ``a/am/ama/amazon.com.md``;
- Open Terms Archive collections: ``<Service>/<Document type>.md`` (the type in title
  case), e.g.
  ``Facebook/Privacy Policy.md`` and ``Facebook/Terms of Service.md``. The service is the
  company; each document keeps its type.

:func:`document_identity` decides it for one file, :func:`corpus_layout` for a folder.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import PurePath

from reader.sources.dated import path_parts

POLICY_SUFFIXES = (".md", ".markdown", ".txt")
PRIVACY_POLICY = "Privacy Policy"


class Layout(enum.Enum):
    FLAT = "flat"
    NESTED = "nested"
    OPEN_TERMS_ARCHIVE = "open-terms-archive"


@dataclass(frozen=True)
class DocumentIdentity:
    """Who a policy file belongs to and what kind of document it is.

    ``key`` names the document uniquely in its corpus (commands and the index use it): the
    domain, the service for a privacy policy of a collection, ``Service (Type)`` otherwise.
    """

    key: str
    company: str
    doc_type: str = PRIVACY_POLICY
    layout: Layout = Layout.FLAT

    @property
    def is_privacy_policy(self) -> bool:
        return is_privacy_policy(self.doc_type)


def is_privacy_policy(doc_type: str) -> bool:
    return doc_type.strip().casefold() == PRIVACY_POLICY.casefold()


def strip_policy_suffix(name: str) -> str:
    """``amazon.com.md`` -> ``amazon.com``; ``Privacy Policy.md`` -> ``Privacy Policy``."""
    for suffix in POLICY_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return PurePath(name).stem


def looks_like_domain(name: str) -> bool:
    """``amazon.com`` yes; ``Privacy Policy`` or ``Terms of Service`` no."""
    return "." in name.strip(".") and not any(ch.isspace() for ch in name)


def looks_like_document_type(name: str) -> bool:
    """Open Terms Archive names documents in title case: ``Privacy Policy``, ``Imprint``."""
    return bool(name) and name[0].isupper() and not looks_like_domain(name)


def document_identity(relpath: str | PurePath) -> DocumentIdentity:
    """The identity of the file at ``relpath`` (relative to the corpus folder)."""
    parts = path_parts(relpath)
    name = strip_policy_suffix(parts[-1]) if parts else ""
    if len(parts) == 2 and looks_like_document_type(name):
        service = parts[0]
        key = service if is_privacy_policy(name) else f"{service} ({name})"
        return DocumentIdentity(key, service, name, Layout.OPEN_TERMS_ARCHIVE)
    layout = Layout.NESTED if len(parts) > 1 else Layout.FLAT
    return DocumentIdentity(name, name, PRIVACY_POLICY, layout)


def corpus_layout(relpaths: list[str] | list[PurePath]) -> Layout:
    """The layout most of ``relpaths`` follow (files of one corpus folder)."""
    counts = {layout: 0 for layout in Layout}
    for relpath in relpaths:
        counts[document_identity(relpath).layout] += 1
    return max(Layout, key=lambda layout: counts[layout])
