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
# shellcheck source=lib.sh
source "$HERE/lib.sh"

CODEX_VERSION="${SWITCHYARD_E2E_CODEX_VERSION:-0.169.0}"
CODEX_PREFIX="$CACHE/codex"
CLIENT_MODEL="codex-switchyard-e2e"
KEY_ENV="SWITCHYARD_E2E_API_KEY"   # the provider's env_key in config.toml
SHELL_TOOL="exec_command"          # Codex 0.169's shell tool: {"cmd": "..."}

KINDS="openai anthropic"
KIND_SET=0
LOOPS="shell"

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

require_tools
e2e_workdir "-codex"
mkdir -p "$WORK/version-home/codex-home" "$WORK/version-home/tmp"

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

ensure_codex() {
  # --include=optional: the native binary is an optional dependency; make
  # sure an `omit=optional` npm config cannot drop it.
  ensure_npm_cli "${SWITCHYARD_E2E_CODEX_BIN:-}" "$CODEX_PREFIX" @openai/codex "$CODEX_VERSION" \
      codex codex_version_of "codex-cli $CODEX_VERSION" --include=optional \
    || die "$CLI_BIN --version printed '${CLI_VERSION:-nothing}', want 'codex-cli $CODEX_VERSION' (native optional dependency @openai/codex-<platform> missing? npm run with --omit=optional?)"
  CODEX="$CLI_BIN"
  log "codex: $CLI_VERSION ($CODEX)"
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
CLIENT=codex
CHECK_PY=check_codex.py
CLIENT_OUT="--json"

run_scenario() { # kind loop mode base_url token
  local kind="$1" mode="$3" base_url="$4" token="$5"
  local expect_model="$UPSTREAM_MODEL"
  [ "$mode" = direct ] && expect_model="$CLIENT_MODEL"
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
  from="$(mock_log_lines)"

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

  PROBLEMS=()
  check_client_exit "$rc"
  check_side_effect shell "$target" "$expected"
  local extra=()
  [ "$mode" = gateway ] && extra=(--client-key "$CLIENT_KEY")
  run_check --log "$MOCK_LOG" --from-line "$from" \
    --kind "$kind" --tool "$SHELL_TOOL" --cmd "$cmd" --expect-model "$expect_model" \
    --key "$UPSTREAM_KEY" "${extra[@]}" \
    --codex-out "$sdir/codex.out" --last-message "$sdir/last-message.txt"
  report_scenario "$name" "$(elapsed "$t0" "$t1")" "$sdir" "$from"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
ensure_codex

# Direct: the mock serves /v1/responses only when asked to.
DIRECT_MOCK_ARGS=(--serve-responses)
BASE_PATH="/v1"
START="$(date +%s)"
run_kinds
print_totals codex "$START"
[ "$FAILED_N" = 0 ]
