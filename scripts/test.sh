#!/usr/bin/env bash
# `make test`: every test. Installs what is missing (WASM target, wasm-bindgen,
# npm packages, Chromium), then: rustfmt, clippy on both feature sets, the WASM
# dependency check, unit and integration tests (SQLite always; PostgreSQL when
# PORTAL_TEST_POSTGRES_URL is set, required when CI=true), the browser tests.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/ensure-build-tools.sh"
if ! command -v "${CHROMIUM_PATH:-chromium}" >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk'; then
  say "installing Debian's Chromium and a Chinese font for the browser tests"
  apt_install chromium fonts-wqy-microhei
fi

say "rustfmt"
cargo fmt --all -- --check

say "clippy: server side (ssr)"
cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
say "clippy: browser side (hydrate, wasm32)"
cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

say "the browser build holds no server-only crate"
"$ROOT/scripts/check-wasm-deps.sh"

if [ -z "${PORTAL_TEST_POSTGRES_URL:-}" ]; then
  if [ "${CI:-}" = true ]; then
    echo "CI=true needs PORTAL_TEST_POSTGRES_URL: the PostgreSQL half of the suite must run" >&2
    exit 1
  fi
  say "PORTAL_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite is SKIPPED"
fi
say "unit and integration tests (SQLite${PORTAL_TEST_POSTGRES_URL:+ and PostgreSQL})"
cargo test -p app --features ssr
cargo test -p server

say "browser tests (headless Chromium, axe-core)"
"$ROOT/scripts/build-site.sh"
cargo build -p server
cd end2end
PORTAL_SERVER_BIN="$ROOT/target/debug/server" PORTAL_SITE_ROOT="$ROOT/target/site" npm test
