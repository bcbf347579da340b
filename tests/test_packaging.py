"""Packaging without building the bundle: one version everywhere, desktop files that pass
the freedesktop validators, icons, the ~/.local install script, and what trimming keeps."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from reader import __version__
from reader.cli import main
from reader.output.export import write_pdf
from reader.output.highlight import HighlightedPolicy
from reader.sources.corpus import Corpus

PROJECT = Path(__file__).resolve().parent.parent
PACKAGING = PROJECT / "packaging"
sys.path.insert(0, str(PACKAGING))

import build_bundle  # noqa: E402

SEED = "bmtmicro.com"


# -- one version, from reader/__init__.py ------------------------------------------------

def test_pyproject_takes_the_version_from_the_package():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "reader.__version__"}
    assert importlib.metadata.version("privacy-reader") == __version__


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"privacy-reader {__version__}"


def test_about_dialog_names_the_version(qtbot):
    from reader.ui.main_window import MainWindow

    window = MainWindow(str(PROJECT / "corpus"), restore=False)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.index_worker is None, timeout=60000)
    window.about()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and boxes[0].text().startswith(f"Privacy Policy Reader {__version__}\n")
    boxes[0].close()
    window.pool.waitForDone(10000)


def test_pdf_metadata_names_the_version(qapp, tmp_path):
    policy = Corpus.open(PROJECT / "corpus").load(SEED)
    out = write_pdf(HighlightedPolicy.of(policy), tmp_path / "seed.pdf")
    with pdfplumber.open(out) as pdf:
        assert pdf.metadata["Creator"] == f"Privacy Policy Reader {__version__}"
        assert pdf.metadata["Title"] == f"{SEED}: {policy.title}"


def test_bundle_name_and_metainfo_release_carry_the_version():
    name = build_bundle.bundle_name()
    assert name.startswith(f"privacy-reader-{__version__}-")
    assert name.endswith(build_bundle.platform_tag())
    releases = ET.parse(build_bundle.METAINFO_FILE).getroot().find("releases")
    assert releases[0].get("version") == __version__


# -- desktop integration -----------------------------------------------------------------

def _validate(*command: str) -> subprocess.CompletedProcess:
    if not shutil.which(command[0]):
        pytest.skip(f"{command[0]} is not installed (apt-get install "
                    f"{'desktop-file-utils' if 'desktop' in command[0] else 'appstream'})")
    return subprocess.run(command, capture_output=True, text=True)


def test_desktop_file_is_valid():
    result = _validate("desktop-file-validate", str(build_bundle.DESKTOP_FILE))
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_metainfo_is_valid():
    result = _validate("appstreamcli", "validate", "--no-net", str(build_bundle.METAINFO_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(build_bundle.METAINFO_FILE).getroot()
    assert root.findtext("id") == build_bundle.APP_ID
    assert root.findtext("launchable") == build_bundle.DESKTOP_FILE.name
    assert root.find("screenshots/screenshot/image") is not None


def test_icons_are_rendered_at_every_size(qapp, tmp_path):
    written = build_bundle.render_icons(tmp_path)
    assert len(written) == len(build_bundle.ICON_SIZES) + 1
    for size in build_bundle.ICON_SIZES:
        image = QImage(str(tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "privacy-reader.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # the page, opaque
        assert image.pixelColor(0, 0).alpha() == 0  # transparent corner
    assert (tmp_path / "hicolor" / "scalable" / "apps" / "privacy-reader.svg").is_file()


def _installed_files(prefix: Path) -> list[str]:
    """Files under ``prefix``, less the caches the desktop's tools rebuild."""
    caches = {"mimeinfo.cache", "icon-theme.cache"}
    return sorted(str(p.relative_to(prefix)) for p in prefix.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.name not in caches)


@pytest.mark.skipif(sys.platform == "win32", reason="install.sh is for Linux")
def test_install_script_installs_into_local_and_uninstalls(qapp, tmp_path):
    """install.sh on a stand-in bundle (a shell script as the app), then --uninstall."""
    bundle = tmp_path / "privacy-reader-x"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "data.txt").write_text("data")
    app = bundle / "privacy-reader"
    app.write_text("#!/bin/sh\necho stand-in app \"$@\"\n")
    app.chmod(0o755)
    build_bundle.stage_desktop_files(bundle)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("PREFIX", None)
    result = subprocess.run([str(bundle / "install.sh")], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    local = home / ".local"
    binary = local / "bin" / "privacy-reader"
    assert binary.is_symlink()
    assert binary.resolve() == (local / "lib" / "privacy-reader" / "privacy-reader").resolve()
    ran = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    assert ran.stdout == "stand-in app --version\n"
    assert (local / "lib" / "privacy-reader" / "_internal" / "data.txt").read_text() == "data"
    desktop = local / "share" / "applications" / "privacy-reader.desktop"
    assert f"Exec={binary}\n" in desktop.read_text()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                               text=True)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout
    assert (local / "share" / "metainfo" / build_bundle.METAINFO_FILE.name).is_file()
    for size in build_bundle.ICON_SIZES:
        assert (local / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
                / "privacy-reader.png").is_file()

    # The installed copy of the script removes everything it installed, and only that.
    (local / "share" / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
    result = subprocess.run([str(local / "lib" / "privacy-reader" / "install.sh"),
                             "--uninstall"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert _installed_files(local) == ["share/applications/other.desktop"]


@pytest.mark.skipif(sys.platform == "win32", reason="install.sh is for Linux")
def test_install_script_refuses_a_folder_without_the_app(tmp_path):
    shutil.copy(build_bundle.INSTALL_SCRIPT, tmp_path / "install.sh")
    result = subprocess.run(["sh", str(tmp_path / "install.sh")], capture_output=True,
                            text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 2
    assert "unpacked privacy-reader folder" in result.stderr
    assert not (tmp_path / ".local").exists()


# -- what the trimmed bundle keeps --------------------------------------------------------

@pytest.mark.parametrize(("path", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/lib/libQt6Svg.so.6", True),
    ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", True),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/lib/libQt6Network.so.6", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("libcups.so.2", False),
])
def test_trimming_keeps_what_the_app_uses(path, kept):
    assert build_bundle.keep_binary(path) is kept


def test_bundle_data_goes_where_reader_paths_looks_when_frozen(monkeypatch, tmp_path):
    from reader import paths

    placed = {dest: Path(src) for src, dest in build_bundle.data_files()}
    assert placed == {"resources": paths.resources_dir(), "corpus": paths.embedded_corpus_dir()}
    assert (placed["resources"] / "practice_model.npz").is_file()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.embedded_corpus_dir() == tmp_path / "corpus"
