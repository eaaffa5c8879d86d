#!/usr/bin/env bash
# End-to-end: `switchyard configure` writes the client's own config in a temp
# HOME, and the real client, given only that config, reaches the gateway and
# completes a tool loop; then `--undo` puts the file back byte for byte.
#   claude-code: only ~/.claude/settings.json (no ANTHROPIC_* variables); again
#                with the gateway token after `switchyard token --rotate`
#                rewrote it (needs a Secret Service: scripts/test runs this
#                under scripts/with-keyring; skipped without one)
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

# Claude Code in the scenario's HOME, given no variable of ours (base URL,
# token and models come from settings.json), writes a file through the
# gateway; sets FROM (the mock log line it started at), T0 and T1.
claude_write() { # sdir home proj
  local sdir="$1" home="$2" proj="$3" rc=0
  local target="$proj/hello.txt"
  CLIENT=claude CHECK_PY=check_scenario.py CLIENT_OUT=stream-json
  FROM="$(mock_log_lines)"
  T0="$(date +%s.%N)"
  (
    cd "$proj"
    exec env -i PATH="$PATH" HOME="$home" USER="${USER:-root}" SHELL="$BASH_PATH" TERM=dumb LANG=C.UTF-8 \
      TMPDIR="$sdir" DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=0 \
      timeout --kill-after=10 "$TIMEOUT" "$CLAUDE" -p "Create the file named below with a short greeting. WRITE_PATH=$target" \
        --permission-mode dontAsk --allowedTools "Write Bash" --permission-prompts none \
        --no-session-persistence --output-format stream-json --verbose \
        </dev/null >"$sdir/claude.out" 2>"$sdir/claude.stderr"
  ) || rc=$?
  T1="$(date +%s.%N)"
  check_client_exit "$rc"
  check_side_effect Write "$target" "hello from switchyard"
  run_check --log "$MOCK_LOG" --from-line "$FROM" --kind openai --tool Write \
    --expect-model "$UPSTREAM_MODEL" --claude-out "$sdir/claude.out"
}

scenario_claude() {
  local sdir="$WORK/claude-code" name="claude-code/write (configured)"
  local home="$sdir/home" proj="$sdir/project"
  mkdir -p "$home/.claude" "$proj"
  printf '{\n  "cleanupPeriodDays": 30,\n  "permissions": {"deny": []}\n}\n' >"$home/.claude/settings.json"
  PROBLEMS=()
  configure_client "$sdir" claude-code "$home/.claude/settings.json"
  claude_write "$sdir" "$home" "$proj"
  undo_client "$sdir" claude-code "$home/.claude/settings.json"
  report_scenario "$name" "$(elapsed "$T0" "$T1")" "$sdir" "$FROM"
}

# `switchyard` in the scenario's HOME and data dir, with this session's
# keychain (the gateway token lives there) under a service of its own.
switchyard_kc() { # sdir args...
  local sdir="$1"; shift
  env -i PATH="$PATH" HOME="$sdir/home" SWITCHYARD_DATA_DIR="$sdir/data" \
    SWITCHYARD_KEYCHAIN_SERVICE="$KEYCHAIN_SERVICE" DBUS_SESSION_BUS_ADDRESS="${DBUS_SESSION_BUS_ADDRESS:-}" \
    "$BIN" "$@"
}

# Starts a gateway on GW_PORT for CONF, with the scenario's keychain.
serve_keychain() { # dir conf
  local dir="$1" conf="$2" pid
  GW_LOG="$dir/gateway.log"
  SWITCHYARD_KEYCHAIN_SERVICE="$KEYCHAIN_SERVICE" MOCK_UPSTREAM_KEY="$UPSTREAM_KEY" SWITCHYARD_LOG=info \
    NO_COLOR=1 SWITCHYARD_DATA_DIR="$dir/data" "$BIN" serve --config "$conf" >>"$GW_LOG" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_for_health "http://127.0.0.1:$GW_PORT/health" 30 "$pid"
}

