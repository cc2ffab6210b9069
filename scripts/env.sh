# Sourced by the scripts: puts cargo-installed tools and the npm wasm-opt first on PATH.
_portal_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_portal_root/e2e/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
unset _portal_root

# Panic locations embed source paths; remap them so the shipped bundle names no build machine's paths.
_cargo_home="${CARGO_HOME:-$HOME/.cargo}"
PORTAL_RELEASE_RUSTFLAGS="--remap-path-prefix=$_cargo_home/registry/src=/crates --remap-path-prefix=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)=/portal"
export PORTAL_RELEASE_RUSTFLAGS
unset _cargo_home

# The release build of the app, as the run and test commands make it.
portal_release_build() {
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$PORTAL_RELEASE_RUSTFLAGS" trunk build --release "$@"
}
