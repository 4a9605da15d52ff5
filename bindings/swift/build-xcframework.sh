#!/usr/bin/env bash
# Build PecCoreFFI.xcframework (iOS device, iOS simulator, macOS) and generate the Swift bindings.
# macOS only (needs Xcode's xcodebuild and the Apple Rust targets). Not run on the Linux CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ "$(uname -s)" == Darwin ]] || { echo "build-xcframework.sh runs on macOS only"; exit 1; }
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
# The static archive is built here only (the Linux builds, tests and Android need the shared library).
for t in "${targets[@]}"; do
  cargo rustc --release -p pec-ffi --lib --crate-type staticlib --target "$t"
done
# Swift bindings from the unstripped host library (library mode).
bindings/generate.sh swift --release
out=bindings/swift/build
rm -rf "$out/PecCoreFFI.xcframework" "$out/headers" "$out/sim" "$out/mac"
mkdir -p "$out/headers" "$out/sim" "$out/mac"
cp "$out/ffi/PecCoreFFI.h" "$out/headers/"
cp "$out/ffi/PecCoreFFI.modulemap" "$out/headers/module.modulemap"
lipo -create target/aarch64-apple-ios-sim/release/libpec_ffi.a target/x86_64-apple-ios/release/libpec_ffi.a \
  -output "$out/sim/libpec_ffi.a"
lipo -create target/aarch64-apple-darwin/release/libpec_ffi.a target/x86_64-apple-darwin/release/libpec_ffi.a \
  -output "$out/mac/libpec_ffi.a"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libpec_ffi.a -headers "$out/headers" \
  -library "$out/sim/libpec_ffi.a" -headers "$out/headers" \
  -library "$out/mac/libpec_ffi.a" -headers "$out/headers" \
  -output "$out/PecCoreFFI.xcframework"
echo "built $out/PecCoreFFI.xcframework; open bindings/swift/Package.swift in Xcode"
