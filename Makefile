# The two commands of the README: `make demo` and `make test`.
# `make test` is what .ci/run calls; it must end with the test runner's summary.

CARGO ?= cargo
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: test build lint fmt bench fuzz kotlin-test android-ui-test swift-check screenshots demo bindings

build:
	$(CARGO) build --workspace --all-targets

ifeq ($(NEXTEST),yes)
RUST_TESTS := $(CARGO) nextest run --workspace --no-fail-fast
else
RUST_TESTS := $(CARGO) test --workspace --no-fail-fast
endif

# Every suite always runs; Kotlin and the screens first, so that the last lines are the Rust runner's
# summary (what CI reads). Any failing fails the target.
test: build
	@kt=0; ui=0; sw=0; $(MAKE) --no-print-directory kotlin-test || kt=$$?; \
	$(MAKE) --no-print-directory android-ui-test || ui=$$?; \
	$(MAKE) --no-print-directory swift-check || sw=$$?; \
	$(RUST_TESTS); rt=$$?; \
	if [ $$kt -ne 0 ]; then echo "kotlin-test failed (exit $$kt)" >&2; fi; \
	if [ $$ui -ne 0 ]; then echo "android-ui-test failed (exit $$ui)" >&2; fi; \
	if [ $$sw -ne 0 ]; then echo "swift-check failed (exit $$sw)" >&2; fi; \
	[ $$kt -eq 0 ] && [ $$ui -eq 0 ] && [ $$sw -eq 0 ] && [ $$rt -eq 0 ]

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

# The Android app's screens and presenters (android/ui) on the desktop JVM with Compose
# Multiplatform, headless, against the real facade (android/ui/run-tests.sh).
android-ui-test:
	android/ui/run-tests.sh

# The iOS app and the Swift layer without a Swift compiler: every file parses, every facade call
# matches the generated bindings' names and labels, every string key is in the catalog in three
# languages (ios/check.sh; a parse and name check, not a compile).
swift-check:
	ios/check.sh

# Every screen of the app as PNG (phone and tablet, light and dark) from a real sandbox session,
# into android/ui/build/screenshots/.
screenshots:
	android/ui/run-tests.sh --screenshots

# Kotlin and Swift bindings (library mode, from the unstripped library).
bindings:
	bindings/generate.sh all

# The product end to end against the PEC provider sandbox (installs what is missing when root).
demo:
	scripts/demo.sh
