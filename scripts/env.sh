# Sourced by the scripts: puts cargo-installed tools and the npm wasm-opt first on PATH.
_portal_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_portal_root/e2e/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
unset _portal_root

# Panic locations embed source paths; remap them so the shipped bundle names no build machine's paths.
_cargo_home="${CARGO_HOME:-$HOME/.cargo}"
PORTAL_RELEASE_RUSTFLAGS="--cfg erase_components --remap-path-prefix=$_cargo_home/registry/src=/crates --remap-path-prefix=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)=/portal"
export PORTAL_RELEASE_RUSTFLAGS
unset _cargo_home

# The release build of the app, as the run and test commands make it: one bundle per HTML page
# (see `Entry` in core/src/navigation.rs), all in dist/, the bootstraps of the pages the backend
# writes into made to wait for that first paint, then the service worker's file list and
# pre-compressed copies. care.html and studio.html are made from index.html, so the pages cannot drift.
portal_release_build() {
  local bundle
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$PORTAL_RELEASE_RUSTFLAGS"
  trunk build index.html --release || return 1
  python3 scripts/first-paint-loader.py dist index.html || return 1
  for bundle in care studio; do
    sed "s/data-bin=\"patient-portal\"/data-bin=\"$bundle\"/" index.html > "$bundle.html"
    trunk build "$bundle.html" --release --dist "target/bundles/$bundle" || return 1
    # Trunk names every page it builds index.html.
    mv "target/bundles/$bundle/index.html" "target/bundles/$bundle/$bundle.html" || return 1
    if [ "$bundle" = care ]; then
      python3 scripts/first-paint-loader.py "target/bundles/$bundle" care.html || return 1
    fi
    cp -R "target/bundles/$bundle/." dist/ || return 1
  done
  unset CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS
  if [ -f scripts/pwa-precache.py ]; then python3 scripts/pwa-precache.py dist || return 1; fi
  python3 scripts/precompress.py dist
}
