#!/usr/bin/env bash
# The core's native library for the Android app, for each ABI the app ships, into
# android/app/src/main/jniLibs/<abi>/libpec_ffi.so, and the Kotlin bindings the app compiles
# (bindings/kotlin/build/generated).
#
# Needs the Android NDK (ANDROID_NDK_HOME) and cargo-ndk (`cargo install cargo-ndk`), and the Rust
# targets: rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
#
#   scripts/build-android-libs.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=(--release)
[[ "${1:-}" == "--debug" ]] && profile=()
command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk" >&2; exit 1; }
[[ -n "${ANDROID_NDK_HOME:-}" ]] || { echo "ANDROID_NDK_HOME is not set" >&2; exit 1; }
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/app/src/main/jniLibs \
  build "${profile[@]}" -p pec-ffi
bindings/generate.sh kotlin
echo "jniLibs: $(find android/app/src/main/jniLibs -name '*.so' | wc -l) libraries"
