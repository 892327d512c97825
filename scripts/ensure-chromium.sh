#!/bin/sh
# Makes sure Debian's Chromium is installed for the browser tests (tests/browser).
# It never downloads a browser of its own: it uses the distribution's package, through apt.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available." >&2
  echo "Install your system's chromium package; the browser tests are skipped without it." >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "ensure-chromium: run as root (or install sudo) to install chromium with apt-get." >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing Debian's chromium package for the browser tests"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
