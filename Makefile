# The two commands: `make run` and `make test`. Both install what is missing.
.PHONY: run test test-rust test-browser site lint fmt bench watch clean

run:            ## build and run the portal on SQLite (data/portal.db) with demo data
	@scripts/run.sh

test:           ## every test: fmt, clippy (both sides), unit, integration (SQLite + PostgreSQL), browser
	@scripts/test.sh

test-browser:   ## only the browser tests (builds the site and the server first)
	@scripts/build-site.sh && cargo build -p server && cd end2end && \
	  PORTAL_SERVER_BIN=$(CURDIR)/target/debug/server PORTAL_SITE_ROOT=$(CURDIR)/target/site npm test

site:           ## only the browser bundle (target/site/pkg)
	@scripts/build-site.sh

fmt:            ## format the Rust code
	cargo fmt --all

bench:          ## performance budgets (see docs/PERFORMANCE.md)
	@scripts/bench.sh

watch:          ## live reload while developing (needs cargo-leptos; see README)
	cargo leptos watch

clean:
	cargo clean && rm -rf data end2end/screenshots
