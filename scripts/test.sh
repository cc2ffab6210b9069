#!/usr/bin/env bash
# Runs every test layer and exits non-zero on the first failure:
#   formatting and lints, host tests (core + reference backend), component tests in headless Chromium,
#   the release build and its size figures, and end-to-end tests against the release build served by
#   the reference backend.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/setup.sh --build --test
source scripts/env.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Formatting"
cargo fmt --all -- --check

step "Lints (host crates, then the wasm app)"
cargo clippy -p portal-core -p portal-backend --all-targets -- -D warnings
cargo clippy -p patient-portal --target wasm32-unknown-unknown --all-targets -- -D warnings

step "Host tests: core and reference backend"
cargo test -p portal-core -p portal-backend

step "Component tests in headless Chromium"
cargo test -p patient-portal --target wasm32-unknown-unknown

step "Release build"
portal_release_build
python3 scripts/bundle-size.py dist || echo "(a first load is over its size budget: see the figures above)"

step "End-to-end tests (release build, reference backend, phone and desktop)"
cargo build -p portal-backend
(cd e2e && npx playwright test)

step "All test layers passed in $(( $(date +%s) - started )) s"
