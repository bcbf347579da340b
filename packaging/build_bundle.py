"""Build the one-folder app bundle with PyInstaller, and on Linux its ``.tar.gz``.

    python packaging/build_bundle.py [--dist DIR] [--no-trim] [--no-archive]

Needs ``pip install -e '.[bundle]'``. The bundle is ``DIST/privacy-reader-VERSION-OS-ARCH/``
with the ``privacy-reader`` executable (the CLI; no command opens the app), the model,
fonts, icon and seed corpus inside. On Linux it also holds ``share/`` (desktop entry,
AppStream metainfo, icons 16..512 px) and ``install.sh``, and is packed as
``DIST/privacy-reader-VERSION-linux-ARCH.tar.gz``.

Trimming keeps only the Qt modules and plugins the app uses (QtCore, QtGui, QtWidgets,
QtPrintSupport; the X11, Wayland and offscreen platforms; SVG icons; CUPS printing; input
methods; the desktop portal theme), drops libraries no kept binary links to, and strips
Python's debug symbols.
``--no-trim`` builds with PyInstaller's defaults, to measure what trimming saves.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "privacy-reader.spec"
APP_ID = "io.github.privacy_reader.PrivacyReader"
DESKTOP_FILE = PACKAGING / "privacy-reader.desktop"
METAINFO_FILE = PACKAGING / f"{APP_ID}.metainfo.xml"
INSTALL_SCRIPT = PACKAGING / "install.sh"
ICON_SVG = ROOT / "resources" / "icons" / "privacy-reader.svg"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)

# Python modules the app never imports, but that a development venv may hold and that
# PyInstaller's hooks would otherwise pull in.
EXCLUDED_MODULES = [
    "PIL", "tkinter", "_tkinter", "pytest", "_pytest", "pdfplumber", "pdfminer",
    "pypdfium2", "IPython", "hypothesis", "sklearn", "scipy", "torch", "sentence_transformers",
    *(f"PySide6.{name}" for name in (
        "QtNetwork", "QtDBus", "QtOpenGL", "QtOpenGLWidgets", "QtQml", "QtQuick",
        "QtQuickWidgets", "QtQuickControls2", "QtQuickTest", "QtSql", "QtTest", "QtXml",
        "QtConcurrent", "QtHelp", "QtDesigner", "QtUiTools", "QtSvg", "QtSvgWidgets",
        "QtLabsStyleKit", "QtQmlFeatures")),
]

# Qt files (bundle-relative paths) left out: translations (the app is in English),
# plugins for hardware/embedded platforms, networking, TLS, OpenGL integrations, the GTK
# theme (it would bundle the build machine's GTK), image formats policies never need.
_DROPPED_QT_DIRS = ("translations", "plugins/egldeviceintegrations", "plugins/generic",
                    "plugins/networkinformation", "plugins/tls", "plugins/xcbglintegrations",
                    "plugins/wayland-graphics-integration-client", "plugins/sqldrivers",
                    "plugins/qmltooling", "qml")
_DROPPED_QT_FILES = ("libqeglfs", "libqlinuxfb", "libqminimalegl", "libqvkkhrdisplay",
                     "libqvnc", "libqgtk3", "libqgif", "libqicns", "libqico", "libqjpeg",
                     "libqtga", "libqtiff", "libqwbmp", "libqwebp", "libQt6Network",
                     "libQt6EglF", "libQt6OpenGL", "libQt6Qml", "libQt6Quick")
# System libraries used from the host rather than bundled: CUPS must match the host's print
# system (and brings GnuTLS, Kerberos, Avahi along). Without it printing falls back to PDF.
_HOST_LIBRARIES = ("libcups.so",)
# Folders of shared libraries that are only there because something links to them (and the
# ``*.libs`` folders of wheels repaired by auditwheel: numpy.libs, pygit2.libs...).
_LIBRARY_DIRS = {"", "PySide6/Qt/lib"}
# A Python extension module (``_cffi_backend.cpython-311-x86_64-linux-gnu.so`` sits beside
# the libraries but is imported, not linked: pygit2 needs it).
_EXTENSION = re.compile(r"\.(?:cpython-[^.]+|abi3)\.(?:so|pyd)$|\.pyd$")
# Imported by compiled code only, so PyInstaller's analysis cannot see them.
HIDDEN_IMPORTS = ["_cffi_backend"]  # pygit2's libgit2 bindings (cffi)


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from reader import __version__

    return __version__


def platform_tag() -> str:
    """``linux-x86_64``, ``windows-amd64``, ``macos-arm64``..."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    return f"{system.rstrip('0123456789')}-{platform.machine().lower()}"


def bundle_name() -> str:
    """The bundle's folder (and archive) name: carries the app's version."""
    return f"privacy-reader-{version()}-{platform_tag()}"


def data_files() -> list[tuple[str, str]]:
    """(source, bundle folder) of the app's data: ``resources/`` and ``corpus/`` in the
    bundle's ``sys._MEIPASS``, where ``reader.paths`` looks when frozen; the sources are
    where ``reader.paths`` finds them in the build environment (checkout or installed)."""
    sys.path.insert(0, str(ROOT))
    os.environ.pop("PRIVACY_READER_RESOURCES", None)
    from reader import paths

    return [(str(paths.resources_dir()), "resources"),
            (str(paths.embedded_corpus_dir()), "corpus")]


