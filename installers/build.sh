#!/usr/bin/env bash
# Build the CGT Desk one-folder bundle for the system this runs on:
#
#     bash installers/build.sh        ->  dist/cgtdesk/cgtdesk  (cgtdesk.exe on Windows)
#
# Only Python 3.11 or later is assumed (PYTHON=... picks another interpreter). The build uses its
# own virtual environment, .venv-bundle, holding the runtime dependencies of pyproject.toml and the
# "bundle" extra (PyInstaller) and nothing else, so no test tool or other stray package can slip
# into the bundle. It is remade whenever pyproject.toml changes.
# On macOS the spec also makes "dist/CGT Desk.app"; installers/macos/build_dmg.sh wraps it in a disk
# image. On Windows run this from Git Bash, then compile installers/windows/cgtdesk.iss.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PYTHON:-}" ]; then
    if command -v python3 >/dev/null 2>&1; then PYTHON=python3; else PYTHON=python; fi
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CGT Desk needs Python 3.11 or later")'

VENV=${CGTDESK_BUNDLE_VENV:-.venv-bundle}
if [ -x "$VENV/Scripts/python.exe" ]; then PY="$VENV/Scripts/python.exe"; else PY="$VENV/bin/python"; fi
want=$("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
stamp="$VENV/.bundle-installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "build.sh: making $VENV (runtime dependencies + PyInstaller)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    if [ -x "$VENV/Scripts/python.exe" ]; then PY="$VENV/Scripts/python.exe"; else PY="$VENV/bin/python"; fi
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -e ".[bundle]"
    echo "$want" > "$stamp"
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installers/cgtdesk.spec
echo "build.sh: built dist/cgtdesk in $(( $(date +%s) - start )) s, $(du -sh dist/cgtdesk | cut -f1)"
