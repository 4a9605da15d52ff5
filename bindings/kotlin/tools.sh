# Shared by the JVM test scripts (bindings/kotlin/run-tests.sh, android/ui/run-tests.sh): sourced
# after setting `suite` (the name in messages) and `skipping` (what a skip leaves out).

# A missing tool: a skip with a message, or a failure under CI=true.
missing() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "$suite: $1 is missing (CI=true: failing)" >&2
    exit 1
  fi
  echo "$suite: $1 is missing: skipping $skipping (install it, see bindings/README.md)"
  exit 0
}

# kotlinc: $KOTLINC, one on the PATH, or npm's kotlin-compiler.
find_kotlinc() {
  if [[ -n "${KOTLINC:-}" && -x "$KOTLINC" ]]; then echo "$KOTLINC"; return 0; fi
  if command -v kotlinc >/dev/null; then command -v kotlinc; return 0; fi
  local npmroot
  npmroot="$(npm root -g 2>/dev/null || true)"
  for d in "$npmroot" /usr/lib/node_modules /usr/local/lib/node_modules; do
    if [[ -n "$d" && -x "$d/kotlin-compiler/bin/kotlinc" ]]; then echo "$d/kotlin-compiler/bin/kotlinc"; return 0; fi
  done
  return 1
}
