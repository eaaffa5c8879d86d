#!/usr/bin/env bash
# End-to-end: the real Claude Code CLI runs a Write-tool loop and a Bash-tool
# loop through the Switchyard gateway, against a scripted OpenAI-Chat upstream
# and a scripted Anthropic-Messages upstream (tests/e2e/mock_upstream.py).
#
# Usage: tests/e2e/claude_code.sh [--direct] [--kind openai|anthropic|all]
#                                 [--loop write|bash|all] [--keep]
#   --direct  harness self-check: point Claude Code straight at the Anthropic
#             mock (no gateway; anthropic kind only)
#   --keep    keep the temp dir (also kept automatically on failure)
# Env: SWITCHYARD_BIN, SWITCHYARD_E2E_CACHE, SWITCHYARD_E2E_CLAUDE_VERSION,
#      SWITCHYARD_E2E_CLAUDE_BIN, SWITCHYARD_E2E_TIMEOUT, SWITCHYARD_E2E_KEEP
#      (see tests/e2e/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

CLAUDE_VERSION="${SWITCHYARD_E2E_CLAUDE_VERSION:-2.1.330}"
CACHE="${SWITCHYARD_E2E_CACHE:-$HOME/.cache/switchyard-e2e}"
TIMEOUT="${SWITCHYARD_E2E_TIMEOUT:-120}"
KEEP="${SWITCHYARD_E2E_KEEP:-0}"
BIN="${SWITCHYARD_BIN:-${CARGO_TARGET_DIR:-target}/debug/switchyard}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac

CLIENT_KEY="sk-e2e-local-key-0123456789"
UPSTREAM_KEY="sk-upstream-test"
UPSTREAM_MODEL="mock-model-1"
CLIENT_MODEL="claude-switchyard-e2e"
CLIENT_SMALL_MODEL="claude-switchyard-e2e-haiku"

DIRECT=0
KINDS="openai anthropic"
LOOPS="write bash"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --direct) DIRECT=1 ;;
    --kind) shift; case "${1:-}" in all) KINDS="openai anthropic" ;; openai|anthropic) KINDS="$1" ;; *) echo "bad --kind: ${1:-}" >&2; exit 2 ;; esac ;;
    --kind=*) v="${1#--kind=}"; case "$v" in all) KINDS="openai anthropic" ;; openai|anthropic) KINDS="$v" ;; *) echo "bad --kind: $v" >&2; exit 2 ;; esac ;;
    --loop) shift; case "${1:-}" in all) LOOPS="write bash" ;; write|bash) LOOPS="$1" ;; *) echo "bad --loop: ${1:-}" >&2; exit 2 ;; esac ;;
    --loop=*) v="${1#--loop=}"; case "$v" in all) LOOPS="write bash" ;; write|bash) LOOPS="$v" ;; *) echo "bad --loop: $v" >&2; exit 2 ;; esac ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$DIRECT" = 1 ]; then
  if [ "$KINDS" = openai ]; then
    echo "--direct only supports the anthropic kind (Claude Code cannot speak OpenAI Chat)" >&2
    exit 2
  fi
  KINDS="anthropic"
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
# Claude Code, pinned, installed outside the repo
# ---------------------------------------------------------------------------
installed_version() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$CACHE/node_modules/@anthropic-ai/claude-code/package.json" 2>/dev/null || true
}

ensure_claude() {
  if [ -n "${SWITCHYARD_E2E_CLAUDE_BIN:-}" ]; then
    CLAUDE="$SWITCHYARD_E2E_CLAUDE_BIN"
  else
    CLAUDE="$CACHE/node_modules/.bin/claude"
    if [ "$(installed_version)" != "$CLAUDE_VERSION" ] || [ ! -x "$CLAUDE" ]; then
      command -v npm >/dev/null 2>&1 || die "npm is required to install @anthropic-ai/claude-code@$CLAUDE_VERSION"
      log "installing @anthropic-ai/claude-code@$CLAUDE_VERSION into $CACHE"
      mkdir -p "$CACHE"
      (cd "$CACHE" && npm install --prefix "$CACHE" --no-audit --no-fund --save-exact \
         --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_VERSION" >&2) \
        || die "npm install of @anthropic-ai/claude-code@$CLAUDE_VERSION failed"
    fi
  fi
  local v
  v="$(HOME="$WORK/version-home" timeout 60 "$CLAUDE" --version 2>/dev/null </dev/null || true)"
  case "$v" in
    "$CLAUDE_VERSION"*) log "claude: $v ($CLAUDE)" ;;
    *) die "$CLAUDE --version printed '${v:-nothing}', want $CLAUDE_VERSION (native binary missing? npm run with --ignore-scripts?)" ;;
  esac
}

# ---------------------------------------------------------------------------
# process bookkeeping
# ---------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-e2e.XXXXXX")"
mkdir -p "$WORK/version-home"
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

# ---------------------------------------------------------------------------
# one scenario
# ---------------------------------------------------------------------------
PASSED=0
FAILED_N=0

dump_failure() { # sdir from_line
  local sdir="$1" from="$2"
  {
    echo "----- claude stderr -----"
    tail -n 40 "$sdir/claude.stderr" 2>/dev/null || true
    echo "----- claude output (stream-json, one line per event) -----"
    python3 "$HERE/check_scenario.py" --summarize-claude "$sdir/claude.out" || tail -c 3000 "$sdir/claude.out" || true
    echo "----- mock upstream requests in this scenario -----"
    python3 "$HERE/check_scenario.py" --log "$MOCK_LOG" --from-line "$from" --summary-only || true
    if [ -n "$GW_LOG" ] && [ -f "$GW_LOG" ]; then
      echo "----- gateway log (tail) -----"
      tail -n 60 "$GW_LOG" || true
    fi
    echo "----- artifacts: $sdir -----"
  } >&2
}

