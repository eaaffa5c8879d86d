#!/usr/bin/env bash
# End-to-end: the real Codex CLI (`codex exec`) runs a shell-tool loop through
# the Switchyard gateway's OpenAI Responses endpoint (POST /v1/responses),
# against a scripted OpenAI-Chat upstream and a scripted Anthropic-Messages
# upstream (tests/e2e/mock_upstream.py).
#
# Usage: tests/e2e/codex.sh [--direct] [--kind openai|anthropic|all] [--keep]
#   --direct  harness self-check: point Codex straight at the mock's own
#             /v1/responses (no gateway; runs the "responses" kind only)
#   --keep    keep the temp dir (also kept automatically on failure)
# Env: SWITCHYARD_BIN, SWITCHYARD_E2E_CACHE, SWITCHYARD_E2E_CODEX_VERSION,
#      SWITCHYARD_E2E_CODEX_BIN, SWITCHYARD_E2E_TIMEOUT, SWITCHYARD_E2E_KEEP
#      (see tests/e2e/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

CODEX_VERSION="${SWITCHYARD_E2E_CODEX_VERSION:-0.169.0}"
CACHE="${SWITCHYARD_E2E_CACHE:-$HOME/.cache/switchyard-e2e}"
CODEX_PREFIX="$CACHE/codex"
TIMEOUT="${SWITCHYARD_E2E_TIMEOUT:-120}"
KEEP="${SWITCHYARD_E2E_KEEP:-0}"
BIN="${SWITCHYARD_BIN:-${CARGO_TARGET_DIR:-target}/debug/switchyard}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac

CLIENT_KEY="sk-e2e-local-key-0123456789"
UPSTREAM_KEY="sk-upstream-test"
UPSTREAM_MODEL="mock-model-1"
CLIENT_MODEL="codex-switchyard-e2e"
KEY_ENV="SWITCHYARD_E2E_API_KEY"   # the provider's env_key in config.toml
SHELL_TOOL="exec_command"          # Codex 0.169's shell tool: {"cmd": "..."}

DIRECT=0
KINDS="openai anthropic"
KIND_SET=0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

set_kind() {
  case "$1" in
    all) KINDS="openai anthropic" ;;
    openai|anthropic|responses) KINDS="$1" ;;
    *) echo "bad --kind: $1" >&2; exit 2 ;;
  esac
  KIND_SET=1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --direct) DIRECT=1 ;;
    --kind) shift; set_kind "${1:-}" ;;
    --kind=*) set_kind "${1#--kind=}" ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$DIRECT" = 1 ]; then
  if [ "$KIND_SET" = 1 ] && [ "$KINDS" != responses ]; then
    echo "--direct only runs the responses kind (Codex speaks only the Responses API)" >&2
    exit 2
  fi
  KINDS="responses"
elif [ "$KINDS" = responses ]; then
  echo "--kind responses is the --direct self-check; use --direct" >&2
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
WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-e2e-codex.XXXXXX")"
mkdir -p "$WORK/version-home/codex-home" "$WORK/version-home/tmp"
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
# Codex, pinned, installed outside the repo
# ---------------------------------------------------------------------------
# The npm package @openai/codex is a JS launcher; the native binary comes from
# an optional dependency aliased as @openai/codex-linux-x64 (npm:@openai/codex@
# <version>-linux-x64). `codex --version` fails when it is missing.

codex_version_of() { # binary -> "codex-cli X.Y.Z" or nothing
  HOME="$WORK/version-home" CODEX_HOME="$WORK/version-home/codex-home" TMPDIR="$WORK/version-home/tmp" \
    timeout 60 "$1" --version 2>/dev/null </dev/null | head -n 1 || true
}

installed_version() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$CODEX_PREFIX/node_modules/@openai/codex/package.json" 2>/dev/null || true
}

ensure_codex() {
  local v
  if [ -n "${SWITCHYARD_E2E_CODEX_BIN:-}" ]; then
    CODEX="$SWITCHYARD_E2E_CODEX_BIN"
  else
    CODEX="$CODEX_PREFIX/node_modules/.bin/codex"
    v=""
    if [ "$(installed_version)" = "$CODEX_VERSION" ] && [ -x "$CODEX" ]; then
      v="$(codex_version_of "$CODEX")"
    fi
    if [ "$v" != "codex-cli $CODEX_VERSION" ]; then
      command -v npm >/dev/null 2>&1 || die "npm is required to install @openai/codex@$CODEX_VERSION"
      log "installing @openai/codex@$CODEX_VERSION (with its native optional dependency) into $CODEX_PREFIX"
      mkdir -p "$CODEX_PREFIX"
      # --include=optional: the native binary is an optional dependency; make
      # sure an `omit=optional` npm config cannot drop it.
      (cd "$CODEX_PREFIX" && npm install --prefix "$CODEX_PREFIX" --no-audit --no-fund --save-exact \
         --include=optional --loglevel=error "@openai/codex@$CODEX_VERSION" >&2) \
        || die "npm install of @openai/codex@$CODEX_VERSION failed"
    fi
  fi
  v="$(codex_version_of "$CODEX")"
  case "$v" in
    "codex-cli $CODEX_VERSION") log "codex: $v ($CODEX)" ;;
    *) die "$CODEX --version printed '${v:-nothing}', want 'codex-cli $CODEX_VERSION' (native optional dependency @openai/codex-<platform> missing? npm run with --omit=optional?)" ;;
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

