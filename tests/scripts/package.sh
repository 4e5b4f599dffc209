#!/usr/bin/env bash
# Builds the release bundle this machine can build offline, the .deb, and
# proves it with check-deb.sh. Not part of the test run (a release build and
# a bundle take minutes). The AppImage is left out: Tauri's bundler
# downloads linuxdeploy and its plugins while making one, and this machine
# reaches package registries only. Windows and macOS bundles come from
# .github/workflows/release.yml. Usage: tests/scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/scripts/setup.sh --packaging
# The UI is embedded at compile time; tauri.conf.json runs no
# beforeBuildCommand, so build it first, as run.sh and bench.sh do.
(cd ui && npm run --silent build)

started=$SECONDS
# From src-tauri: started from the root, the CLI could take
# tests/bare-window's tauri.conf.json for the app's.
(cd src-tauri && ../target/tools/node_modules/.bin/tauri build --bundles deb)
echo "release build and .deb: $((SECONDS - started)) s"

version=$(node -p "require('./src-tauri/tauri.conf.json').version")
tests/scripts/check-deb.sh "target/release/bundle/deb/D365 Connect_${version}_$(dpkg --print-architecture).deb"
