#!/usr/bin/env bash
# Builds the app in release mode and starts the reference backend, which serves the app and the API
# on http://127.0.0.1:8080 with a SQLite database in data/ (created and seeded on first start).
# Environment: PORTAL_ADDR, PORTAL_DB and the other settings in README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build
source scripts/env.sh

echo "==> Building the app (release)"
portal_release_build
echo "==> Building the reference backend"
cargo build -p portal-backend --profile server
exec target/server/portal-backend --static-dir dist --db "${PORTAL_DB:-data/portal.sqlite3}" "$@"
