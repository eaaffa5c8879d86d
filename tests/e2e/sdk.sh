#!/usr/bin/env bash
# End-to-end: the official Python SDKs (openai, anthropic, google-genai; pinned)
# parse every streamed and non-streamed answer of the Switchyard gateway, in
# front of a scripted OpenAI-Chat upstream and a scripted Anthropic-Messages
# upstream (tests/e2e/mock_upstream.py). The checks are in tests/e2e/sdk_check.py
# (entry point) and sdk_{openai,anthropic,gemini}.py, sharing sdk_common.py.
#
# Usage: tests/e2e/sdk.sh [--kind openai|anthropic|all] [--sdk openai|anthropic|gemini]... [--keep]
#   --kind    upstream kind(s) to run (default: all)
#   --sdk     only this SDK (repeatable; default: all three)
#   --keep    keep the temp dir (also kept automatically on failure)
# Env: SWITCHYARD_BIN, SWITCHYARD_E2E_CACHE, SWITCHYARD_E2E_KEEP, SWITCHYARD_LOG
#      (see tests/e2e/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

# Pinned SDK versions (PyPI). Bump them together with a run of this script.
OPENAI_VERSION="3.54.0"
ANTHROPIC_VERSION="2.12.0"
GOOGLE_GENAI_VERSION="3.4.0"

VENV="$CACHE/sdk-venv"

LISTED_MODEL="sdk-model"        # a literal route: GET /v1/models must list it
UNROUTED_MODEL="nope-sdk-e2e"   # matches no route: every SDK must get a typed 404

KINDS="openai anthropic"
SDKS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --kind) shift; case "${1:-}" in all) KINDS="openai anthropic" ;; openai|anthropic) KINDS="$1" ;; *) echo "bad --kind: ${1:-}" >&2; exit 2 ;; esac ;;
    --sdk) shift; case "${1:-}" in openai|anthropic|gemini) SDKS+=("$1") ;; *) echo "bad --sdk: ${1:-}" >&2; exit 2 ;; esac ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "${#SDKS[@]}" = 0 ] && SDKS=(openai anthropic gemini)
want_sdk() { local s; for s in "${SDKS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

require_tools "build it first, or set SWITCHYARD_BIN"
e2e_workdir "-sdk"

# ---------------------------------------------------------------------------
# the SDKs, pinned, in a venv outside the repo
# ---------------------------------------------------------------------------
PY="$VENV/bin/python"

sdk_versions_ok() {
  [ -x "$PY" ] || return 1
  "$PY" - "$OPENAI_VERSION" "$ANTHROPIC_VERSION" "$GOOGLE_GENAI_VERSION" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
want = dict(zip(("openai", "anthropic", "google-genai"), sys.argv[1:]))
sys.exit(0 if all(version(p) == v for p, v in want.items()) else 1)
EOF
}

ensure_sdks() {
  if ! sdk_versions_ok; then
    if [ ! -x "$PY" ]; then
      log "creating venv $VENV"
      mkdir -p "$CACHE"
      python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    fi
    log "installing openai==$OPENAI_VERSION anthropic==$ANTHROPIC_VERSION google-genai==$GOOGLE_GENAI_VERSION into $VENV"
    "$PY" -m pip install --quiet --disable-pip-version-check \
      "openai==$OPENAI_VERSION" "anthropic==$ANTHROPIC_VERSION" "google-genai==$GOOGLE_GENAI_VERSION" >&2 \
      || die "pip install of the SDKs failed"
    sdk_versions_ok || die "SDK versions in $VENV do not match the pins after install"
  fi
  log "SDKs: openai $OPENAI_VERSION, anthropic $ANTHROPIC_VERSION, google-genai $GOOGLE_GENAI_VERSION ($VENV)"
}

# ---------------------------------------------------------------------------
# mock upstream + gateway (lib.sh)
# ---------------------------------------------------------------------------
# The SDKs ask for gpt-sdk-e2e, claude-sdk-e2e and gemini-sdk-e2e; no
# catch-all route, so $UNROUTED_MODEL matches nothing.
GATEWAY_ROUTES=("$LISTED_MODEL" 'gpt-*' 'claude-*' 'gemini-*')

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
ensure_sdks

PASSED_N=0
FAILED_N=0
SKIPPED_N=0
START="$(date +%s)"

for kind in $KINDS; do
  kdir="$WORK/$kind"
  mkdir -p "$kdir"
  start_mock "$kdir" --chunk-delay 0
  if ! start_gateway "$kind" "$kdir"; then
    FAILED_N=$((FAILED_N + 1)); FAILED=1
    echo "FAIL $kind: gateway did not start"
    stop_all
    continue
  fi
  label="$kind"; [ "$kind" = openai ] && label="openai_chat"   # the provider format, as sdk_check.py names it
  args=()
  want_sdk openai && args+=(--sdk openai)
  want_sdk anthropic && args+=(--sdk anthropic)
  # Gemini is checked like the others: a gateway without the Gemini API fails.
  want_sdk gemini && args+=(--sdk gemini)
  if [ "${#args[@]}" -gt 0 ]; then
    rc=0
    timeout --kill-after=5 120 "$PY" "$HERE/sdk_check.py" \
      --base "http://127.0.0.1:$GW_PORT" --key "$CLIENT_KEY" --upstream "$kind" \
      --unrouted-model "$UNROUTED_MODEL" --listed-model "$LISTED_MODEL" "${args[@]}" \
      >"$kdir/check.out" 2>"$kdir/check.err" || rc=$?
    grep -E '^(PASS|FAIL|SKIP) ' "$kdir/check.out" || true
    p="$(grep -c '^PASS ' "$kdir/check.out" || true)"
    f="$(grep -c '^FAIL ' "$kdir/check.out" || true)"
    s="$(grep -c '^SKIP ' "$kdir/check.out" || true)"
    SKIPPED_N=$((SKIPPED_N + s))
    if ! grep -q '^RESULT ' "$kdir/check.out"; then
      f=$((f + 1))
      echo "FAIL $label/sdk_check: exited $rc before finishing"
    elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
      f=1
      echo "FAIL $label/sdk_check: exited $rc"
    fi
    PASSED_N=$((PASSED_N + p)); FAILED_N=$((FAILED_N + f))
    if [ "$f" != 0 ]; then
      FAILED=1
      {
        echo "----- $kind: sdk_check stderr (tracebacks, raw HTTP exchanges of failed checks) -----"
        cat "$kdir/check.err"
        echo "----- $kind: mock upstream requests (status route reply) -----"
        python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["status"], r["method"], r["route"], (r["body"] or {}).get("model") if isinstance(r["body"], dict) else "", r["reply"])
' "$MOCK_LOG" || true
        echo "----- $kind: gateway log (tail) -----"
        tail -n 80 "$GW_LOG" || true
        echo "----- artifacts: $kdir -----"
      } >&2
    fi
  fi
  stop_all
done

echo "sdk e2e: $(( $(date +%s) - START ))s total (after install)"
if [ "$SKIPPED_N" != 0 ]; then
  echo "$PASSED_N passed, $FAILED_N failed, $SKIPPED_N skipped"
else
  echo "$PASSED_N passed, $FAILED_N failed"
fi
[ "$FAILED_N" = 0 ]
