#!/usr/bin/env bash
# Fails if a server-only crate reaches the browser build.
source "$(dirname "$0")/lib.sh"
forbidden='^(sqlx|sqlx-core|tokio|mio|argon2|axum|axum-core|hyper|leptos_axum|tower-sessions)$'
found=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal,build --prefix none --format '{p}' \
  | awk '{print $1}' | sort -u | grep -E "$forbidden" || true)
if [ -n "$found" ]; then
  echo "server-only crates in the WASM build: $found" >&2
  exit 1
fi
echo "wasm dependency check: no server-only crate in the browser build"
