#!/usr/bin/env bash
# Browser tests and Lighthouse drive Debian's Chromium (Playwright's own browser download does
# not work offline). Installs it when missing, so `npm test` works on a fresh machine.
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium_path" ] && exit 0
echo "Chromium is missing at $chromium_path: installing Debian's chromium package…" >&2
run_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run_as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive run_as_root apt-get install -y -qq chromium >/dev/null
[ -x "$chromium_path" ] || { echo "Chromium is still missing at $chromium_path" >&2; exit 1; }
