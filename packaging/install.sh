#!/bin/sh
# Install Privacy Policy Reader for this user (no root needed):
#   ./install.sh              copy the app to ~/.local/lib/privacy-reader, put
#                             `privacy-reader` in ~/.local/bin, and add its menu entry,
#                             icons and AppStream metainfo under ~/.local/share
#   ./install.sh --uninstall  remove all of that again (also:
#                             ~/.local/lib/privacy-reader/install.sh --uninstall)
# PREFIX=/some/folder installs there instead of ~/.local.
set -eu

PREFIX="${PREFIX:-$HOME/.local}"
HERE="$(cd "$(dirname "$0")" && pwd)"
APP="$PREFIX/lib/privacy-reader"
BIN="$PREFIX/bin/privacy-reader"
SHARE="$PREFIX/share"
DESKTOP="$SHARE/applications/privacy-reader.desktop"
METAINFO="$SHARE/metainfo/io.github.privacy_reader.PrivacyReader.metainfo.xml"
ICON_SIZES="16 22 24 32 48 64 128 256 512"

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$SHARE/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
    fi
}

uninstall() {
    rm -rf "$APP"
    [ -L "$BIN" ] && rm -f "$BIN"
    rm -f "$DESKTOP" "$METAINFO" "$SHARE/icons/hicolor/scalable/apps/privacy-reader.svg"
    for size in $ICON_SIZES; do
        rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/privacy-reader.png"
    done
    refresh_caches
    echo "Privacy Policy Reader removed from $PREFIX"
}

install_app() {
    if [ ! -x "$HERE/privacy-reader" ] || [ ! -d "$HERE/_internal" ]; then
        echo "install.sh: run it from the unpacked privacy-reader folder" >&2
        exit 2
    fi
    if [ "$HERE" != "$APP" ]; then
        rm -rf "$APP.new"
        mkdir -p "$APP.new"
        cp -R "$HERE/privacy-reader" "$HERE/_internal" "$HERE/install.sh" "$APP.new/"
        rm -rf "$APP"
        mv "$APP.new" "$APP"
    fi
    mkdir -p "$PREFIX/bin" "$SHARE/applications" "$SHARE/metainfo"
    ln -sfn "$APP/privacy-reader" "$BIN"
    # The menu entry starts the installed app by its full path: ~/.local/bin is not on
    # every desktop session's PATH.
    sed "s|^Exec=privacy-reader|Exec=$BIN|" "$HERE/share/applications/privacy-reader.desktop" > "$DESKTOP"
    cp "$HERE/share/metainfo/io.github.privacy_reader.PrivacyReader.metainfo.xml" "$METAINFO"
    for size in $ICON_SIZES; do
        mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
        cp "$HERE/share/icons/hicolor/${size}x${size}/apps/privacy-reader.png" \
            "$SHARE/icons/hicolor/${size}x${size}/apps/"
    done
    mkdir -p "$SHARE/icons/hicolor/scalable/apps"
    cp "$HERE/share/icons/hicolor/scalable/apps/privacy-reader.svg" "$SHARE/icons/hicolor/scalable/apps/"
    refresh_caches
    echo "Privacy Policy Reader installed in $APP"
    echo "Start it from your applications menu, or run: $BIN"
    case ":$PATH:" in
        *":$PREFIX/bin:"*) ;;
        *) echo "(add $PREFIX/bin to your PATH to run privacy-reader by name)" ;;
    esac
}

case "${1:-}" in
    ""|--install) install_app ;;
    --uninstall|uninstall) uninstall ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) echo "usage: $0 [--uninstall]" >&2; exit 2 ;;
esac