# The gateway token, not client_keys: configure writes it, `token --rotate`
# replaces it in settings.json (and nothing else), the gateway started
# afterwards takes only the new one, and Claude Code, given that file only,
# completes the loop; undo then restores the original byte for byte.
scenario_claude_rotated() {
  local sdir="$WORK/claude-code-rotated" name="claude-code/write (after token --rotate)"
  local home="$sdir/home" proj="$sdir/project" gdir="$sdir/gateway"
  local settings="$sdir/home/.claude/settings.json" old new code
  mkdir -p "$home/.claude" "$proj" "$gdir"
  KEYCHAIN_SERVICE="switchyard-e2e-rotate-$$"
  if ! old="$(switchyard_kc "$sdir" token 2>"$sdir/token.log")"; then
    if [ -n "${SWITCHYARD_IN_KEYRING:-}" ]; then
      PROBLEMS=("switchyard token failed: $(tail -n 1 "$sdir/token.log")")
      report_scenario "$name" 0 "$sdir" 0
    else
      log "SKIP $name: the gateway token needs a Secret Service (run under scripts/with-keyring): $(tail -n 1 "$sdir/token.log")"
    fi
    return 0
  fi
  printf '{\n\t"model": "opus",\n\t"env": {"MY_VAR": "kept"},\n\t"permissions": {"deny": []}\n}' >"$settings"
  cp "$settings" "$sdir/original"
  PROBLEMS=()
  GW_PORT="$(free_port)"
  GATEWAY_CLIENT_KEYS=0 write_gateway_config openai "$gdir/switchyard.toml"
  switchyard_kc "$sdir" configure claude-code --config "$gdir/switchyard.toml" >>"$sdir/configure.log" 2>&1 \
    || PROBLEMS+=("switchyard configure claude-code failed (see $sdir/configure.log)")
  cp "$settings" "$sdir/configured"
  new="$(switchyard_kc "$sdir" token --rotate 2>"$sdir/rotate.log")" || PROBLEMS+=("switchyard token --rotate failed")
  grep -q "claude-code: wrote the new token into ~/.claude/settings.json" "$sdir/rotate.log" \
    || PROBLEMS+=("token --rotate did not report rewriting settings.json (see $sdir/rotate.log)")
  python3 -c 'import sys; a, b, old, new = sys.argv[1:]; c = open(a).read(); sys.exit(not (old in c and old != new and open(b).read() == c.replace(old, new)))' \
    "$sdir/configured" "$settings" "$old" "$new" \
    || PROBLEMS+=("after token --rotate settings.json differs from the configured one in more than the token")
  if serve_keychain "$gdir" "$gdir/switchyard.toml"; then
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: $old" -H 'content-type: application/json' \
      -d '{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}' "http://127.0.0.1:$GW_PORT/v1/messages")"
    [ "$code" = 401 ] || PROBLEMS+=("the old token got $code from the restarted gateway, want 401")
    claude_write "$sdir" "$home" "$proj"
  else
    PROBLEMS+=("the keychain gateway did not start (see $GW_LOG)")
  fi
  switchyard_kc "$sdir" configure claude-code --undo >>"$sdir/configure.log" 2>&1 || PROBLEMS+=("configure claude-code --undo failed")
  cmp -s "$settings" "$sdir/original" || PROBLEMS+=("settings.json after rotation and --undo differs from the original")
  command -v secret-tool >/dev/null 2>&1 \
    && secret-tool clear service "$KEYCHAIN_SERVICE" username switchyard:gateway-token 2>/dev/null || true
  report_scenario "$name" "$(elapsed "${T0:-0}" "${T1:-0}")" "$sdir" "${FROM:-0}"
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
    claude-code) scenario_claude; scenario_claude_rotated ;;
    codex) scenario_codex ;;
  esac
done
stop_all
print_totals configure "$START"
[ "$FAILED_N" = 0 ]
