#!/usr/bin/env bash
# Generate the Kotlin and/or Swift bindings of pec-ffi in library mode.
#
#   bindings/generate.sh [kotlin|swift|all] [--release]
#
# Builds the uniffi-bindgen bin (feature `cli`, never part of the shipped library) first, then the
# library itself without that feature, and generates from the *unstripped* library, so the metadata
# symbols are still there. Output (not committed; regenerated at every build):
#   bindings/kotlin/build/generated/it/pec/core/pec_ffi.kt
#   bindings/swift/Sources/PecCore/PecCore.swift + PecCoreFFI.h + module map
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
profile=debug
cargo_flags=()
if [[ "${2:-}" == "--release" ]]; then
  profile=release
  cargo_flags=(--release)
fi
CARGO="${CARGO:-cargo}"
target_dir="$($CARGO metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"

"$CARGO" build -q "${cargo_flags[@]}" -p pec-ffi --features cli --bin uniffi-bindgen
# The shipped library last, without `cli`. PEC_FFI_FEATURES adds test-only features (the Kotlin
# suite sets `panic-probe`); a shipped build leaves it unset.
if [[ -n "${PEC_FFI_FEATURES:-}" ]]; then
  cargo_flags+=(--features "$PEC_FFI_FEATURES")
fi
"$CARGO" build -q "${cargo_flags[@]}" -p pec-ffi --lib

case "$(uname -s)" in
  Darwin) lib="$target_dir/$profile/libpec_ffi.dylib" ;;
  *) lib="$target_dir/$profile/libpec_ffi.so" ;;
esac
bindgen="$target_dir/$profile/uniffi-bindgen"

if [[ "$what" == kotlin || "$what" == all ]]; then
  out=bindings/kotlin/build/generated
  rm -rf "$out" && mkdir -p "$out"
  "$bindgen" generate --library "$lib" --language kotlin --out-dir "$out" --no-format
  echo "kotlin: $(find "$out" -name '*.kt' | head -1)"
fi
if [[ "$what" == swift || "$what" == all ]]; then
  out=bindings/swift/Sources/PecCore
  mkdir -p "$out" bindings/swift/build/ffi
  "$bindgen" generate --library "$lib" --language swift --out-dir bindings/swift/build/ffi --no-format
  mv bindings/swift/build/ffi/PecCore.swift "$out/PecCore.swift"
  echo "swift: $out/PecCore.swift, headers in bindings/swift/build/ffi"
fi
