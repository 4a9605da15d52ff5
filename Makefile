# The two commands of the README: `make demo` and `make test`.
# `make test` is what .ci/run calls; it must end with the test runner's summary.

CARGO ?= cargo
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: test build lint fmt bench fuzz kotlin-test demo bindings

build:
	$(CARGO) build --workspace --all-targets

ifeq ($(NEXTEST),yes)
RUST_TESTS := $(CARGO) nextest run --workspace --no-fail-fast
else
RUST_TESTS := $(CARGO) test --workspace --no-fail-fast
endif

# Both suites always run; Kotlin first, so that the last lines are the Rust runner's summary (what
# CI reads). Either failing fails the target.
test: build
	@kt=0; $(MAKE) --no-print-directory kotlin-test || kt=$$?; \
	$(RUST_TESTS); rt=$$?; \
	if [ $$kt -ne 0 ]; then echo "kotlin-test failed (exit $$kt)" >&2; fi; \
	[ $$kt -eq 0 ] && [ $$rt -eq 0 ]

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

bench:
	$(CARGO) bench -p pec-core

# Every cargo-fuzz target for FUZZ_SECONDS each (nightly; not part of `make test`). What they find is
# kept under core/fuzz/regressions and replayed by `make test` (core/tests/fuzz_regressions.rs).
FUZZ_SECONDS ?= 1800
fuzz:
	core/fuzz/run.sh $(FUZZ_SECONDS)

# Kotlin on the plain JVM against the host library (bindings/kotlin/run-tests.sh installs or skips
# what is missing; under CI=true a missing tool fails). The integrator calls it from `make test`.
kotlin-test:
	bindings/kotlin/run-tests.sh

# Kotlin and Swift bindings (library mode, from the unstripped library).
bindings:
	bindings/generate.sh all

# The product end to end against the PEC provider sandbox (installs what is missing when root).
demo:
	scripts/demo.sh