run_scenario() { # kind loop mode base_url token expect_model
  local kind="$1" loop="$2" mode="$3" base_url="$4" token="$5" expect_model="$6"
  local name="$kind/$loop ($mode)"
  local sdir="$WORK/$kind-$loop"
  local proj="$sdir/project" home="$sdir/home"
  mkdir -p "$proj" "$home/.claude"
  # Minimal isolated profile: nothing here is required for `claude -p` (no
  # onboarding or trust prompt in print mode), but keep it explicit.
  printf '{\n  "hasCompletedOnboarding": true\n}\n' >"$home/.claude.json"
  printf '{}\n' >"$home/.claude/settings.json"

  local prompt tool target expected
  if [ "$loop" = write ]; then
    tool=Write
    target="$proj/hello.txt"
    expected="hello from switchyard"
    prompt="Create the file named below with a short greeting. WRITE_PATH=$target"
  else
    tool=Bash
    target="$proj/bash-marker.txt"
    expected="switchyard-bash-ok"
    prompt="Run the shell command given below. RUN_CMD=[[echo switchyard-bash-ok > $target]]"
  fi

  local from
  from="$(wc -l <"$MOCK_LOG" | tr -d ' ')"

  local t0 t1 rc=0
  t0="$(date +%s.%N)"
  (
    cd "$proj"
    exec env -i \
      PATH="$PATH" HOME="$home" USER="${USER:-root}" SHELL="$BASH_PATH" TERM=dumb LANG=C.UTF-8 \
      TMPDIR="$sdir" \
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
      DISABLE_AUTOUPDATER=1 \
      CLAUDE_CODE_MAX_RETRIES=0 \
      API_TIMEOUT_MS=60000 \
      ANTHROPIC_BASE_URL="$base_url" \
      ANTHROPIC_AUTH_TOKEN="$token" \
      ANTHROPIC_MODEL="$CLIENT_MODEL" \
      ANTHROPIC_DEFAULT_OPUS_MODEL="$CLIENT_MODEL" \
      ANTHROPIC_DEFAULT_SONNET_MODEL="$CLIENT_MODEL" \
      ANTHROPIC_DEFAULT_FABLE_MODEL="$CLIENT_MODEL" \
      ANTHROPIC_DEFAULT_HAIKU_MODEL="$CLIENT_SMALL_MODEL" \
      ANTHROPIC_SMALL_FAST_MODEL="$CLIENT_SMALL_MODEL" \
      CLAUDE_CODE_SUBAGENT_MODEL="$CLIENT_MODEL" \
      timeout --kill-after=10 "$TIMEOUT" \
      "$CLAUDE" -p "$prompt" \
        --permission-mode dontAsk \
        --allowedTools "Write Bash" \
        --permission-prompts none \
        --no-session-persistence \
        --output-format stream-json --verbose \
        </dev/null >"$sdir/claude.out" 2>"$sdir/claude.stderr"
  ) || rc=$?
  t1="$(date +%s.%N)"
  local secs
  secs="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$t1")"

  local problems=()
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    problems+=("claude timed out after ${TIMEOUT}s")
  elif [ "$rc" != 0 ]; then
    problems+=("claude exited with status $rc")
  fi
  if [ ! -f "$target" ]; then
    problems+=("$tool side effect missing: $target was not created")
  else
    local got
    got="$(cat "$target")"
    [ "$got" = "$expected" ] || problems+=("$target contains '$got', want '$expected'")
  fi
  local check_out check_rc=0
  check_out="$(python3 "$HERE/check_scenario.py" --log "$MOCK_LOG" --from-line "$from" \
      --kind "$kind" --tool "$tool" --expect-model "$expect_model" --claude-out "$sdir/claude.out" 2>&1)" \
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
ensure_claude

START="$(date +%s)"
for kind in $KINDS; do
  kdir="$WORK/$kind"
  mkdir -p "$kdir"
  GW_LOG=""
  if [ "$DIRECT" = 1 ]; then
    # Claude Code sends ANTHROPIC_AUTH_TOKEN as a bearer token; let the mock accept it.
    start_mock "$kdir" --allow-bearer
    base="http://127.0.0.1:$MOCK_PORT"
    token="$UPSTREAM_KEY"
    expect="$CLIENT_MODEL"
    mode="direct"
  else
    start_mock "$kdir"
    if ! start_gateway "$kind" "$kdir"; then
      for loop in $LOOPS; do
        FAILED_N=$((FAILED_N + 1)); FAILED=1
        echo "FAIL $kind/$loop (gateway) gateway did not start"
      done
      stop_all
      continue
    fi
    base="http://127.0.0.1:$GW_PORT"
    token="$CLIENT_KEY"
    expect="$UPSTREAM_MODEL"
    mode="gateway"
  fi
  for loop in $LOOPS; do
    run_scenario "$kind" "$loop" "$mode" "$base" "$token" "$expect"
  done
  stop_all
done

echo "claude-code e2e: $(( $(date +%s) - START ))s total"
echo "$PASSED passed, $FAILED_N failed"
[ "$FAILED_N" = 0 ]
