#!/usr/bin/env bash
# Invoice render benchmark: pec (parse + render) against xsltproc with the official SdI stylesheet,
# side by side on the corpus samples and on generated 1,000- and 5,000-line invoices.
#
#   scripts/bench-invoice.sh            ratios in process (wall and CPU) + end to end (both processes)
#   scripts/bench-invoice.sh criterion  the full criterion bench (`cargo bench -p pec-core --bench render`)
#
# Needs the corpus (PEC_CORPUS, default ../shared/corpus beside the repo) and xsltproc (Debian package
# `xsltproc`; installed here when running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PEC_CORPUS:=$(cd .. && pwd)/shared/corpus}"
export PEC_CORPUS
XSL="$PEC_CORPUS/fatturapa/stylesheets/Foglio_di_stile_fatturaordinaria_v1.2.2.xsl"
[ -f "$XSL" ] || { echo "corpus not found at $PEC_CORPUS (set PEC_CORPUS)" >&2; exit 1; }
if ! command -v xsltproc >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y xsltproc >/dev/null; else echo "xsltproc missing: apt-get install xsltproc" >&2; fi
fi
if [ "${1:-}" = criterion ]; then
    exec cargo bench -p pec-core --bench render
fi

echo "== in process (pec) vs process (xsltproc)"
PEC_BENCH_RATIOS=1 cargo bench -q -p pec-core --bench render 2>/dev/null

echo
echo "== end to end: one process per render, median of N runs"
cargo build -q --release -p pec-cli
PEC=target/release/pec
TARGET="${CARGO_TARGET_DIR:-target}"
# median over N runs of "$@": "wall_ms cpu_ms" (cpu = user + system of the process)
median_ms() {
    local n=$1; shift
    local TIMEFORMAT='%3R %3U %3S'
    local runs
    runs=$(for _ in $(seq "$n"); do
        { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%.3f %.3f\n", $1 * 1000, ($2 + $3) * 1000}'
    done)
    local med='{a[NR]=$1} END {printf "%.1f", a[int((NR + 1) / 2)]}'
    printf '%s/%s' "$(cut -d' ' -f1 <<<"$runs" | sort -n | awk "$med")" "$(cut -d' ' -f2 <<<"$runs" | sort -n | awk "$med")"
}
printf '%-28s %14s %14s %14s %16s\n' input "pec compact" "pec minist." xsltproc "speed-up (CPU)"
for f in "$PEC_CORPUS/fatturapa/simevo/samples/IT01234567890_FPA01.xml" "$TARGET/bench-invoice/generated_1000_lines.xml" "$TARGET/bench-invoice/generated_5000_lines.xml"; do
    n=15
    pc=$(median_ms $n "$PEC" invoice --style compact --out /dev/null "$f")
    pm=$(median_ms $n "$PEC" invoice --style ministerial --out /dev/null "$f")
    if command -v xsltproc >/dev/null; then
        x=$(median_ms $n xsltproc --nonet "$XSL" "$f")
        r=$(awk -v x="${x#*/}" -v p="${pm#*/}" 'BEGIN { if (p > 0) printf "%.1fx", x / p; else print "inf" }')
    else
        x=-; r=-
    fi
    printf '%-28s %14s %14s %14s %16s\n' "$(basename "$f")" "$pc" "$pm" "$x" "$r"
done
echo "(median ms per process, wall/CPU; CPU = user + system; speed-up = xsltproc CPU / pec ministerial CPU)"
