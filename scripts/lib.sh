# Shared by scripts/run and scripts/test: install what is missing, as root or with sudo.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/switchyard-target}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Installs PKG only when CMD is missing (the machine may carry its own node or python).
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if command -v cargo >/dev/null 2>&1; then return 0; fi
  apt_install ca-certificates curl build-essential pkg-config
  if curl -fsS --max-time 10 https://sh.rustup.rs -o /tmp/rustup.sh 2>/dev/null; then
    say "installing Rust with rustup"
    sh /tmp/rustup.sh -y --profile minimal --component clippy,rustfmt
    . "$HOME/.cargo/env"
  else
    say "rustup unreachable; installing Debian's Rust (needs 1.85 or newer)"
    apt_install cargo rustc rustfmt rust-clippy
  fi
}

ensure_build_deps() {
  need_cmd cc build-essential
  need_cmd pkg-config pkg-config
  # the OS keychain (keyring's Secret Service client links libdbus)
  apt_install libdbus-1-dev
  need_cmd python3 python3
  [ -d /etc/ssl/certs ] || apt_install ca-certificates
  ensure_rust
}
