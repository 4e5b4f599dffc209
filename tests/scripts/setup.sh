#!/usr/bin/env bash
# Installs whatever D365 Connect needs on Debian 12 that is not there yet:
# apt packages, tauri-driver, the UI's npm packages. Idempotent: when all is
# present it only checks, in a second or two. `setup.sh --packaging` adds
# what tests/scripts/package.sh needs (the Tauri CLI and the tools that
# inspect a .deb); the test run never asks for them.
set -euo pipefail
cd "$(dirname "$0")/../.."
packaging=false
[ "${1:-}" = "--packaging" ] && packaging=true

# Build: WebKitGTK 4.1 and friends. Run and test: X server, WebDriver,
# D-Bus, a keyring, and xdotool for the native save dialog (see
# docs/building.md: no dbus-x11, its autolaunch leaves daemons behind).
APT_PACKAGES=(
  build-essential pkg-config file git curl
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev libdbus-1-dev
  xvfb xauth webkit2gtk-driver dbus gnome-keyring xdotool
)
TAURI_DRIVER_VERSION="^2"
# The CLI's version follows the tauri crate's (Cargo.lock). From npm, where
# it ships prebuilt: cargo install tauri-cli takes about 12 minutes here.
TAURI_CLI_VERSION="2.12.5"
TAURI_CLI="target/tools/node_modules/.bin/tauri"
# desktop-file-validate, xdotool (the window mapped), xprop (its class),
# import (a screenshot).
$packaging && APT_PACKAGES+=(desktop-file-utils xdotool x11-utils imagemagick)

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  log "installing apt packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool is not installed. Install Rust (https://rustup.rs) and Node.js 20.19+ first." >&2
    exit 1
  fi
done

if ! command -v tauri-driver >/dev/null; then
  log "installing tauri-driver $TAURI_DRIVER_VERSION (about a minute)"
  cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION" --quiet
fi

# npm ci only when the lockfile changed since the last install.
if ! cmp -s ui/package-lock.json ui/node_modules/.package-lock.json.ci 2>/dev/null; then
  log "installing the UI's npm packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.package-lock.json.ci)
fi

if $packaging && [ "$("$TAURI_CLI" --version 2>/dev/null)" != "tauri-cli $TAURI_CLI_VERSION" ]; then
  log "installing the Tauri CLI $TAURI_CLI_VERSION into target/tools"
  npm install --prefix target/tools --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi
