#!/usr/bin/env bash
# End-to-end: `switchyard configure` writes the client's own config in a temp
# HOME, and the real client, given only that config, reaches the gateway and
# completes a tool loop; then `--undo` puts the file back byte for byte.
#   claude-code: only ~/.claude/settings.json (no ANTHROPIC_* variables)
#   codex:       only $CODEX_HOME/config.toml, plus the shell block that
#                `configure shell` wrote to ~/.bashrc (sourced: it exports
#                SWITCHYARD_KEY, which config.toml names as env_key)
#
# Usage: tests/e2e/configure.sh [--client claude-code|codex|all] [--keep]
# Env: SWITCHYARD_BIN, SWITCHYARD_E2E_CACHE, SWITCHYARD_E2E_CLAUDE_VERSION,
#      SWITCHYARD_E2E_CODEX_VERSION, SWITCHYARD_E2E_TIMEOUT, SWITCHYARD_E2E_KEEP
#      (see tests/e2e/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

CLAUDE_VERSION="${SWITCHYARD_E2E_CLAUDE_VERSION:-2.1.330}"
CODEX_VERSION="${SWITCHYARD_E2E_CODEX_VERSION:-0.169.0}"
CLIENTS="claude-code codex"

while [ $# -gt 0 ]; do
  case "$1" in
    --client) shift; case "${1:-}" in all) ;; claude-code|codex) CLIENTS="$1" ;; *) echo "bad --client: ${1:-}" >&2; exit 2 ;; esac ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

require_tools
e2e_workdir "-configure"
mkdir -p "$WORK/version-home/codex-home" "$WORK/version-home/tmp"

version_of() { # binary -> first line of its --version, in an empty home
  HOME="$WORK/version-home" CODEX_HOME="$WORK/version-home/codex-home" TMPDIR="$WORK/version-home/tmp" \
    timeout 60 "$1" --version 2>/dev/null </dev/null | head -n 1 || true
}

# `switchyard` in the scenario's HOME, data dir and CODEX_HOME only.
switchyard_in() { # sdir args...
  local sdir="$1"; shift
  env -i PATH="$PATH" HOME="$sdir/home" CODEX_HOME="$sdir/codex-home" SWITCHYARD_DATA_DIR="$sdir/data" \
    "$BIN" "$@"
}

# Configures CLIENT in the scenario's HOME (keeping a copy of what was there),
# or records why it failed.
configure_client() { # sdir client file
  local sdir="$1" client="$2" file="$3"
  cp "$file" "$sdir/original"
  if ! switchyard_in "$sdir" configure "$client" --config "$GW_CONF" >>"$sdir/configure.log" 2>&1; then
    PROBLEMS+=("switchyard configure $client failed (see $sdir/configure.log)")
  fi
}

# Undoes CLIENT and checks the file is byte-identical to what it was.
undo_client() { # sdir client file
  local sdir="$1" client="$2" file="$3"
  if ! switchyard_in "$sdir" configure "$client" --undo >>"$sdir/configure.log" 2>&1; then
    PROBLEMS+=("switchyard configure $client --undo failed")
  elif ! cmp -s "$file" "$sdir/original"; then
    PROBLEMS+=("$file after --undo differs from the original")
  fi
}

scenario_claude() {
  local sdir="$WORK/claude-code" name="claude-code/write (configured)"
  local home="$sdir/home" proj="$sdir/project"
  mkdir -p "$home/.claude" "$proj"
  printf '{\n  "cleanupPeriodDays": 30,\n  "permissions": {"deny": []}\n}\n' >"$home/.claude/settings.json"
  CLIENT=claude CHECK_PY=check_scenario.py CLIENT_OUT=stream-json
  PROBLEMS=()
  configure_client "$sdir" claude-code "$home/.claude/settings.json"
  local target="$proj/hello.txt" from t0 t1 rc=0
  from="$(mock_log_lines)"
  t0="$(date +%s.%N)"
  # No ANTHROPIC_* variable: base URL, token and models come from settings.json.
  (
    cd "$proj"
    exec env -i PATH="$PATH" HOME="$home" USER="${USER:-root}" SHELL="$BASH_PATH" TERM=dumb LANG=C.UTF-8 \
      TMPDIR="$sdir" DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=0 \
      timeout --kill-after=10 "$TIMEOUT" "$CLAUDE" -p "Create the file named below with a short greeting. WRITE_PATH=$target" \
        --permission-mode dontAsk --allowedTools "Write Bash" --permission-prompts none \
        --no-session-persistence --output-format stream-json --verbose \
        </dev/null >"$sdir/claude.out" 2>"$sdir/claude.stderr"
  ) || rc=$?
  t1="$(date +%s.%N)"
  check_client_exit "$rc"
  check_side_effect Write "$target" "hello from switchyard"
  run_check --log "$MOCK_LOG" --from-line "$from" --kind openai --tool Write \
    --expect-model "$UPSTREAM_MODEL" --claude-out "$sdir/claude.out"
  undo_client "$sdir" claude-code "$home/.claude/settings.json"
  report_scenario "$name" "$(elapsed "$t0" "$t1")" "$sdir" "$from"
}

scenario_codex() {
  local sdir="$WORK/codex" name="codex/shell (configured)"
  local home="$sdir/home" chome="$sdir/codex-home" proj="$sdir/project"
  mkdir -p "$home" "$chome" "$proj" "$sdir/tmp"
  # The harness's own settings (no sandbox, no approvals, no network but the gateway).
  cat >"$chome/config.toml" <<'EOF'
approval_policy = "never"            # never ask
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[analytics]
enabled = false

[features]
plugins = false
unbounded_connection_retries = false
EOF
  CLIENT=codex CHECK_PY=check_codex.py CLIENT_OUT=--json
  PROBLEMS=()
  configure_client "$sdir" codex "$chome/config.toml"
  switchyard_in "$sdir" configure shell --config "$GW_CONF" >>"$sdir/configure.log" 2>&1 \
    || PROBLEMS+=("switchyard configure shell failed")
  local cmd="echo switchyard-codex-ok > $proj/codex-marker.txt" from t0 t1 rc=0
  from="$(mock_log_lines)"
  t0="$(date +%s.%N)"
  # No variable of ours: the key comes from the block `configure shell` wrote.
  (
    cd "$proj"
    exec env -i PATH="$PATH" HOME="$home" USER="${USER:-root}" SHELL="$BASH_PATH" TERM=dumb LANG=C.UTF-8 \
      TMPDIR="$sdir/tmp" CODEX_HOME="$chome" CODEX="$CODEX" PROMPT="Run the shell command given below. RUN_CMD=[[$cmd]]" \
      OUT="$sdir" TIMEOUT="$TIMEOUT" "$BASH_PATH" -c '. "$HOME/.bashrc" && exec timeout --kill-after=10 "$TIMEOUT" \
        "$CODEX" exec --skip-git-repo-check --json --color never --output-last-message "$OUT/last-message.txt" "$PROMPT"' \
      </dev/null >"$sdir/codex.out" 2>"$sdir/codex.stderr"
  ) || rc=$?
  t1="$(date +%s.%N)"
  check_client_exit "$rc"
  check_side_effect shell "$proj/codex-marker.txt" switchyard-codex-ok
  run_check --log "$MOCK_LOG" --from-line "$from" --kind openai --tool exec_command --cmd "$cmd" \
    --expect-model "$UPSTREAM_MODEL" --key "$UPSTREAM_KEY" --client-key "$CLIENT_KEY" \
    --codex-out "$sdir/codex.out" --last-message "$sdir/last-message.txt"
  if ! switchyard_in "$sdir" clients --json | python3 -c 'import json,sys; s={c["kind"]: c["files"][0]["state"] for c in json.load(sys.stdin)}; sys.exit(s["codex"] != "ours" or s["shell"] != "ours")'; then
    PROBLEMS+=("switchyard clients does not report codex and shell as configured by us")
  fi
  undo_client "$sdir" codex "$chome/config.toml"
  switchyard_in "$sdir" configure shell --undo >>"$sdir/configure.log" 2>&1 || PROBLEMS+=("configure shell --undo failed")
  [ ! -e "$home/.bashrc" ] || PROBLEMS+=("~/.bashrc, created by configure shell, is still there after --undo")
  report_scenario "$name" "$(elapsed "$t0" "$t1")" "$sdir" "$from"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
for client in $CLIENTS; do
  case "$client" in
    claude-code)
      ensure_npm_cli "${SWITCHYARD_E2E_CLAUDE_BIN:-}" "$CACHE" @anthropic-ai/claude-code "$CLAUDE_VERSION" \
        claude version_of "$CLAUDE_VERSION*" || die "claude --version printed '${CLI_VERSION:-nothing}', want $CLAUDE_VERSION"
      CLAUDE="$CLI_BIN" ;;
    codex)
      ensure_npm_cli "${SWITCHYARD_E2E_CODEX_BIN:-}" "$CACHE/codex" @openai/codex "$CODEX_VERSION" \
        codex version_of "codex-cli $CODEX_VERSION" --include=optional || die "codex --version printed '${CLI_VERSION:-nothing}', want codex-cli $CODEX_VERSION"
      CODEX="$CLI_BIN" ;;
  esac
done

START="$(date +%s)"
mkdir -p "$WORK/gateway"
start_mock "$WORK/gateway"
start_gateway openai "$WORK/gateway" || die "gateway did not start"
GW_CONF="$WORK/gateway/switchyard.toml"
for client in $CLIENTS; do
  case "$client" in
    claude-code) scenario_claude ;;
    codex) scenario_codex ;;
  esac
done
stop_all
print_totals configure "$START"
[ "$FAILED_N" = 0 ]
