#!/usr/bin/env bash
# Installs what building, running and testing the portal needs, skipping whatever is already there.
# Usage: scripts/setup.sh [--build] [--test]
#   --build  Rust wasm target, Trunk 0.21, wasm-bindgen-cli (the version in Cargo.lock), wasm-opt (npm binaryen)
#   --test   also Chromium + ChromeDriver, Playwright and axe-core, the Python modules the checks use
# Source scripts/env.sh afterwards (the run and test commands do) to put the tools on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

want_test=false
for arg in "$@"; do
  case "$arg" in
    --build) ;;
    --test) want_test=true ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v cargo >/dev/null; then
  echo "Rust is required: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk 0.22 needs a newer rustc than this toolchain; 0.21 is the line we build with.
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "Installing Trunk 0.21 (builds from source, about 15 minutes)"
  cargo install trunk --version '^0.21' --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate exactly. Without --locked: its lockfile names a
# crate version the registry no longer has.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "Cargo.lock does not list wasm-bindgen" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "Installing wasm-bindgen-cli $bindgen_version (about 10 minutes)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# npm packages: binaryen's wasm-opt (Debian's binaryen 108 breaks the module), Playwright, axe-core.
if [ ! -x e2e/node_modules/.bin/wasm-opt ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  say "Installing npm packages (wasm-opt, Playwright, axe-core)"
  (cd e2e && npm ci --no-audit --no-fund)
fi
if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  echo "wasm-opt on PATH is not binaryen 132: $(command -v wasm-opt || echo none)" >&2
  exit 1
fi

# The release build writes brotli copies of its files for the backend to send.
if ! python3 -c 'import brotli' 2>/dev/null; then
  say "Installing the Python brotli module (pre-compressed files, bundle-size figures)"
  python3 -m pip install -q brotli || as_root apt-get install -y -q python3-brotli \
    || { echo "error: could not install the Python brotli module" >&2; exit 1; }
fi

if $want_test; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "Installing Chromium and ChromeDriver (Debian packages)"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium chromium-driver
  fi
  if ! python3 -c 'import icalendar, dateutil' 2>/dev/null; then
    say "Installing the Python icalendar and dateutil modules (independent check of calendar files)"
    # The backend's calendar test fails without them, so failing to install them is an error.
    python3 -m pip install -q icalendar python-dateutil \
      || as_root apt-get install -y -q python3-icalendar python3-dateutil \
      || { echo "error: could not install the Python modules icalendar and python-dateutil" >&2; exit 1; }
    python3 -c 'import icalendar, dateutil' \
      || { echo "error: icalendar and dateutil are installed but python3 cannot import them" >&2; exit 1; }
  fi
  if ! python3 -c 'import http_ece, cryptography' 2>/dev/null; then
    say "Installing the Python http_ece and cryptography modules (independent check of Web Push)"
    # The backend's push test fails without them, so failing to install them is an error.
    # Debian has no package of http_ece, so pip is the only way.
    python3 -m pip install -q http_ece cryptography \
      || { echo "error: could not install the Python modules http_ece and cryptography" >&2; exit 1; }
    python3 -c 'import http_ece, cryptography' \
      || { echo "error: http_ece and cryptography are installed but python3 cannot import them" >&2; exit 1; }
  fi
fi
