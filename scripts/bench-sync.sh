#!/usr/bin/env bash
# Sync bench: our full offline sync vs mbsync (isync), on one seeded mailbox (pec-sandbox on a real
# Dovecot), measured so that neither program is favoured:
#   - ROUNDS rounds (default 3); each round runs, in this order, mbsync default (fsync per message),
#     mbsync `FSync no`, `pec sync --full` into a plain store (`pec-plain`: every body parsed,
#     stored and indexed) and the same into an encrypted store (`pec`, the default: SQLCipher, the
#     key stretched from PEC_PASSPHRASE inside the timed run);
#   - every run writes into its own fresh directory, created before the timing starts and removed
#     only after all runs (no run pays for deleting an earlier run's files);
#   - every run is timed by /usr/bin/time (wall, user CPU, system CPU, peak RSS) and printed with the
#     1-minute load average before and after it, the number of messages it fetched, and the
#     core-seconds the whole machine was busy and idle during it (the server shares the cores);
#   - the summary compares the best (lowest wall) run of each program, and the lowest user CPU.
# Then, on the last pec run's store: time to the first 50 inbox rows (from `pec sync --stats`), a
# no-change resync, and (unless BENCH_SEARCH=0) search p50/p95 on 100,000 messages.
# Needs: dovecot-imapd dovecot-lmtpd isync (mbsync) jq time (/usr/bin/time), the corpus.
# Usage: scripts/bench-sync.sh [MESSAGES]   (default 10000)
#   ROUNDS=N  rounds (default 3);  BENCH_SEARCH=0  skip the search bench;
#   BENCH_DIR=DIR  where the runs go (default a fresh /tmp/pec-bench.XXXXXX; 10,000 messages need
#   about 3 GB for three rounds of three programs).
set -euo pipefail
N="${1:-10000}"
ROUNDS="${ROUNDS:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${BENCH_DIR:-/tmp}/pec-bench.XXXXXX")"
chmod 755 "$WORK"   # Dovecot delivers as an unprivileged user
export PEC_CORPUS="${PEC_CORPUS:-$ROOT/../shared/corpus}"
export PEC_PASSPHRASE="${PEC_PASSPHRASE:-bench passphrase}"
cleanup() { [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

for bin in mbsync jq /usr/bin/time python3; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install isync jq time python3)"; exit 1; }
done

load1() { cut -d' ' -f1 /proc/loadavg; }
# Core-seconds the whole machine spent busy and idle so far (/proc/stat, in USER_HZ): a run's
# difference shows what the server (Dovecot, on the same cores) and the idle cores add to it.
cpu_now() { awk '/^cpu /{printf "%d %d\n", $2+$3+$4+$7+$8, $5}' /proc/stat; }
HZ="$(getconf CLK_TCK)"
# Seconds between two /proc/stat readings ($1 then $2, in USER_HZ).
stat_seconds() { awk -v a="$1" -v b="$2" -v h="$HZ" 'BEGIN {printf "%.2f", (b - a) / h}'; }

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
PORT="${IMAP##*:}"
echo "   imap $IMAP account $ADDR"

echo "== seeding $N messages"
/usr/bin/time -f "   seed: %e s" "$SANDBOX" seed --dir "$WORK/sandbox" --account "$ADDR" --messages "$N" > "$WORK/seed.json"
cat "$WORK/seed.json"; echo

# mbsyncrc for a Maildir at $1; $2 = "no" for `FSync no`.
mbsyncrc() {
  [ "$2" = no ] && echo "FSync no"
  cat <<CFG
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
Path $1/
Inbox $1/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns *
Create Near
Sync Pull
SyncState *
CFG
}

# One line per run: program round wall user sys rss_kb load_before load_after messages sync_rss_kb
# machine_busy_s machine_idle_s.
# rss is the whole process's peak (/usr/bin/time); sync_rss is pec's own figure for the sync alone
# (`--stats`: the peak since the store was opened, so without the 64 MiB of the passphrase's
# Argon2id, which the apps never run: their key comes from the platform vault); mbsync's is its rss.
RESULTS="$WORK/results"
: > "$RESULTS"

# Set up the fresh directory of one run (untimed); writes the command to time, one word per line,
# to $dir/cmd.
prepare() {
  local prog="$1" dir="$2"
  mkdir -p "$dir"
  case "$prog" in
    mbsync|mbsync-nofsync)
      mkdir -p "$dir/maildir"
      mbsyncrc "$dir/maildir" "$([ "$prog" = mbsync-nofsync ] && echo no || echo yes)" > "$dir/mbsyncrc"
      printf '%s\n' mbsync -q -c "$dir/mbsyncrc" -a > "$dir/cmd" ;;
    pec|pec-plain)
      # A plain store is one written before encryption: an existing unencrypted SQLite file opens
      # as it is. pec creates every new store encrypted.
      if [ "$prog" = pec-plain ]; then
        mkdir -p "$dir/data"
        python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE t(x)"); c.execute("DROP TABLE t"); c.commit()' "$dir/data/store.sqlite"
      fi
      # No SMTP server here (the IMAP port stands in for it): --offline skips the login check.
      printf '%s' "$PASS" | "$PEC" --data-dir "$dir/data" account add "$ADDR" --imap "$IMAP" --smtp "$IMAP" \
        --offline --password-stdin --ca-file "$CA" >/dev/null
      printf '%s\n' "$PEC" --data-dir "$dir/data" sync --full --stats > "$dir/cmd" ;;
  esac
}

