"""Where the app finds its bundled resources and keeps its user data."""

from __future__ import annotations

import errno
import hashlib
import importlib.resources
import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "privacy-reader"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


RESOURCES_PACKAGE = "reader._resources"  # the repository's resources/ folder, installed
CORPUS_PACKAGE = "reader._corpus"  # the repository's corpus/ folder, installed


def _package_folder(package: str, checkout_folder: str) -> Path:
    """The folder of an installed data package, found with importlib.resources.

    A wheel installs ``resources/`` and ``corpus/`` as packages inside ``reader``. Running
    from a source checkout (or an editable install, whose finder cannot map a folder that
    is not a regular package), the checkout's own top-level folder is used.
    """
    if getattr(sys, "frozen", False):  # the PyInstaller bundle (packaging/build_bundle.py)
        return Path(sys._MEIPASS) / checkout_folder
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        return _PROJECT_ROOT / checkout_folder
    if isinstance(root, Path):
        return root
    # A namespace package (corpus/ holds only the policies, no __init__.py): the folder
    # its files are in.
    for child in root.iterdir():
        if isinstance(child, Path):
            return child.parent
    return _PROJECT_ROOT / checkout_folder


def resources_dir() -> Path:
    """The bundled resources (model, categories, fonts, icon);
    ``PRIVACY_READER_RESOURCES`` overrides it."""
    override = os.environ.get("PRIVACY_READER_RESOURCES")
    return Path(override) if override else _package_folder(RESOURCES_PACKAGE, "resources")


def embedded_corpus_dir() -> Path:
    """The five seed policies that ship with the app and open by default."""
    return _package_folder(CORPUS_PACKAGE, "corpus")


def user_data_dir() -> Path:
    """Per-user data folder (indexes live here, never inside a corpus).

    ``PRIVACY_READER_DATA`` overrides it (tests use a temporary folder).
    """
    override = os.environ.get("PRIVACY_READER_DATA")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder", str(path))
    path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "it is not writable", str(path))
    return path


def folder_problem(exc: OSError) -> str:
    """One line saying which folder cannot be used and why (for an OSError of
    :func:`user_data_dir` or of writing in it)."""
    if exc.filename and exc.strerror:
        return f"the folder {exc.filename} cannot be used ({exc.strerror})"
    return str(exc)


def index_dir_for(corpus_root: Path) -> Path:
    """The index folder for one corpus folder: a stable name derived from its path."""
    resolved = str(Path(corpus_root).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:16]
    safe_name = "".join(ch if ch.isalnum() else "_" for ch in Path(resolved).name)[:40]
    return user_data_dir() / "indexes" / f"{safe_name}-{digest}"
