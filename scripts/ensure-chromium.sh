#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests. Playwright cannot download its
# own browser on this network, so the tests launch /usr/bin/chromium instead. Idempotent and quiet
# when there is nothing to do; when it cannot install, it says so (the tests then skip locally,
# and fail under CI=true, which must not skip silently).
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: no chromium and no apt-get; browser tests will be skipped (install chromium by hand)." >&2
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "ensure-chromium: chromium is missing and installing it needs root; browser tests will be skipped" \
        "(run: sudo apt-get install chromium)." >&2
    exit 0
fi

echo "ensure-chromium: installing Debian's chromium (and fonts for readable screenshots)..." >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# Fonts: without them headless Chromium renders text as empty boxes in screenshots.
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core fonts-liberation >/dev/null
echo "ensure-chromium: $(chromium --version 2>/dev/null || echo 'chromium installed')" >&2
