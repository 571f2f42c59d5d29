#!/usr/bin/env bash
# Installs what building the portal needs, skipping what is already there:
# the WASM target, wasm-bindgen at exactly Cargo.lock's version, and the npm
# packages of end2end/ (binaryen's wasm-opt among them).
source "$(dirname "$0")/lib.sh"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

want=$(locked_version wasm-bindgen)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (about 2 minutes, once)"
  # Not --locked: its own lockfile pins a crate the registry here does not serve.
  cargo install wasm-bindgen-cli --version "$want" --quiet
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the npm packages of end2end (binaryen, playwright-core, axe-core)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
