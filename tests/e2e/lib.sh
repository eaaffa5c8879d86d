# shellcheck shell=bash disable=SC2034  # sourced: its settings are used by the scripts
# Shared by the e2e harness scripts (claude_code.sh, codex.sh, gemini_cli.sh,
# sdk.sh); sourced, never run. The script sets HERE and ROOT first.
#
# Provides: the common settings (CACHE, TIMEOUT, KEEP, BIN, keys, models),
# usage/log/die, process bookkeeping (e2e_workdir: WORK, PIDS, cleanup trap),
# free_port/wait_for_*, the mock upstream and the gateway (start_mock,
# write_gateway_config, start_gateway), a pinned npm CLI install
# (ensure_npm_cli), and the per-scenario plumbing of the CLI harnesses
# (PROBLEMS, check_client_exit, check_side_effect, run_check, report_scenario,
# dump_failure, run_kinds, print_totals).

CACHE="${SWITCHYARD_E2E_CACHE:-$HOME/.cache/switchyard-e2e}"
TIMEOUT="${SWITCHYARD_E2E_TIMEOUT:-120}"
KEEP="${SWITCHYARD_E2E_KEEP:-0}"
BIN="${SWITCHYARD_BIN:-${CARGO_TARGET_DIR:-target}/debug/switchyard}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac

CLIENT_KEY="sk-e2e-local-key-0123456789"
UPSTREAM_KEY="sk-upstream-test"
UPSTREAM_MODEL="mock-model-1"

# The gateway config's [[routes]]: model patterns, all to mock/$UPSTREAM_MODEL.
GATEWAY_ROUTES=("*")
# run_kinds: mock_upstream.py args in --direct mode; path after host:port of the base URL.
DIRECT_MOCK_ARGS=()
BASE_PATH=""

DIRECT=0
PASSED=0
FAILED_N=0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf '[e2e] ERROR: %s\n' "$*" >&2; exit 2; }

# The gateway binary (unless --direct) and python3, curl, timeout; sets BASH_PATH.
# shellcheck disable=SC2120 # the hint is optional
require_tools() { # [hint for a missing gateway binary]
  local hint="${1:-build it first, or set SWITCHYARD_BIN; --direct runs the harness self-check without it}"
  if [ "$DIRECT" = 0 ] && [ ! -x "$BIN" ]; then
    die "gateway binary not found at $BIN ($hint)"
  fi
  local tool
  for tool in python3 curl timeout; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
  done
  BASH_PATH="$(command -v bash)"
}

# ---------------------------------------------------------------------------
# process bookkeeping
# ---------------------------------------------------------------------------
# e2e_workdir SUFFIX: WORK=$TMPDIR/switchyard-e2e<SUFFIX>.XXXXXX; on exit stop
# every process in PIDS and remove WORK unless KEEP=1 or something failed.
e2e_workdir() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-e2e$1.XXXXXX")"
  PIDS=()
  FAILED=0
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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
# a pinned npm CLI, installed outside the repo
# ---------------------------------------------------------------------------
npm_installed_version() { # prefix package
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$1/node_modules/$2/package.json" 2>/dev/null || true
}

# ensure_npm_cli OVERRIDE PREFIX PACKAGE VERSION BIN VERSION_FN WANT [npm install args...]
# Uses OVERRIDE as the binary if set; else PREFIX/node_modules/.bin/BIN, and
# (re)installs PACKAGE@VERSION there unless it is installed and `VERSION_FN
# binary` prints something matching the glob WANT. Sets CLI_BIN and
# CLI_VERSION (what VERSION_FN printed); returns 1 if that does not match WANT.
ensure_npm_cli() {
  local override="$1" prefix="$2" pkg="$3" version="$4" bin="$5" version_fn="$6" want="$7" v=""
  shift 7
  if [ -n "$override" ]; then
    CLI_BIN="$override"
  else
    CLI_BIN="$prefix/node_modules/.bin/$bin"
    if [ "$(npm_installed_version "$prefix" "$pkg")" = "$version" ] && [ -x "$CLI_BIN" ]; then
      v="$("$version_fn" "$CLI_BIN")"
    fi
    # shellcheck disable=SC2254 # WANT is a glob
    case "$v" in
      $want) ;;
      *)
        command -v npm >/dev/null 2>&1 || die "npm is required to install $pkg@$version"
        log "installing $pkg@$version into $prefix"
        mkdir -p "$prefix"
        (cd "$prefix" && npm install --prefix "$prefix" --no-audit --no-fund --save-exact \
           --loglevel=error "$@" "$pkg@$version" >&2) \
          || die "npm install of $pkg@$version failed"
        v=""
        ;;
    esac
  fi
  # A CLI's --version can take seconds: ask once more only if not yet asked.
  [ -n "$v" ] || v="$("$version_fn" "$CLI_BIN")"
  CLI_VERSION="$v"
  # shellcheck disable=SC2254
  case "$v" in $want) return 0 ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------------------
# mock upstream + gateway
# ---------------------------------------------------------------------------
MOCK_PORT=""
MOCK_LOG=""
GW_PORT=""
GW_LOG=""