def keep_binary(dest: str) -> bool:
    """Whether a file PyInstaller collected (bundle-relative path) stays in the trimmed bundle."""
    path = PurePosixPath(dest.replace("\\", "/"))
    text = str(path)
    if text.startswith("PySide6/Qt/"):
        inner = text[len("PySide6/Qt/"):]
        if any(inner == d or inner.startswith(d + "/") for d in _DROPPED_QT_DIRS):
            return False
    return not any(path.name.startswith(prefix)
                   for prefix in (*_DROPPED_QT_FILES, *_HOST_LIBRARIES))


def linked_libraries(path: str) -> list[str]:
    """The ``NEEDED`` entries of an ELF file (direct links only, unlike ``ldd``)."""
    result = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=True)
    return [line.split()[1] for line in result.stdout.splitlines()
            if line.strip().startswith("NEEDED")]


def prune_unlinked(binaries: list[tuple]) -> list[tuple]:
    """Drop shared libraries that no kept extension module, plugin or library links to.

    Linux only (``objdump`` from binutils, which PyInstaller needs there too); elsewhere,
    or if a file cannot be read, the list is returned as is.
    """
    if not sys.platform.startswith("linux") or not shutil.which("objdump"):
        return binaries

    def folder(dest: str) -> str:
        parent = str(PurePosixPath(dest).parent)
        return "" if parent == "." else parent

    def is_library(entry: tuple) -> bool:
        name = PurePosixPath(entry[0]).name
        where = folder(entry[0])
        return ((where in _LIBRARY_DIRS or where.endswith(".libs"))
                and not name.startswith("libpython") and not _EXTENSION.search(name))

    libraries = {PurePosixPath(e[0]).name: e for e in binaries if is_library(e)}
    todo = [e for e in binaries if not is_library(e)]
    reached: set[str] = set()
    while todo:
        src = todo.pop()[1]
        try:
            needed = linked_libraries(src)
        except (OSError, subprocess.CalledProcessError):
            return binaries
        for name in needed:
            if name in libraries and name not in reached:
                reached.add(name)
                todo.append(libraries[name])
    return [e for e in binaries if not is_library(e) or PurePosixPath(e[0]).name in reached]


def strip_python_debug_symbols(bundle: Path) -> None:
    """Strip debug symbols from libpython and its extension modules (17 MB and 7 MB of the
    Python here). Only those: wheels' libraries are stripped already, and stripping the
    ones auditwheel patched (numpy's OpenBLAS) breaks them. Linux only."""
    if not sys.platform.startswith("linux") or not shutil.which("strip"):
        return
    internal = bundle / "_internal"
    files = [*internal.glob("libpython3*.so*"), *internal.glob("python3*/lib-dynload/*.so")]
    files = [f for f in files if f.is_file() and not f.is_symlink()]
    if files:
        subprocess.run(["strip", "--strip-debug", *map(str, files)], check=True)


def folder_size(folder: Path) -> int:
    """Bytes of all files under ``folder`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def render_icons(out: Path, sizes: tuple[int, ...] = ICON_SIZES) -> list[Path]:
    """PNG icons ``out/hicolor/NxN/apps/privacy-reader.png`` rendered from the SVG with Qt."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {ICON_SVG}")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out / "hicolor" / f"{size}x{size}" / "apps" / "privacy-reader.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"cannot write {path}")
        written.append(path)
    scalable = out / "hicolor" / "scalable" / "apps" / "privacy-reader.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICON_SVG, scalable)
    return [*written, scalable]


def stage_desktop_files(bundle: Path) -> None:
    """Put ``share/`` (desktop entry, metainfo, icons) and ``install.sh`` into the bundle."""
    share = bundle / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DESKTOP_FILE, share / "applications" / DESKTOP_FILE.name)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(METAINFO_FILE, share / "metainfo" / METAINFO_FILE.name)
    render_icons(share / "icons")
    shutil.copyfile(INSTALL_SCRIPT, bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)


def make_archive(bundle: Path) -> Path:
    """``bundle.tar.gz`` beside the bundle, with the bundle's folder at its top."""
    archive = bundle.with_name(bundle.name + ".tar.gz")
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    return archive


def build(dist: Path, work: Path, trim: bool = True, name: str | None = None) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder."""
    env = {**os.environ, "PRIVACY_READER_BUNDLE_TRIM": "1" if trim else "0",
           "PRIVACY_READER_BUNDLE_NAME": name or bundle_name()}
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                   check=True, env=env, cwd=ROOT)
    return dist / env["PRIVACY_READER_BUNDLE_NAME"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--no-trim", action="store_true",
                        help="PyInstaller's defaults: every Qt plugin and library it finds")
    parser.add_argument("--no-archive", action="store_true", help="do not write the .tar.gz")
    parser.add_argument("--print-name", action="store_true",
                        help="print the bundle's folder name and stop")
    args = parser.parse_args(argv)
    if args.print_name:
        print(bundle_name())
        return 0
    started = time.perf_counter()
    name = bundle_name() + ("-untrimmed" if args.no_trim else "")
    bundle = build(args.dist.resolve(), args.work.resolve(), trim=not args.no_trim, name=name)
    if sys.platform.startswith("linux") and not args.no_trim:
        strip_python_debug_symbols(bundle)
    if sys.platform.startswith("linux"):
        stage_desktop_files(bundle)
    print(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB) "
          f"in {time.perf_counter() - started:.0f} s")
    if sys.platform.startswith("linux") and not args.no_archive:
        archive = make_archive(bundle)
        print(f"archive: {archive} ({archive.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
