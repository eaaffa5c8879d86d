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
# shellcheck source=lib.sh
source "$HERE/lib.sh"

CLAUDE_VERSION="${SWITCHYARD_E2E_CLAUDE_VERSION:-2.1.330}"
CLIENT_MODEL="claude-switchyard-e2e"
CLIENT_SMALL_MODEL="claude-switchyard-e2e-haiku"

KINDS="openai anthropic"
LOOPS="write bash"

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

require_tools
e2e_workdir ""
mkdir -p "$WORK/version-home"

# ---------------------------------------------------------------------------
# Claude Code, pinned, installed outside the repo
# ---------------------------------------------------------------------------
claude_version_of() { # binary -> "X.Y.Z (Claude Code)" or nothing
  HOME="$WORK/version-home" timeout 60 "$1" --version 2>/dev/null </dev/null || true
}

ensure_claude() {
  ensure_npm_cli "${SWITCHYARD_E2E_CLAUDE_BIN:-}" "$CACHE" @anthropic-ai/claude-code "$CLAUDE_VERSION" \
      claude claude_version_of "$CLAUDE_VERSION*" \
    || die "$CLI_BIN --version printed '${CLI_VERSION:-nothing}', want $CLAUDE_VERSION (native binary missing? npm run with --ignore-scripts?)"
  CLAUDE="$CLI_BIN"
  log "claude: $CLI_VERSION ($CLAUDE)"
}

# ---------------------------------------------------------------------------
# one scenario
# ---------------------------------------------------------------------------
CLIENT=claude
CHECK_PY=check_scenario.py
CLIENT_OUT="stream-json"

run_scenario() { # kind loop mode base_url token
  local kind="$1" loop="$2" mode="$3" base_url="$4" token="$5"
  local name="$kind/$loop ($mode)"
  local sdir="$WORK/$kind-$loop"
  local proj="$sdir/project" home="$sdir/home"
  local expect_model="$UPSTREAM_MODEL"
  [ "$mode" = direct ] && expect_model="$CLIENT_MODEL"
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
  from="$(mock_log_lines)"

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

  PROBLEMS=()
  check_client_exit "$rc"
  check_side_effect "$tool" "$target" "$expected"
  run_check --log "$MOCK_LOG" --from-line "$from" \
    --kind "$kind" --tool "$tool" --expect-model "$expect_model" --claude-out "$sdir/claude.out"
  report_scenario "$name" "$(elapsed "$t0" "$t1")" "$sdir" "$from"
}

# After a kind's loops the gateway has been stopped (SIGTERM: it drains its
# usage queue): `switchyard usage` must show each request with the mock's tokens.
after_kind() { # kind dir
  local kind="$1" dir="$2" t0
  t0="$(date +%s.%N)"
  PROBLEMS=()
  SWITCHYARD_DATA_DIR="$dir/data" "$BIN" usage --json >"$dir/usage.json" 2>"$dir/usage.stderr" \
    || PROBLEMS+=("switchyard usage --json failed (see $dir/usage.stderr)")
  SWITCHYARD_DATA_DIR="$dir/data" "$BIN" usage export --format json >"$dir/export.json" 2>>"$dir/usage.stderr" \
    || PROBLEMS+=("switchyard usage export failed (see $dir/usage.stderr)")
  CHECK_PY=check_usage.py run_check --log "$MOCK_LOG" --usage "$dir/usage.json" \
    --export "$dir/export.json" --client claude_code
  report_scenario "$kind/usage (gateway)" "$(elapsed "$t0" "$(date +%s.%N)")" "$dir" 1
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
ensure_claude

# Direct: Claude Code sends ANTHROPIC_AUTH_TOKEN as a bearer token; let the mock accept it.
DIRECT_MOCK_ARGS=(--allow-bearer)
BASE_PATH=""
START="$(date +%s)"
run_kinds
print_totals claude-code "$START"
[ "$FAILED_N" = 0 ]
