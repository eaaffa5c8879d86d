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

GEMINI_VERSION="${SWITCHYARD_E2E_GEMINI_VERSION:-0.61.0}"
CACHE="${SWITCHYARD_E2E_CACHE:-$HOME/.cache/switchyard-e2e}"
GEMINI_PREFIX="$CACHE/gemini"
TIMEOUT="${SWITCHYARD_E2E_TIMEOUT:-120}"
KEEP="${SWITCHYARD_E2E_KEEP:-0}"
BIN="${SWITCHYARD_BIN:-${CARGO_TARGET_DIR:-target}/debug/switchyard}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac

CLIENT_KEY="sk-e2e-local-key-0123456789"
UPSTREAM_KEY="sk-upstream-test"
UPSTREAM_MODEL="mock-model-1"
CLIENT_MODEL="gemini-switchyard-e2e"
SHELL_TOOL="run_shell_command"     # Gemini CLI 0.61's shell tool: {"command": "...", "description"?, "dir_path"?, ...}

DIRECT=0
KINDS="openai anthropic"
KIND_SET=0
LOOPS="shell picker"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

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

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 2; }

if [ "$DIRECT" = 0 ] && [ ! -x "$BIN" ]; then
  die "gateway binary not found at $BIN (build it first, or set SWITCHYARD_BIN; --direct runs the harness self-check without it)"
fi
for tool in python3 curl timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
BASH_PATH="$(command -v bash)"

# ---------------------------------------------------------------------------
# process bookkeeping
# ---------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-e2e-gemini.XXXXXX")"
mkdir -p "$WORK/version-home/tmp"
PIDS=()
FAILED=0

stop_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
}

