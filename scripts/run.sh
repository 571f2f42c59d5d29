#!/usr/bin/env bash
# `make run`: builds what is missing and runs the portal on the embedded default
# (SQLite under data/), seeding demo data on the first start.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/build-site.sh"
say "building the server (release)"
cargo build --release -p server
export DATABASE_URL=${DATABASE_URL:-sqlite:data/portal.db}
export PORTAL_SITE_ROOT=${PORTAL_SITE_ROOT:-$ROOT/target/site}
exec "$ROOT/target/release/server" serve
