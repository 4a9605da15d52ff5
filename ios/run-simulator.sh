#!/usr/bin/env bash
# Generate the Xcode project, build the app for an iPhone simulator, install and launch it.
# macOS with Xcode and XcodeGen; run bindings/swift/build-xcframework.sh first.
#   ios/run-simulator.sh            (the first available iPhone; PEC_SIMULATOR=<udid> picks one)
set -euo pipefail
cd "$(dirname "$0")"
[[ "$(uname -s)" == Darwin ]] || { echo "run-simulator.sh runs on macOS only"; exit 1; }
[[ -d ../bindings/swift/build/PecCoreFFI.xcframework ]] || {
  echo "no core library yet: run bindings/swift/build-xcframework.sh first"; exit 1; }
xcodegen generate --quiet
device="${PEC_SIMULATOR:-$(xcrun simctl list devices available \
  | sed -n 's/^ *iPhone[^(]*(\([-0-9A-F]\{36\}\)).*/\1/p' | head -1)}"
[[ -n "$device" ]] || { echo "no iPhone simulator installed (Xcode → Settings → Platforms)"; exit 1; }
xcrun simctl boot "$device" 2>/dev/null || true
open -a Simulator
xcodebuild -project Pec.xcodeproj -scheme Pec -configuration Debug -destination "id=$device" \
  -derivedDataPath build/derived -quiet build
xcrun simctl install "$device" build/derived/Build/Products/Debug-iphonesimulator/Pec.app
xcrun simctl launch "$device" it.pec.app