cleanup() {
  local rc=$?
  stop_all
  if [ "$KEEP" = 1 ] || [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    log "artifacts kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Gemini CLI, pinned, installed outside the repo
# ---------------------------------------------------------------------------
# @google/gemini-cli is a self-contained JS bundle (bin gemini -> bundle/gemini.js)
# and needs node >= 20. `gemini --version` prints the bare version.

gemini_version_of() { # binary -> "X.Y.Z" or nothing
  HOME="$WORK/version-home" TMPDIR="$WORK/version-home/tmp" \
    timeout 60 "$1" --version 2>/dev/null </dev/null | head -n 1 || true
}

installed_version() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$GEMINI_PREFIX/node_modules/@google/gemini-cli/package.json" 2>/dev/null || true
}

ensure_gemini() {
  local v=""
  command -v node >/dev/null 2>&1 || die "node (>= 20) is required to run Gemini CLI"
  if [ -n "${SWITCHYARD_E2E_GEMINI_BIN:-}" ]; then
    GEMINI="$SWITCHYARD_E2E_GEMINI_BIN"
  else
    GEMINI="$GEMINI_PREFIX/node_modules/.bin/gemini"
    v=""
    if [ "$(installed_version)" = "$GEMINI_VERSION" ] && [ -x "$GEMINI" ]; then
      v="$(gemini_version_of "$GEMINI")"
    fi
    if [ "$v" != "$GEMINI_VERSION" ]; then
      command -v npm >/dev/null 2>&1 || die "npm is required to install @google/gemini-cli@$GEMINI_VERSION"
      log "installing @google/gemini-cli@$GEMINI_VERSION into $GEMINI_PREFIX"
      mkdir -p "$GEMINI_PREFIX"
      (cd "$GEMINI_PREFIX" && npm install --prefix "$GEMINI_PREFIX" --no-audit --no-fund --save-exact \
         --loglevel=error "@google/gemini-cli@$GEMINI_VERSION" >&2) \
        || die "npm install of @google/gemini-cli@$GEMINI_VERSION failed"
      v=""
    fi
  fi
  # `gemini --version` takes a few seconds (it relaunches node): ask once.
  [ -n "$v" ] || v="$(gemini_version_of "$GEMINI")"
  case "$v" in
    "$GEMINI_VERSION") log "gemini: $v ($GEMINI)" ;;
    *) die "$GEMINI --version printed '${v:-nothing}', want '$GEMINI_VERSION'" ;;
  esac
}

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_file() { # file seconds pid
  local f="$1" n=$(( $2 * 10 )) pid="$3"
  for _ in $(seq 1 "$n"); do
    [ -s "$f" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

wait_for_health() { # url seconds pid
  local url="$1" n=$(( $2 * 10 )) pid="$3" code
  for _ in $(seq 1 "$n"); do
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || true)"
    [ "$code" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------
# mock upstream + gateway
# ---------------------------------------------------------------------------
MOCK_PORT=""
MOCK_LOG=""
GW_PORT=""
GW_LOG=""

start_mock() { # dir [extra args]
  local dir="$1"; shift
  MOCK_LOG="$dir/mock.log"
  python3 "$HERE/mock_upstream.py" --port 0 --port-file "$dir/mock.port" --log "$MOCK_LOG" \
    --key "$UPSTREAM_KEY" "$@" >"$dir/mock.stderr" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_for_file "$dir/mock.port" 15 "$pid" || { cat "$dir/mock.stderr" >&2; die "mock upstream did not start"; }
  MOCK_PORT="$(cat "$dir/mock.port")"
  log "mock upstream on 127.0.0.1:$MOCK_PORT (log $MOCK_LOG)"
}

write_gateway_config() { # kind conf
  local kind="$1" conf="$2" format base
  if [ "$kind" = openai ]; then
    format="openai_chat"; base="http://127.0.0.1:$MOCK_PORT/v1"
  else
    format="anthropic"; base="http://127.0.0.1:$MOCK_PORT"
  fi
  cat >"$conf" <<EOF
listen = "127.0.0.1:$GW_PORT"
client_keys = ["$CLIENT_KEY"]

[[providers]]
id = "mock"
format = "$format"
base_url = "$base"
api_key_env = "MOCK_UPSTREAM_KEY"

[[routes]]
model = "*"
provider = "mock"
upstream_model = "$UPSTREAM_MODEL"
EOF
}

start_gateway() { # kind dir
  local kind="$1" dir="$2" attempt pid
  GW_LOG="$dir/gateway.log"
  for attempt in 1 2 3; do
    GW_PORT="$(free_port)"
    write_gateway_config "$kind" "$dir/switchyard.toml"
    MOCK_UPSTREAM_KEY="$UPSTREAM_KEY" SWITCHYARD_LOG="${SWITCHYARD_LOG:-info}" NO_COLOR=1 \
      "$BIN" serve --config "$dir/switchyard.toml" >>"$GW_LOG" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if wait_for_health "http://127.0.0.1:$GW_PORT/health" 30 "$pid"; then
      log "gateway on 127.0.0.1:$GW_PORT ($kind upstream, log $GW_LOG)"
      return 0
    fi
    log "gateway did not become healthy (attempt $attempt)"
    stop_pid "$pid"
  done
  echo "----- gateway log (tail) -----" >&2
  tail -n 40 "$GW_LOG" >&2 || true
  return 1
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
PASSED=0
FAILED_N=0

dump_failure() { # sdir from_line
  local sdir="$1" from="$2"
  {
    echo "----- gemini stderr -----"
    tail -n 40 "$sdir/gemini.stderr" 2>/dev/null || true
    echo "----- gemini output (-o stream-json, one line per event) -----"
    python3 "$HERE/check_gemini.py" --summarize-gemini "$sdir/gemini.out" || tail -c 3000 "$sdir/gemini.out" || true
    echo "----- mock upstream requests in this scenario -----"
    python3 "$HERE/check_gemini.py" --log "$MOCK_LOG" --from-line "$from" --summary-only || true
    if [ -n "$GW_LOG" ] && [ -f "$GW_LOG" ]; then
      echo "----- gateway log (tail) -----"
      tail -n 60 "$GW_LOG" || true
    fi
    echo "----- artifacts: $sdir -----"
  } >&2
}

run_scenario() { # kind loop mode base_url token expect_models
  local kind="$1" loop="$2" mode="$3" base_url="$4" token="$5" expect="$6"
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
  from="$(wc -l <"$MOCK_LOG" | tr -d ' ')"

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
  local secs
  secs="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$t1")"

  local problems=()
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    problems+=("gemini timed out after ${TIMEOUT}s")
  elif [ "$rc" != 0 ]; then
    problems+=("gemini exited with status $rc")
  fi
  if [ ! -f "$target" ]; then
    problems+=("shell side effect missing: $target was not created")
  else
    local got
    got="$(cat "$target")"
    [ "$got" = "$expected" ] || problems+=("$target contains '$got', want '$expected'")
  fi
  local extra=()
  [ "$mode" = gateway ] && extra=(--client-key "$CLIENT_KEY")
  local check_out check_rc=0
  check_out="$(python3 "$HERE/check_gemini.py" --log "$MOCK_LOG" --from-line "$from" \
      --kind "$kind" --tool "$SHELL_TOOL" --cmd "$cmd" --expect-model "$expect" \
      --key "$UPSTREAM_KEY" "${extra[@]}" "${picker_args[@]}" \
      --gemini-out "$sdir/gemini.out" 2>&1)" \
    || check_rc=$?
  [ -n "$check_out" ] && printf '%s\n' "$check_out" >&2
  [ "$check_rc" = 0 ] || problems+=("log/output checks failed (see 'problem:' lines above)")

  if [ "${#problems[@]}" = 0 ]; then
    PASSED=$((PASSED + 1))
    echo "PASS $name ${secs}s"
  else
    FAILED_N=$((FAILED_N + 1))
    FAILED=1
    local p
    for p in "${problems[@]}"; do log "$name: $p"; done
    dump_failure "$sdir" "$from"
    echo "FAIL $name ${secs}s"
  fi
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
ensure_gemini

START="$(date +%s)"
for kind in $KINDS; do
  kdir="$WORK/$kind"
  mkdir -p "$kdir"
  GW_LOG=""
  if [ "$DIRECT" = 1 ]; then
    # The mock serves the Gemini API only when asked to.
    start_mock "$kdir" --serve-gemini
    base="http://127.0.0.1:$MOCK_PORT"
    token="$UPSTREAM_KEY"
    mode="direct"
  else
    start_mock "$kdir"
    if ! start_gateway "$kind" "$kdir"; then
      FAILED=1
      for loop in $LOOPS; do
        FAILED_N=$((FAILED_N + 1))
        echo "FAIL $kind/$loop (gateway) gateway did not start"
      done
      stop_all
      continue
    fi
    base="http://127.0.0.1:$GW_PORT"
    token="$CLIENT_KEY"
    mode="gateway"
  fi
  for loop in $LOOPS; do
    if [ "$DIRECT" = 1 ]; then
      # Direct: the mock sees Gemini CLI's own model ids (with the picker,
      # whatever it picks: gemini-3.5-flash-lite, then gemini-3.1-pro-preview).
      if [ "$loop" = shell ]; then expect="$CLIENT_MODEL"; else expect=""; fi
    else
      expect="$UPSTREAM_MODEL"
    fi
    run_scenario "$kind" "$loop" "$mode" "$base" "$token" "$expect"
  done
  stop_all
done

echo "gemini cli e2e: $(( $(date +%s) - START ))s total"
echo "$PASSED passed, $FAILED_N failed"
[ "$FAILED_N" = 0 ]