# Codex config: one custom Responses provider, no sandbox, no approvals, and
# nothing that reaches the network besides base_url (see README).
write_codex_config() { # codex_home base_url
  cat >"$1/config.toml" <<EOF
model = "$CLIENT_MODEL"
model_provider = "switchyard"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.switchyard]
name = "Switchyard e2e"
base_url = "$2"
wire_api = "responses"
env_key = "$KEY_ENV"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 60000

[analytics]
enabled = false

[features]
plugins = false
unbounded_connection_retries = false
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
    echo "----- codex stderr -----"
    tail -n 40 "$sdir/codex.stderr" 2>/dev/null || true
    echo "----- codex output (--json, one line per event) -----"
    python3 "$HERE/check_codex.py" --summarize-codex "$sdir/codex.out" || tail -c 3000 "$sdir/codex.out" || true
    echo "----- mock upstream requests in this scenario -----"
    python3 "$HERE/check_codex.py" --log "$MOCK_LOG" --from-line "$from" --summary-only || true
    if [ -n "$GW_LOG" ] && [ -f "$GW_LOG" ]; then
      echo "----- gateway log (tail) -----"
      tail -n 60 "$GW_LOG" || true
    fi
    echo "----- artifacts: $sdir -----"
  } >&2
}

run_scenario() { # kind mode base_url token expect_model
  local kind="$1" mode="$2" base_url="$3" token="$4" expect_model="$5"
  local name="$kind/shell ($mode)"
  local sdir="$WORK/$kind-shell"
  local proj="$sdir/project" home="$sdir/home" chome="$sdir/codex-home"
  # TMPDIR outside CODEX_HOME's parent: Codex refuses to create its helper
  # binaries (PATH aliases) when CODEX_HOME is under the temp dir.
  mkdir -p "$proj" "$home" "$chome" "$sdir/tmp"
  write_codex_config "$chome" "$base_url"

  local target="$proj/codex-marker.txt" expected="switchyard-codex-ok"
  local cmd="echo $expected > $target"
  local prompt="Run the shell command given below. RUN_CMD=[[$cmd]]"

  local from
  from="$(wc -l <"$MOCK_LOG" | tr -d ' ')"

  local t0 t1 rc=0
  t0="$(date +%s.%N)"
  (
    cd "$proj"
    exec env -i \
      PATH="$PATH" HOME="$home" USER="${USER:-root}" SHELL="$BASH_PATH" TERM=dumb LANG=C.UTF-8 \
      TMPDIR="$sdir/tmp" \
      CODEX_HOME="$chome" \
      "$KEY_ENV=$token" \
      timeout --kill-after=10 "$TIMEOUT" \
      "$CODEX" exec --skip-git-repo-check --json --color never \
        --output-last-message "$sdir/last-message.txt" \
        "$prompt" \
        </dev/null >"$sdir/codex.out" 2>"$sdir/codex.stderr"
  ) || rc=$?
  t1="$(date +%s.%N)"
  local secs
  secs="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$t1")"

  local problems=()
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    problems+=("codex timed out after ${TIMEOUT}s")
  elif [ "$rc" != 0 ]; then
    problems+=("codex exited with status $rc")
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
  check_out="$(python3 "$HERE/check_codex.py" --log "$MOCK_LOG" --from-line "$from" \
      --kind "$kind" --tool "$SHELL_TOOL" --cmd "$cmd" --expect-model "$expect_model" \
      --key "$UPSTREAM_KEY" "${extra[@]}" \
      --codex-out "$sdir/codex.out" --last-message "$sdir/last-message.txt" 2>&1)" \
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
ensure_codex

START="$(date +%s)"
for kind in $KINDS; do
  kdir="$WORK/$kind"
  mkdir -p "$kdir"
  GW_LOG=""
  if [ "$DIRECT" = 1 ]; then
    # The mock serves /v1/responses only when asked to.
    start_mock "$kdir" --serve-responses
    base="http://127.0.0.1:$MOCK_PORT/v1"
    token="$UPSTREAM_KEY"
    expect="$CLIENT_MODEL"
    mode="direct"
  else
    start_mock "$kdir"
    if ! start_gateway "$kind" "$kdir"; then
      FAILED_N=$((FAILED_N + 1)); FAILED=1
      echo "FAIL $kind/shell (gateway) gateway did not start"
      stop_all
      continue
    fi
    base="http://127.0.0.1:$GW_PORT/v1"
    token="$CLIENT_KEY"
    expect="$UPSTREAM_MODEL"
    mode="gateway"
  fi
  run_scenario "$kind" "$mode" "$base" "$token" "$expect"
  stop_all
done

echo "codex e2e: $(( $(date +%s) - START ))s total"
echo "$PASSED passed, $FAILED_N failed"
[ "$FAILED_N" = 0 ]
