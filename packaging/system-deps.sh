#!/bin/sh
# System libraries the app needs on Debian/Ubuntu: Qt's X11 (xcb) and Wayland platform
# plugins for a real screen, EGL/OpenGL, fonts, D-Bus, and Python's venv module.
# The list is what `ldd` shows PySide6's Qt libraries and platform plugins link against,
# a fallback font for Chinese, Japanese and Korean characters (fonts-droid-fallback,
# 1.8 MB): without one, a bare system draws them, and a real policy's fullwidth colon
# (yamaha-motor.co.id), as empty boxes on screen and in PDFs; and a font of symbols
# (fonts-symbola, 3 MB) for the circled "ⓘ" that Facebook's privacy policy writes 23 times.
# Installs only what is missing; uses sudo when not run as root; does nothing elsewhere.
set -eu

packages="libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6
  fonts-dejavu-core fonts-droid-fallback fonts-symbola libxkbcommon0 libxkbcommon-x11-0
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libwayland-client0 libwayland-cursor0
  libwayland-egl1"

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; install Qt 6's xcb/Wayland libraries yourself" >&2
  exit 0
fi

missing=""
for pkg in $packages; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
# Debian's python3 has no venv module until python3-venv is installed.
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing="$missing python3-venv"
[ -n "$missing" ] || exit 0

echo "system-deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
  run=""
else
  run="sudo"
fi
$run apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq $missing >/dev/null
