#!/usr/bin/env bash
# macOS: build "dist/CGT Desk.app" (installers/build.sh; the spec's BUNDLE step) and wrap it in a
# compressed disk image with the usual drag-to-Applications link.
#
#     bash installers/macos/build_dmg.sh      ->  dist/CGT-Desk-<version>-<arch>.dmg
#
# Needs Python 3.11+ from python.org (a universal2 or the machine's own architecture; the .app is
# built for the architecture that Python runs as) and the Xcode command line tools (hdiutil and
# codesign are part of macOS). Without CGTDESK_CODESIGN_IDENTITY the app is signed ad hoc, which
# runs on the machine that built it; for other Macs sign with a Developer ID and notarize:
#     CGTDESK_CODESIGN_IDENTITY="Developer ID Application: ..." bash installers/macos/build_dmg.sh
#     xcrun notarytool submit dist/CGT-Desk-*.dmg --keychain-profile PROFILE --wait
#     xcrun stapler staple dist/CGT-Desk-*.dmg
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -s)" = Darwin ] || { echo "build_dmg.sh: run this on macOS" >&2; exit 1; }

bash installers/build.sh
app="dist/CGT Desk.app"
[ -d "$app" ] || { echo "build_dmg.sh: $app was not made" >&2; exit 1; }

# The app must run before it is wrapped: one computation, headless, from inside the .app.
"$app/Contents/MacOS/cgtdesk" compute resources/example.cgtproj --json > /dev/null
codesign --verify --deep --strict "$app"

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)
arch=$(uname -m)
dmg="dist/CGT-Desk-$version-$arch.dmg"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# ditto keeps the symbolic links and extended attributes of the signed bundle intact.
ditto "$app" "$stage/CGT Desk.app"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "CGT Desk $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
if [ -n "${CGTDESK_CODESIGN_IDENTITY:-}" ]; then
    codesign --sign "$CGTDESK_CODESIGN_IDENTITY" --timestamp "$dmg"
fi
hdiutil verify "$dmg"
echo "build_dmg.sh: $dmg ($(du -h "$dmg" | cut -f1))"
