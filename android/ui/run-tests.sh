#!/usr/bin/env bash
# android/ui on the desktop JVM: the screens and presenters compiled with the Compose compiler
# plugin against Compose Multiplatform's desktop artifacts (the Compose API they share with Jetpack
# Compose), tested with JUnit 4 and Compose's UI test rule, headless, against the real facade.
#
# Tools: what bindings/kotlin/run-tests.sh needs (kotlinc with its compose-compiler-plugin.jar, JNA,
# JUnit 4, a JDK), plus Maven to copy the Compose jars listed in pom.xml from Maven Central (once;
# kept in build/libs). A missing tool is a skip with a message, or a failure under CI=true.
#
#   android/ui/run-tests.sh [TestClass ...]      (default: every *Test class)
#   android/ui/run-tests.sh --screenshots [DIR]  (every screen as PNG, from a sandbox session)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

suite=android-ui-test
skipping="the screen tests"
# shellcheck source=../../bindings/kotlin/tools.sh
source "$root/bindings/kotlin/tools.sh"

# The screens compile for Android too: nothing of the Android SDK may appear here.
if grep -rln --include='*.kt' -E '^import android\.' "$here/src"; then
  echo "android-ui-test: android/ui imports android.* (Android-only code belongs in android/app)" >&2
  exit 1
fi

# Decisions about PEC, invoices, addresses and sizes are the core's (both apps and `pec` must
# agree): screens and presenters that parse or compare such things fail the build. Texts
# (Strings.kt) may format sizes.
decisions='\.p7m|"\.xml"|\.eml"|posta-certificata|fatturapa|X-Ricevuta|X-Trasporto|daticert|Regex\(|"@"|'"'@'"'|1024 \* 1024|_000_000'
if grep -rn --include='*.kt' -E "$decisions" "$here/src/main" | grep -v '/Strings.kt:' \
  | grep -vE ':[0-9]+:[[:space:]]*(//|\*|/\*)'; then
  echo "android-ui-test: android/ui decides what the core decides (above); ask the facade instead" >&2
  exit 1
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null && ! command -v mvn >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven) >/dev/null
fi
command -v mvn >/dev/null || missing "Maven (apt-get install maven)"
command -v java >/dev/null || missing "java (a JDK)"
kotlinc="$(find_kotlinc)" || missing "kotlinc (npm install -g kotlin-compiler)"
klib="$(dirname "$(dirname "$(readlink -f "$kotlinc")")")/lib"
plugin="$klib/compose-compiler-plugin.jar"
[[ -f "$plugin" ]] || missing "the Compose compiler plugin ($plugin)"
for jar in /usr/share/java/jna.jar /usr/share/java/junit4.jar; do
  [[ -f "$jar" ]] || missing "$jar"
done
hamcrest=/usr/share/java/hamcrest-core.jar
[[ -f "$hamcrest" ]] || hamcrest=/usr/share/java/hamcrest.jar

build="$here/build"
libs="$build/libs"
stamp="$libs/.pom.sha"
want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "android-ui-test: copying the Compose desktop jars from Maven Central"
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" \
    || missing "the Compose desktop jars (Maven Central)"
  echo "$want" >"$stamp"
fi

# The same build of the library as the Kotlin suite (bindings/kotlin/run-tests.sh): no second build.
PEC_FFI_FEATURES=panic-probe bindings/generate.sh kotlin >/dev/null
cargo build -q -p pec-sandbox
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
export PEC_SANDBOX_BIN="${PEC_SANDBOX_BIN:-$target_dir/debug/pec-sandbox}"

# Compose's own kotlin-stdlib would shadow the compiler's newer one: the compiler's goes first.
compose_cp="$(find "$libs" -name '*.jar' ! -name 'kotlin-stdlib*' | sort | tr '\n' ':')"
cp="$klib/kotlin-stdlib.jar:$klib/kotlinx-coroutines-core-jvm.jar:$compose_cp/usr/share/java/jna.jar:/usr/share/java/junit4.jar:$hamcrest"
rm -rf "$build/classes" && mkdir -p "$build/classes"
echo "android-ui-test: compiling"
"$kotlinc" -nowarn -jvm-target 17 -Xplugin="$plugin" -cp "$cp" -d "$build/classes" \
  "$root/bindings/kotlin/build/generated" "$root/bindings/kotlin/src/main/kotlin" \
  "$root/bindings/kotlin/src/test/kotlin/it/pec/core/RunAll.kt" \
  "$root/bindings/kotlin/src/test/kotlin/it/pec/core/Testing.kt" \
  "$here/src/main/kotlin" "$here/src/test/kotlin" 2>&1 | grep -v "^warning:" || true
[[ -f "$build/classes/it/pec/core/RunAllKt.class" ]] || { echo "android-ui-test: compilation failed" >&2; exit 1; }

main=it.pec.core.RunAllKt
if [[ "${1:-}" == --screenshots ]]; then
  main=it.pec.app.ui.ScreenshotsKt
  shift
  set -- "${1:-$here/build/screenshots}"
elif (($# == 0)); then
  set -- $(cd "$here/src/test/kotlin" && find . -name '*Test.kt' | sed 's|^\./||; s|\.kt$||; s|/|.|g' | sort)
fi
export PEC_CORPUS="${PEC_CORPUS:-$(cd "$root/.." && pwd)/shared/corpus}"
PEC_SUITE=android-ui java -Djava.awt.headless=true -Djna.library.path="$target_dir/debug" -cp "$build/classes:$cp" \
  "$main" "$@"