# How many messages a finished run holds.
fetched() {
  local prog="$1" dir="$2"
  case "$prog" in
    mbsync|mbsync-nofsync) find "$dir/maildir" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l ;;
    pec|pec-plain) grep -o '[0-9]* new' "$dir/out" | awk '{s += $1} END {print s + 0}' ;;
  esac
}

echo "== $ROUNDS rounds: mbsync default, mbsync FSync no, pec sync --full plain, encrypted (fresh directory each)"
printf '   %-15s %5s %8s %8s %8s %8s %8s %6s %6s %8s %7s %7s\n' program round wall_s user_s sys_s rss_MB sync_MB 'load<' 'load>' messages busy_s idle_s
for round in $(seq 1 "$ROUNDS"); do
  for prog in mbsync mbsync-nofsync pec-plain pec; do
    dir="$WORK/runs/$round-$prog"
    prepare "$prog" "$dir"
    mapfile -t cmd < "$dir/cmd"
    before="$(load1)"
    read -r busy0 idle0 < <(cpu_now)
    /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "${cmd[@]}" > "$dir/out" 2> "$dir/err" \
      || { echo "$prog failed:"; cat "$dir/err"; exit 1; }
    after="$(load1)"
    read -r busy1 idle1 < <(cpu_now)
    busy="$(stat_seconds "$busy0" "$busy1")"
    idle="$(stat_seconds "$idle0" "$idle1")"
    read -r wall user sys rss < "$dir/time"
    got="$(fetched "$prog" "$dir")"
    sync_rss="$(grep -o 'sync_peak_rss_kb=[0-9]*' "$dir/err" | cut -d= -f2 || true)"
    sync_rss="${sync_rss:-$rss}"
    echo "$prog $round $wall $user $sys $rss $before $after $got $sync_rss $busy $idle" >> "$RESULTS"
    printf '   %-15s %5s %8s %8s %8s %8s %8s %6s %6s %8s %7s %7s\n' "$prog" "$round" "$wall" "$user" "$sys" \
      "$((rss / 1024))" "$((sync_rss / 1024))" "$before" "$after" "$got" "$busy" "$idle"
    [ "$got" -ge "$N" ] || echo "   warning: $prog fetched $got of $N messages"
  done
done

