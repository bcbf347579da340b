"""Where the app finds its bundled resources and keeps its user data."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

APP_NAME = "privacy-reader"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """The bundled ``resources/`` folder (model, categories, fonts)."""
    override = os.environ.get("PRIVACY_READER_RESOURCES")
    return Path(override) if override else _PROJECT_ROOT / "resources"


def embedded_corpus_dir() -> Path:
    """The small corpus that ships with the app and opens by default."""
    return _PROJECT_ROOT / "corpus"


def user_data_dir() -> Path:
    """Per-user data folder (indexes live here, never inside a corpus).

    ``PRIVACY_READER_DATA`` overrides it (tests use a temporary folder).
    """
    override = os.environ.get("PRIVACY_READER_DATA")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def index_dir_for(corpus_root: Path) -> Path:
    """The index folder for one corpus folder: a stable name derived from its path."""
    resolved = str(Path(corpus_root).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:16]
    safe_name = "".join(ch if ch.isalnum() else "_" for ch in Path(resolved).name)[:40]
    return user_data_dir() / "indexes" / f"{safe_name}-{digest}"
