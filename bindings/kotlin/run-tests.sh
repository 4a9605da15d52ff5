#!/usr/bin/env bash
# Kotlin tests of the facade on the plain JVM: generate the bindings, compile them with the JVM-safe
# hand-written layer and the tests, run JUnit 4 against the host library through JNA.
#
# Tools: kotlinc (npm `kotlin-compiler`, which also ships kotlin-stdlib, kotlin-test and
# kotlinx-coroutines-core-jvm), JNA (Debian `libjna-java`), JUnit 4 + hamcrest (Debian `junit4`,
# `libhamcrest-java`), a JDK (17+). When root on Debian/Ubuntu, missing ones are installed. When a
# tool is still missing: a skip with a message, or a failure under CI=true.
#
#   bindings/kotlin/run-tests.sh [TestClass ...]      (default: every *Test class)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

suite=kotlin-test
skipping="the Kotlin suite"
# shellcheck source=tools.sh
source "$here/tools.sh"

install_if_root() {
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    local pkgs=()
    [[ -f /usr/share/java/jna.jar ]] || pkgs+=(libjna-java)
    [[ -f /usr/share/java/junit4.jar ]] || pkgs+=(junit4)
    [[ -f /usr/share/java/hamcrest-core.jar || -f /usr/share/java/hamcrest.jar ]] || pkgs+=(libhamcrest-java)
    command -v java >/dev/null || pkgs+=(default-jdk-headless)
    command -v npm >/dev/null || pkgs+=(npm)
    if ((${#pkgs[@]})); then
      echo "kotlin-test: installing ${pkgs[*]}"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}") >/dev/null
    fi
  fi
  if ! find_kotlinc >/dev/null && command -v npm >/dev/null && [[ "$(id -u)" == 0 ]]; then
    echo "kotlin-test: installing kotlin-compiler (npm)"
    npm install -g kotlin-compiler >/dev/null 2>&1 || true
  fi
}

install_if_root
command -v java >/dev/null || missing "java (a JDK)"
kotlinc="$(find_kotlinc)" || missing "kotlinc (npm install -g kotlin-compiler)"
klib="$(dirname "$(dirname "$(readlink -f "$kotlinc")")")/lib"
jna=/usr/share/java/jna.jar
junit=/usr/share/java/junit4.jar
hamcrest=/usr/share/java/hamcrest-core.jar
[[ -f "$hamcrest" ]] || hamcrest=/usr/share/java/hamcrest.jar
[[ -f "$jna" ]] || missing "JNA (apt-get install libjna-java)"
[[ -f "$junit" ]] || missing "JUnit 4 (apt-get install junit4)"
[[ -f "$hamcrest" ]] || missing "hamcrest (apt-get install libhamcrest-java)"
coroutines="$klib/kotlinx-coroutines-core-jvm.jar"
[[ -f "$coroutines" ]] || missing "kotlinx-coroutines-core-jvm.jar in $klib"

# panic-probe: facade functions that panic on purpose, for PanicTest (never in a shipped library).
PEC_FFI_FEATURES=panic-probe bindings/generate.sh kotlin
cargo build -q -p pec-sandbox
export PEC_SANDBOX_BIN="${PEC_SANDBOX_BIN:-$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug/pec-sandbox}"
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
libdir="$target_dir/debug"

build="$here/build"
rm -rf "$build/classes" && mkdir -p "$build/classes"
cp="$jna:$junit:$hamcrest:$coroutines:$klib/kotlin-test.jar:$klib/kotlin-test-junit.jar"
echo "kotlin-test: compiling"
"$kotlinc" -nowarn -jvm-target 17 -cp "$cp" -d "$build/classes" \
  "$build/generated" "$here/src/main/kotlin" "$here/src/test/kotlin" 2>&1 | grep -v "^warning:" || true
[[ -f "$build/classes/it/pec/core/RunAllKt.class" ]] || { echo "kotlin-test: compilation failed" >&2; exit 1; }

if (($# == 0)); then
  set -- $(cd "$here/src/test/kotlin" && find . -name '*Test.kt' | sed 's|^\./||; s|\.kt$||; s|/|.|g' | sort)
fi
export PEC_CORPUS="${PEC_CORPUS:-$(cd "$root/.." && pwd)/shared/corpus}"
PEC_SUITE=kotlin java -Djna.library.path="$libdir" -cp "$build/classes:$cp:$klib/kotlin-stdlib.jar" it.pec.core.RunAllKt "$@"
