#!/usr/bin/env bash
# Installs everything Countersign needs, on a fresh machine or an old one: system packages
# (libusb for node-hid, Debian's Chromium for the browser host and e2e tests, CJK fonts),
# the npm packages, and the Electron binary where it can be downloaded. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'countersign setup: %s\n' "$*"; }

missing=()
libs=$(ldconfig -p 2>/dev/null || true)
case "$libs" in *libusb-1.0.so.0*) ;; *) missing+=(libusb-1.0-0) ;; esac
[ -x /usr/bin/chromium ] || missing+=(chromium)
# (no `cmd | grep -q` here: with pipefail, grep's early exit would make the pipeline fail)
fonts=$(fc-list : family 2>/dev/null || true)
case "$fonts" in *"Noto Sans CJK"*) ;; *) missing+=(fonts-noto-cjk) ;; esac
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
# pdftotext / pdftoppm: the tests read the exported dispute PDFs back (and keep a page as PNG).
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=()
    [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
    say "installing system packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "please install: ${missing[*]} (no apt-get here); Countersign runs without them but with less (see README)"
  fi
fi

# npm packages. Electron's own binary download is kept out of `npm ci` because it is impossible on
# machines without internet access; it is attempted on its own just below.
say "installing npm packages"
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

if [ "${COUNTERSIGN_SKIP_ELECTRON:-}" != 1 ] && [ ! -f node_modules/electron/path.txt ]; then
  say "fetching the Electron binary (optional)"
  if timeout 180 env -u ELECTRON_SKIP_BINARY_DOWNLOAD node node_modules/electron/install.js >/dev/null 2>&1; then
    say "Electron binary installed: npm start opens the desktop window"
  else
    say "no Electron binary could be downloaded: npm start runs the browser host (same app, in Chromium)"
  fi
fi
say "ready"
