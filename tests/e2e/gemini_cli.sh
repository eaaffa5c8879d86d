#!/usr/bin/env bash
# End-to-end: the real Gemini CLI (`gemini -p`) runs a shell-tool loop through
# the Switchyard gateway's Gemini API endpoints
# (POST /v1beta/models/{model}:streamGenerateContent?alt=sse, :generateContent),
# against a scripted OpenAI-Chat upstream and a scripted Anthropic-Messages
# upstream (tests/e2e/mock_upstream.py).
#
# Usage: tests/e2e/gemini_cli.sh [--direct] [--kind openai|anthropic|all]
#                                [--loop shell|picker|all] [--keep]
#   --direct  harness self-check: point Gemini CLI straight at the mock's own
#             Gemini API (no gateway; runs the "gemini" kind only)
#   --loop    shell: `-m MODEL`, the turn only (streamGenerateContent);
#             picker: no `-m`, so Gemini CLI first asks a flash-lite model
#             (non-streaming generateContent, JSON schema) which model to use
#   --keep    keep the temp dir (also kept automatically on failure)
# Env: SWITCHYARD_BIN, SWITCHYARD_E2E_CACHE, SWITCHYARD_E2E_GEMINI_VERSION,
#      SWITCHYARD_E2E_GEMINI_BIN, SWITCHYARD_E2E_TIMEOUT, SWITCHYARD_E2E_KEEP
#      (see tests/e2e/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

GEMINI_VERSION="${SWITCHYARD_E2E_GEMINI_VERSION:-0.61.0}"
GEMINI_PREFIX="$CACHE/gemini"
CLIENT_MODEL="gemini-switchyard-e2e"
SHELL_TOOL="run_shell_command"     # Gemini CLI 0.61's shell tool: {"command": "...", "description"?, "dir_path"?, ...}

KINDS="openai anthropic"
KIND_SET=0
LOOPS="shell picker"

set_kind() {
  case "$1" in
    all) KINDS="openai anthropic" ;;
    openai|anthropic|gemini) KINDS="$1" ;;
    *) echo "bad --kind: $1" >&2; exit 2 ;;
  esac
  KIND_SET=1
}

set_loop() {
  case "$1" in
    all) LOOPS="shell picker" ;;
    shell|picker) LOOPS="$1" ;;
    *) echo "bad --loop: $1" >&2; exit 2 ;;
  esac
}

while [ $# -gt 0 ]; do
  case "$1" in
    --direct) DIRECT=1 ;;
    --kind) shift; set_kind "${1:-}" ;;
    --kind=*) set_kind "${1#--kind=}" ;;
    --loop) shift; set_loop "${1:-}" ;;
    --loop=*) set_loop "${1#--loop=}" ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$DIRECT" = 1 ]; then
  if [ "$KIND_SET" = 1 ] && [ "$KINDS" != gemini ]; then
    echo "--direct only runs the gemini kind (Gemini CLI speaks only the Gemini API)" >&2
    exit 2
  fi
  KINDS="gemini"
elif [ "$KINDS" = gemini ]; then
  echo "--kind gemini is the --direct self-check; use --direct" >&2
  exit 2
fi

require_tools
e2e_workdir "-gemini"
mkdir -p "$WORK/version-home/tmp"

# ---------------------------------------------------------------------------
# Gemini CLI, pinned, installed outside the repo
# ---------------------------------------------------------------------------
# @google/gemini-cli is a self-contained JS bundle (bin gemini -> bundle/gemini.js)
# and needs node >= 20. `gemini --version` prints the bare version.

gemini_version_of() { # binary -> "X.Y.Z" or nothing
  HOME="$WORK/version-home" TMPDIR="$WORK/version-home/tmp" \
    timeout 60 "$1" --version 2>/dev/null </dev/null | head -n 1 || true
}

ensure_gemini() {
  command -v node >/dev/null 2>&1 || die "node (>= 20) is required to run Gemini CLI"
  ensure_npm_cli "${SWITCHYARD_E2E_GEMINI_BIN:-}" "$GEMINI_PREFIX" @google/gemini-cli "$GEMINI_VERSION" \
      gemini gemini_version_of "$GEMINI_VERSION" \
    || die "$CLI_BIN --version printed '${CLI_VERSION:-nothing}', want '$GEMINI_VERSION'"
  GEMINI="$CLI_BIN"
  log "gemini: $CLI_VERSION ($GEMINI)"
}