start_mock() { # dir [extra mock_upstream.py args]
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

# The gateway provider for an upstream kind: prints "format base_url".
provider_for() { # kind
  if [ "$1" = openai ]; then
    echo "openai_chat http://127.0.0.1:$MOCK_PORT/v1"
  else
    echo "anthropic http://127.0.0.1:$MOCK_PORT"
  fi
}

write_gateway_config() { # kind conf
  local kind="$1" conf="$2" format base pat
  read -r format base <<<"$(provider_for "$kind")"
  {
    echo "listen = \"127.0.0.1:$GW_PORT\""
    # GATEWAY_CLIENT_KEYS=0: clients present the keychain's gateway token.
    [ "${GATEWAY_CLIENT_KEYS:-1}" = 0 ] || echo "client_keys = [\"$CLIENT_KEY\"]"
    cat <<EOF

[[providers]]
id = "mock"
format = "$format"
base_url = "$base"
api_key_env = "MOCK_UPSTREAM_KEY"
EOF
    for pat in "${GATEWAY_ROUTES[@]}"; do
      printf '\n[[routes]]\nmodel = "%s"\nprovider = "mock"\nupstream_model = "%s"\n' "$pat" "$UPSTREAM_MODEL"
    done
  } >"$conf"
}

start_gateway() { # kind dir
  local kind="$1" dir="$2" attempt pid
  GW_LOG="$dir/gateway.log"
  for attempt in 1 2 3; do
    GW_PORT="$(free_port)"
    write_gateway_config "$kind" "$dir/switchyard.toml"
    # The usage store goes into the scenario's directory, not the user's.
    MOCK_UPSTREAM_KEY="$UPSTREAM_KEY" SWITCHYARD_LOG="${SWITCHYARD_LOG:-info}" NO_COLOR=1 \
      SWITCHYARD_DATA_DIR="$dir/data" \
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
# one CLI scenario
# ---------------------------------------------------------------------------
# The CLI harness sets CLIENT (claude|codex|gemini: the run writes
# $sdir/$CLIENT.out and $sdir/$CLIENT.stderr), CHECK_PY (its check script, which
# takes --summarize-$CLIENT FILE) and CLIENT_OUT (what the output is).
PROBLEMS=()

mock_log_lines() { wc -l <"$MOCK_LOG" | tr -d ' '; }

elapsed() { # t0 t1 (date +%s.%N)
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"
}

check_client_exit() { # rc
  if [ "$1" = 124 ] || [ "$1" = 137 ]; then
    PROBLEMS+=("$CLIENT timed out after ${TIMEOUT}s")
  elif [ "$1" != 0 ]; then
    PROBLEMS+=("$CLIENT exited with status $1")
  fi
}

check_side_effect() { # tool target expected
  local tool="$1" target="$2" expected="$3" got
  if [ ! -f "$target" ]; then
    PROBLEMS+=("$tool side effect missing: $target was not created")
  else
    got="$(cat "$target")"
    [ "$got" = "$expected" ] || PROBLEMS+=("$target contains '$got', want '$expected'")
  fi
}

run_check() { # args of $CHECK_PY
  local check_out check_rc=0
  check_out="$(python3 "$HERE/$CHECK_PY" "$@" 2>&1)" || check_rc=$?
  [ -n "$check_out" ] && printf '%s\n' "$check_out" >&2
  [ "$check_rc" = 0 ] || PROBLEMS+=("log/output checks failed (see 'problem:' lines above)")
}

dump_failure() { # sdir from_line
  local sdir="$1" from="$2"
  {
    echo "----- $CLIENT stderr -----"
    tail -n 40 "$sdir/$CLIENT.stderr" 2>/dev/null || true
    echo "----- $CLIENT output ($CLIENT_OUT, one line per event) -----"
    python3 "$HERE/$CHECK_PY" "--summarize-$CLIENT" "$sdir/$CLIENT.out" || tail -c 3000 "$sdir/$CLIENT.out" || true
    echo "----- mock upstream requests in this scenario -----"
    python3 "$HERE/$CHECK_PY" --log "$MOCK_LOG" --from-line "$from" --summary-only || true
    if [ -n "$GW_LOG" ] && [ -f "$GW_LOG" ]; then
      echo "----- gateway log (tail) -----"
      tail -n 60 "$GW_LOG" || true
    fi
    echo "----- artifacts: $sdir -----"
  } >&2
}

report_scenario() { # name secs sdir from_line
  local name="$1" secs="$2" p
  if [ "${#PROBLEMS[@]}" = 0 ]; then
    PASSED=$((PASSED + 1))
    echo "PASS $name ${secs}s"
  else
    FAILED_N=$((FAILED_N + 1))
    FAILED=1
    for p in "${PROBLEMS[@]}"; do log "$name: $p"; done
    dump_failure "$3" "$4"
    echo "FAIL $name ${secs}s"
  fi
}

# run_kinds: for each kind in $KINDS start a mock and (unless --direct) a
# gateway in front of it, then `run_scenario kind loop mode base_url token`
# for each loop in $LOOPS. Direct mode passes $DIRECT_MOCK_ARGS to the mock;
# both modes append $BASE_PATH to the base URL.
run_kinds() {
  local kind kdir loop base token mode
  for kind in $KINDS; do
    kdir="$WORK/$kind"
    mkdir -p "$kdir"
    GW_LOG=""
    if [ "$DIRECT" = 1 ]; then
      start_mock "$kdir" "${DIRECT_MOCK_ARGS[@]}"
      base="http://127.0.0.1:$MOCK_PORT$BASE_PATH"
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
      base="http://127.0.0.1:$GW_PORT$BASE_PATH"
      token="$CLIENT_KEY"
      mode="gateway"
    fi
    for loop in $LOOPS; do
      run_scenario "$kind" "$loop" "$mode" "$base" "$token"
    done
    stop_all
    # A harness may check what the stopped gateway recorded (claude_code.sh: usage).
    if [ "$mode" = gateway ] && declare -F after_kind >/dev/null; then
      after_kind "$kind" "$kdir"
    fi
  done
}

print_totals() { # label start_epoch
  echo "$1 e2e: $(( $(date +%s) - $2 ))s total"
  echo "$PASSED passed, $FAILED_N failed"
}
