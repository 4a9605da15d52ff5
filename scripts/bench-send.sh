#!/usr/bin/env bash
# Memory and time to submit one PEC with a large attachment through the sandbox provider.
#
#   scripts/bench-send.sh [SIZE_MB]      (default 25)
#
# Builds `pec` and `pec-sandbox` in release mode, starts the sandbox on a real Dovecot, runs
# `pec send --attach FILE` under /usr/bin/time -v (queue: validate + MIME to a temp file; then
# SMTP submission over TLS + the Sent copy by IMAP APPEND) and prints peak RSS and wall time,
# with the RSS / attachment ratio (target: < 3).
set -euo pipefail
SIZE_MB="${1:-25}"
# The store is encrypted like every store; scripts give its passphrase through the environment.
export PEC_PASSPHRASE="${PEC_PASSPHRASE:-bench passphrase}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
cargo build --release -q -p pec-cli -p pec-sandbox
BIN="$ROOT/target/release"
WORK="$(mktemp -d /tmp/pec-bench-send.XXXXXX)"
SB_PID=""
cleanup() {
    if [ -n "$SB_PID" ]; then kill -TERM "$SB_PID" 2>/dev/null || true; wait "$SB_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The provider must accept size x recipients: raise its limit above the encoded size.
LIMIT=$(( (SIZE_MB * 2 + 10) * 1024 * 1024 ))
"$BIN/pec-sandbox" up --dir "$WORK/sandbox" --accounts 2 --max-total-bytes "$LIMIT" \
    > "$WORK/ready" 2> "$WORK/sandbox.log" &
SB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
[ -s "$WORK/ready" ] || { echo "sandbox did not start"; cat "$WORK/sandbox.log"; exit 1; }
field() { python3 -c "import json,sys; print(json.load(open('$WORK/ready'))['$1'])"; }
IMAP="$(field imap)"; SMTP="$(field smtp)"; CA="$(field ca_file)"

DATA="$WORK/data"
echo password1 | "$BIN/pec" --data-dir "$DATA" account add utente1@pec.sandbox.test \
    --imap "$IMAP" --smtp "$SMTP" --ca-file "$CA" --password-stdin > /dev/null
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$WORK/atto.pdf"
# A PDF-looking head so content sniffing sees a document.
printf '%%PDF-1.7\n' | dd of="$WORK/atto.pdf" conv=notrunc status=none

/usr/bin/time -v "$BIN/pec" --data-dir "$DATA" send --to utente2@pec.sandbox.test \
    --subject "bench ${SIZE_MB} MB" --body "bench" --attach "$WORK/atto.pdf" \
    --receipt sintetica --provider-limit-mb "$(( SIZE_MB * 2 + 10 ))" --json \
    > "$WORK/out.json" 2> "$WORK/time.txt" || { cat "$WORK/time.txt"; exit 1; }
cat "$WORK/out.json"
RSS_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$WORK/time.txt")
WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt")
MSG=$(ls -l "$DATA"/outbox/*.eml | awk '{print $5}')
python3 - "$RSS_KB" "$SIZE_MB" "$WALL" "$MSG" <<'EOF'
import sys
rss_kb, size_mb, wall, msg = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
att = size_mb * 1024 * 1024
print(f"attachment {size_mb} MiB, encoded message {msg/1048576:.1f} MiB")
print(f"pec send: wall {wall}, peak RSS {rss_kb/1024:.1f} MiB = {rss_kb*1024/att:.2f} x attachment (target < 3)")
sys.exit(0 if rss_kb * 1024 < 3 * att else 1)
EOF