LAST="$WORK/runs/$ROUNDS-pec"
FIRST_MS="$(grep -o 'first_rows_ms=[0-9-]*' "$LAST/err" | cut -d= -f2)"

echo "== no-change resync (on the last pec run's store)"
/usr/bin/time -f "%e %M" -o "$WORK/resync.time" "$PEC" --data-dir "$LAST/data" sync --stats 2> "$WORK/resync.stats" >/dev/null
RESYNC_MS="$(grep -o 'elapsed_ms=[0-9]*' "$WORK/resync.stats" | cut -d= -f2)"
read -r RESYNC_WALL _ < "$WORK/resync.time"
echo "   resync: ${RESYNC_MS} ms inside the process (${RESYNC_WALL} s wall, process start included)"

SEARCH="search: skipped (BENCH_SEARCH=0)"
if [ "${BENCH_SEARCH:-1}" != 0 ]; then
  echo "== search latency"
  SEARCH="$(cargo bench -q -p pec-core --bench search --manifest-path "$ROOT/Cargo.toml" 2>/dev/null | grep '^search')"
  echo "   $SEARCH"
fi

echo
echo "== summary ($N messages, $ROUNDS rounds; best = lowest wall time of each program)"
python3 - "$RESULTS" <<'PY'
import sys
runs = {}
for line in open(sys.argv[1]):
    prog, rnd, wall, user, sys_, rss, lb, la, got, sync_rss, busy, idle = line.split()
    runs.setdefault(prog, []).append(dict(wall=float(wall), user=float(user), sys=float(sys_),
                                          rss=int(rss) // 1024, sync_rss=int(sync_rss) // 1024,
                                          load=f"{lb}-{la}", busy=float(busy), idle=float(idle)))
best = {p: min(r, key=lambda x: x["wall"]) for p, r in runs.items()}
cpu = {p: min(x["user"] for x in r) for p, r in runs.items()}
for p in ("mbsync", "mbsync-nofsync", "pec-plain", "pec"):
    b = best[p]
    walls = ", ".join(f"{x['wall']:.2f}" for x in runs[p])
    print(f"{p:15} best {b['wall']:.2f} s wall ({b['user']:.2f} s user, {b['sys']:.2f} s sys, "
          f"{b['rss']} MB, load {b['load']}; machine {b['busy']:.2f} s busy, of it "
          f"{b['busy'] - b['user'] - b['sys']:.2f} s not this program, {b['idle']:.2f} s idle); "
          f"all runs: {walls} s")
pec = best["pec"]["wall"]
print(f"full sync, best runs: pec / mbsync default = {pec / best['mbsync']['wall']:.2f}, "
      f"pec / mbsync FSync no = {pec / best['mbsync-nofsync']['wall']:.2f} (goal <= 1.00)")
print(f"encrypted store: pec / pec-plain = {pec / best['pec-plain']['wall']:.2f} wall, "
      f"{cpu['pec'] / max(cpu['pec-plain'], 0.01):.2f} user CPU (goal <= 1.15)")
for p in ("pec-plain", "pec"):
    print(f"{p}: peak RSS of the process {min(x['rss'] for x in runs[p])}-{max(x['rss'] for x in runs[p])} MB, "
          f"of the sync alone {min(x['sync_rss'] for x in runs[p])}-{max(x['sync_rss'] for x in runs[p])} MB (goal <= 64)")
print(f"user CPU, lowest of each: pec / mbsync FSync no = {cpu['pec'] / max(cpu['mbsync-nofsync'], 0.01):.2f} "
      f"(pec {cpu['pec']:.2f} s, mbsync {cpu['mbsync-nofsync']:.2f} s)")
PY
echo "first 50 inbox rows (last pec run): ${FIRST_MS} ms (goal < 1000)"
echo "no-change resync: ${RESYNC_MS} ms (goal < 100)"
echo "${SEARCH} (goal p95 < 10 ms)"
