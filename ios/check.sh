#!/usr/bin/env bash
# The Swift checks that run without a Swift compiler (see ios/README.md): generate the Swift
# bindings, then parse every Swift file of ios/ and bindings/swift and match its facade calls and
# string keys (ios/swift_check.py). tree-sitter and tree-sitter-swift come from PyPI into a venv
# under ios/build. A missing tool is a skip with a message, or a failure under CI=true.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

skip() {
  if [[ "${CI:-}" == true || "${CI:-}" == 1 ]]; then echo "swift-check: $1 (CI=true: failing)" >&2; exit 1; fi
  echo "SKIP swift-check: $1"; exit 0
}

venv="$here/build/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv) >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv" || skip "python3 -m venv failed"
    else
      rm -rf "$venv"; skip "python3-venv is missing (apt-get install python3-venv)"
    fi
  fi
  "$venv/bin/pip" install -q "tree-sitter==0.26.1" "tree-sitter-swift==0.7.4" || {
    rm -rf "$venv"; skip "tree-sitter from PyPI could not be installed"; }
fi

# The checker's own tests first: a checker that cannot fail would prove nothing.
if ! selftest="$(cd "$here" && "$venv/bin/python" -m unittest test_swift_check 2>&1)"; then
  echo "$selftest" >&2; echo "swift-check: its self-test failed" >&2; exit 1
fi
echo "swift-check self-test: $(grep -o 'Ran [0-9]* tests' <<<"$selftest"), all passed"

bindings/generate.sh swift >/dev/null
"$venv/bin/python" "$here/swift_check.py" bindings/swift/Sources/PecCore/PecCore.swift \
  ios/Pec bindings/swift/Sources/PecKit --api bindings/swift/Sources/PecKit \
  --strings ios/Pec/Localizable.xcstrings