# Gemini CLI settings: API-key auth (GEMINI_API_KEY, sent as x-goog-api-key),
# no usage statistics (else DNS for play.googleapis.com and a GPU/display probe
# via lspci/clinfo/xdpyinfo/xrandr), no update check, and one attempt per
# request (the default is 10, with backoff, on 429/5xx and fetch errors).
write_gemini_settings() { # home
  mkdir -p "$1/.gemini"
  cat >"$1/.gemini/settings.json" <<EOF
{
  "security": { "auth": { "selectedType": "gemini-api-key" } },
  "general": {
    "enableAutoUpdate": false,
    "enableAutoUpdateNotification": false,
    "maxAttempts": 1,
    "retryFetchErrors": false
  },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false }
}
EOF
}

# ---------------------------------------------------------------------------
# one scenario
# ---------------------------------------------------------------------------
CLIENT=gemini
CHECK_PY=check_gemini.py
CLIENT_OUT="-o stream-json"

run_scenario() { # kind loop mode base_url token
  local kind="$1" loop="$2" mode="$3" base_url="$4" token="$5" expect="$UPSTREAM_MODEL"
  if [ "$mode" = direct ]; then
    # Direct: the mock sees Gemini CLI's own model ids (with the picker,
    # whatever it picks: gemini-3.5-flash-lite, then gemini-3.1-pro-preview).
    if [ "$loop" = shell ]; then expect="$CLIENT_MODEL"; else expect=""; fi
  fi
  local name="$kind/$loop ($mode)"
  local sdir="$WORK/$kind-$loop"
  local proj="$sdir/project" home="$sdir/home"
  mkdir -p "$proj" "$home" "$sdir/tmp"
  write_gemini_settings "$home"

  local target="$proj/gemini-marker.txt" expected="switchyard-gemini-ok"
  local cmd="echo $expected > $target"
  local prompt="Run the shell command given below. RUN_CMD=[[$cmd]]"
  local model_args=(-m "$CLIENT_MODEL") picker_args=()
  if [ "$loop" = picker ]; then
    model_args=()          # no -m: Gemini CLI's model picker runs first
    picker_args=(--picker)
  fi

  local from
  from="$(mock_log_lines)"

  local t0 t1 rc=0
  t0="$(date +%s.%N)"
  (
    cd "$proj"
    exec env -i \
      PATH="$PATH" HOME="$home" USER="${USER:-root}" SHELL="$BASH_PATH" TERM=dumb LANG=C.UTF-8 \
      TMPDIR="$sdir/tmp" \
      GEMINI_CLI_TRUST_WORKSPACE=true \
      GOOGLE_GEMINI_BASE_URL="$base_url" \
      GEMINI_API_KEY="$token" \
      timeout --kill-after=10 "$TIMEOUT" \
      "$GEMINI" -p "$prompt" "${model_args[@]}" --approval-mode yolo --output-format stream-json \
        </dev/null >"$sdir/gemini.out" 2>"$sdir/gemini.stderr"
  ) || rc=$?
  t1="$(date +%s.%N)"

  PROBLEMS=()
  check_client_exit "$rc"
  check_side_effect shell "$target" "$expected"
  local extra=()
  [ "$mode" = gateway ] && extra=(--client-key "$CLIENT_KEY")
  run_check --log "$MOCK_LOG" --from-line "$from" \
    --kind "$kind" --tool "$SHELL_TOOL" --cmd "$cmd" --expect-model "$expect" \
    --key "$UPSTREAM_KEY" "${extra[@]}" "${picker_args[@]}" \
    --gemini-out "$sdir/gemini.out"
  report_scenario "$name" "$(elapsed "$t0" "$t1")" "$sdir" "$from"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
ensure_gemini

# Direct: the mock serves the Gemini API only when asked to.
DIRECT_MOCK_ARGS=(--serve-gemini)
BASE_PATH=""
START="$(date +%s)"
run_kinds
print_totals "gemini cli" "$START"
[ "$FAILED_N" = 0 ]
