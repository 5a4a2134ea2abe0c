#!/usr/bin/env bash
# Windows (Git Bash): build the bundle, then the Inno Setup installer.
#
#     bash installers/windows/build_installer.sh
#
# Needs Python 3.11+ (python.org installer, "Add to PATH") and Inno Setup 6 (ISCC.exe on PATH, or
# in its default folder; ISCC=... overrides). Writes dist/installer/CGT-Desk-<version>-setup.exe.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash installers/build.sh
[ -f dist/cgtdesk/cgtdesk.exe ] || { echo "build_installer.sh: dist/cgtdesk/cgtdesk.exe missing (not on Windows?)" >&2; exit 1; }

# The bundle must run before it is wrapped: one computation, headless.
dist/cgtdesk/cgtdesk.exe compute resources/example.cgtproj --json > /dev/null

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)
if [ -z "${ISCC:-}" ]; then
    if command -v iscc >/dev/null 2>&1; then ISCC=iscc
    elif command -v ISCC.exe >/dev/null 2>&1; then ISCC=ISCC.exe
    else ISCC="/c/Program Files (x86)/Inno Setup 6/ISCC.exe"
    fi
fi
"$ISCC" "/DAppVersion=$version" installers/windows/cgtdesk.iss
ls -l dist/installer/
