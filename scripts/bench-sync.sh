#!/usr/bin/env bash
# Sync bench, one run, one seeded mailbox (pec-sandbox on a real Dovecot):
#   1. our full offline sync (every body, parsed and indexed) vs mbsync (isync) into a Maildir: ratio
#   2. time to the first 50 inbox rows (from `pec sync --stats`)
#   3. a no-change resync
#   4. search latency p50/p95 on 100,000 messages (core/benches/search.rs)
#   5. peak RSS of each process (/usr/bin/time)
# Needs: dovecot-imapd dovecot-lmtpd isync (mbsync), /usr/bin/time, jq.
# Usage: scripts/bench-sync.sh [MESSAGES]   (default 10000; PEC_BENCH_MESSAGES sets the search size)
set -euo pipefail
N="${1:-10000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/pec-bench.XXXXXX)"
chmod 755 "$WORK"   # Dovecot delivers as an unprivileged user
export PEC_CORPUS="${PEC_CORPUS:-$ROOT/../shared/corpus}"
cleanup() { [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

for bin in mbsync jq /usr/bin/time; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install isync jq time)"; exit 1; }
done

echo "== building (release)"
cargo build --release -q -p pec-cli -p pec-sandbox --manifest-path "$ROOT/Cargo.toml"
PEC="$ROOT/target/release/pec"
SANDBOX="$ROOT/target/release/pec-sandbox"

echo "== starting the sandbox"
"$SANDBOX" up --dir "$WORK/sandbox" --accounts 1 > "$WORK/ready" 2> "$WORK/sandbox.log" &
SANDBOX_PID=$!
for _ in $(seq 1 300); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
READY="$(head -n1 "$WORK/ready")"
[ -n "$READY" ] || { echo "sandbox did not start:"; cat "$WORK/sandbox.log"; exit 1; }
IMAP="$(jq -r .imap <<<"$READY")"
CA="$(jq -r .ca_file <<<"$READY")"
ADDR="$(jq -r '.accounts[0].address' <<<"$READY")"
PASS="$(jq -r '.accounts[0].password' <<<"$READY")"
HOST="${IMAP%:*}"; PORT="${IMAP##*:}"
echo "   imap $IMAP account $ADDR"

echo "== seeding $N messages"
/usr/bin/time -f "   seed: %e s" "$SANDBOX" seed --dir "$WORK/sandbox" --account "$ADDR" --messages "$N" > "$WORK/seed.json"
cat "$WORK/seed.json"; echo

echo "== mbsync (isync) into a Maildir"
mkdir -p "$WORK/maildir"
cat > "$WORK/mbsyncrc" <<CFG
IMAPAccount bench
Host localhost
Port $PORT
User $ADDR
Pass $PASS
SSLType IMAPS
CertificateFile $CA

IMAPStore remote
Account bench

MaildirStore local
Path $WORK/maildir/
Inbox $WORK/maildir/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns *
Create Near
Sync Pull
SyncState *
CFG
/usr/bin/time -f "%e %M" -o "$WORK/mbsync.time" mbsync -q -c "$WORK/mbsyncrc" -a
read -r MB_S MB_RSS < "$WORK/mbsync.time"
MB_FILES="$(find "$WORK/maildir" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l)"
echo "   mbsync (default, fsync per message): ${MB_S} s, ${MB_FILES} messages, peak RSS $((MB_RSS / 1024)) MB"
# The same without fsync: SQLite in WAL with synchronous=NORMAL does not fsync every commit either.
rm -rf "$WORK/maildir"; mkdir -p "$WORK/maildir"
{ echo "FSync no"; cat "$WORK/mbsyncrc"; } > "$WORK/mbsyncrc-nofsync"
/usr/bin/time -f "%e %M" -o "$WORK/mbsync2.time" mbsync -q -c "$WORK/mbsyncrc-nofsync" -a
read -r MB2_S MB2_RSS < "$WORK/mbsync2.time"
echo "   mbsync (FSync no): ${MB2_S} s, peak RSS $((MB2_RSS / 1024)) MB"

echo "== pec sync --full (headers first, then every body parsed, stored and indexed)"
DATA="$WORK/pec"
# No SMTP server here (the IMAP port stands in for it): --offline skips the login check.
printf '%s' "$PASS" | "$PEC" --data-dir "$DATA" account add "$ADDR" --imap "$IMAP" --smtp "$IMAP" --offline --password-stdin --ca-file "$CA" >/dev/null
/usr/bin/time -f "%e %M" -o "$WORK/pec.time" "$PEC" --data-dir "$DATA" sync --full --stats 2> "$WORK/pec.stats" | sed 's/^/   /'
read -r PEC_S PEC_RSS < "$WORK/pec.time"
FIRST_MS="$(grep -o 'first_rows_ms=[0-9]*' "$WORK/pec.stats" | cut -d= -f2)"
echo "   pec: ${PEC_S} s, peak RSS $((PEC_RSS / 1024)) MB, first 50 inbox rows after ${FIRST_MS} ms"

echo "== no-change resync"
/usr/bin/time -f "%e %M" -o "$WORK/resync.time" "$PEC" --data-dir "$DATA" sync --stats 2> "$WORK/resync.stats" >/dev/null
RESYNC_MS="$(grep -o 'elapsed_ms=[0-9]*' "$WORK/resync.stats" | cut -d= -f2)"
read -r RESYNC_WALL _ < "$WORK/resync.time"
echo "   resync: ${RESYNC_MS} ms inside the process (${RESYNC_WALL} s wall, process start included)"

echo "== search latency"
SEARCH="$(cargo bench -q -p pec-core --bench search --manifest-path "$ROOT/Cargo.toml" 2>/dev/null | grep '^search on')"
echo "   $SEARCH"

RATIO="$(python3 -c "print(f'{$PEC_S / $MB_S:.2f}')")"
RATIO2="$(python3 -c "print(f'{$PEC_S / $MB2_S:.2f}')")"
echo
echo "== summary ($N messages)"
echo "full sync: pec ${PEC_S} s vs mbsync ${MB_S} s -> ratio pec/mbsync = ${RATIO} (goal <= 1.00)"
echo "           pec ${PEC_S} s vs mbsync FSync no ${MB2_S} s -> ratio ${RATIO2}"
echo "first 50 inbox rows: ${FIRST_MS} ms (goal < 1000)"
echo "no-change resync: ${RESYNC_MS} ms (goal < 100)"
echo "${SEARCH} (goal p95 < 10 ms)"
echo "peak RSS: pec $((PEC_RSS / 1024)) MB, mbsync $((MB_RSS / 1024)) MB (goal < 150 MB)"
