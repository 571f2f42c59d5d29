#!/usr/bin/env bash
# Builds the browser side into target/site/pkg: the hydrating WASM (size-optimised
# profile), its JS glue and the stylesheet. The same steps cargo-leptos takes,
# without having to install it (see README).
#   WASM_PROFILE=wasm-release (default) or dev
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/ensure-build-tools.sh"

profile=${WASM_PROFILE:-wasm-release}
out=target/site/pkg
say "building the browser bundle ($profile)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$profile"
dir=$profile
[ "$profile" = dev ] && dir=debug
mkdir -p "$out"
input="target/wasm32-unknown-unknown/$dir/frontend.wasm"
# wasm-bindgen and wasm-opt take ~10 s: skip them when the bundle is newer than its input.
if [ ! -f "$out/portal_bg.wasm" ] || [ "$input" -nt "$out/portal_bg.wasm" ] || [ ! -f "$out/.profile-$profile" ]; then
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name portal "$input"
  if [ "$profile" != dev ]; then
    # The features Rust's wasm32 target emits by default; wasm-opt must accept them.
    end2end/node_modules/.bin/wasm-opt -Oz \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out/portal_bg.wasm" -o "$out/portal_bg.wasm"
  fi
  rm -f "$out"/.profile-*
  touch "$out/.profile-$profile"
fi
# One stylesheet for the browser: the base first, then one file per feature area.
cat style/main.css $(ls style/*.css | grep -v '^style/main.css$' | sort) > "$out/portal.css"
say "browser bundle: $(du -k "$out/portal_bg.wasm" | cut -f1) KiB wasm, $(gzip -c "$out/portal_bg.wasm" | wc -c | awk '{printf "%d", $1/1024}') KiB gzipped"
