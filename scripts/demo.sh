#!/usr/bin/env bash
# `make demo`: the product end to end on this machine, with embedded defaults and no configuration.
#
# 1. installs what is missing (Debian/Ubuntu packages when root; otherwise prints what to install),
# 2. builds `pec` and the PEC provider sandbox,
# 3. starts the sandbox (real Dovecot + a PEC provider that signs envelopes and receipts),
# 4. walks through the product with `pec`: add the demo account, sync with a progress bar, send a
#    PEC with an attachment and watch it go from one tick to two, receive an SDI invoice and open it
#    in both styles (HTML files you can open), search.
# Everything lives in ./demo (DEMO_DIR to change); the sandbox stops when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
demo="${DEMO_DIR:-$root/demo}"
CARGO="${CARGO:-cargo}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- 1. what is missing --------------------------------------------------------------------------
need_pkgs=()
command -v dovecot >/dev/null || [[ -x /usr/sbin/dovecot ]] || need_pkgs+=(dovecot-imapd dovecot-lmtpd)
command -v cc >/dev/null || need_pkgs+=(build-essential)
command -v pkg-config >/dev/null || need_pkgs+=(pkg-config)
if ((${#need_pkgs[@]})); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${need_pkgs[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    # The sandbox runs its own Dovecot; the system one is not needed.
    systemctl disable --now dovecot >/dev/null 2>&1 || true
  else
    echo "make demo needs: ${need_pkgs[*]}"
    echo "install them with:  sudo apt-get install -y ${need_pkgs[*]}"
    exit 1
  fi
fi
if ! command -v "$CARGO" >/dev/null; then
  echo "make demo needs a Rust toolchain (1.95): https://rustup.rs, then run make demo again"
  exit 1
fi

# --- 2. build ---------------------------------------------------------------------------------------
say "building pec and the sandbox (first time: a few minutes)"
"$CARGO" build -q --release -p pec-cli -p pec-sandbox
target_dir="$("$CARGO" metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
# The sandbox signs its PEC receipts under its own test CA: the demo trusts it for signatures
# explicitly (--signature-test-anchor, once the sandbox has printed its CA). --ca-file on the
# account is for TLS only and never makes a signer a PEC provider.
pec() { "$target_dir/release/pec" --data-dir "$demo/data" ${ca:+--signature-test-anchor "$ca"} "$@"; }
# The demo's store is encrypted like every store; its passphrase comes from the environment (the
# way for scripts; a person types it at the prompt instead).
export PEC_PASSPHRASE="${PEC_PASSPHRASE:-demo passphrase}"
sandbox="$target_dir/release/pec-sandbox"

# --- 3. sandbox -------------------------------------------------------------------------------------
rm -rf "$demo" && mkdir -p "$demo/out"
say "starting the PEC provider sandbox"
# Dovecot's unprivileged processes must traverse the sandbox directory: keep it in /tmp, mode 755.
sbxdir="$(mktemp -d /tmp/pec-demo-sandbox.XXXXXX)" && chmod 755 "$sbxdir"
coproc SBX { exec "$sandbox" up --dir "$sbxdir" --accounts 2 2>"$demo/sandbox.log"; }
sbx_pid=$SBX_PID
trap 'kill "$sbx_pid" 2>/dev/null || true; wait "$sbx_pid" 2>/dev/null || true; rm -rf "$sbxdir"' EXIT
read -r -t 120 ready <&"${SBX[0]}" || { echo "the sandbox did not start:"; cat "$demo/sandbox.log"; exit 1; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$ready"; }
imap="$(field imap)"; smtp="$(field smtp)"; ca="$(field ca_file)"
mapfile -t addrs < <(grep -o '"address":"[^"]*","password":"[^"]*"' <<<"$ready" | sed 's/"address":"\([^"]*\)","password":"\([^"]*\)"/\1 \2/')
read -r me mypw <<<"${addrs[0]}"
read -r them theirpw <<<"${addrs[1]}"
echo "IMAP $imap  SMTP $smtp  accounts: $me, $them"

# --- 4. the walk-through ----------------------------------------------------------------------------
say "pec account add $me"
printf '%s' "$mypw" | pec account add "$me" --imap "$imap" --smtp "$smtp" --ca-file "$ca" --name "Studio Demo" --password-stdin
printf '%s' "$theirpw" | pec account add "$them" --imap "$imap" --smtp "$smtp" --ca-file "$ca" --password-stdin
pec account list

say "pec sync (progress bar)"
pec sync --account "$me"

say "pec send: a PEC with an attachment"
printf 'Contratto di fornitura n. 42\n' > "$demo/out/contratto.txt"
sent="$(pec send --json --account "$me" --to "$them" --subject "Contratto firmato" \
  --body "Buongiorno, in allegato il contratto firmato." --attach "$demo/out/contratto.txt")"
echo "$sent"
outbox_id="$(grep -o '"id": *[0-9]*' <<<"$sent" | head -1 | tr -dc 0-9)"

say "watching the ticks: one (accepted) then two (delivered)"
for i in $(seq 1 30); do
  state="$({ pec status --json "$outbox_id" 2>>"$demo/status.log" || true; } | grep -o '"state": *"[a-z]*"' | head -1 | cut -d'"' -f4 || true)"
  pec sync --account "$me" >/dev/null 2>&1 || true
  printf '  %2ds  %-10s %s\n' "$((i * 2))" "$state" "$(pec ls --account "$me" outbox | head -1)"
  [[ "$state" == delivered ]] && break
  sleep 2
done
pec status "$outbox_id"

say "an SDI invoice arrives"
# Embedded default: a small FatturaPA written for the demo, named as the SDI names files.
invoice="$demo/out/IT01234567890_DEMO1.xml"
cp "$root/scripts/demo-invoice.xml" "$invoice"
"$sandbox" inject-invoice --dir "$sbxdir" --account "$me" "$invoice"
pec sync --account "$me"
pec ls --account "$me" invoices
inv_id="$(pec ls --account "$me" invoices --json | grep -o '"id": *[0-9]*' | head -1 | tr -dc 0-9)"
pec show --fetch --raw "$inv_id" > "$demo/out/invoice.eml"
for style in compact ministerial; do
  pec invoice --style "$style" --out "$demo/out/fattura-$style.html" "$demo/out/invoice.eml"
done
echo "open them:  $demo/out/fattura-compact.html  $demo/out/fattura-ministerial.html"

say "pec search"
pec search --account "$me" "Contratto" || true
pec search --account "$them" "from:$me" || true

say "done: the data directory is $demo/data; the sandbox stops now"
