#!/usr/bin/env bash
# Run a command beside a private, unlocked Secret Service (gnome-keyring on its own D-Bus session
# bus, its files in a temporary folder), e.g. for the keyring integration test:
#
#   tools/with-secret-service.sh python -m pytest tests/core/test_secret_service.py
#
# The caller's session bus, display and home folder are hidden from the command, so it can never
# reach the user's real keyring. The command sees SMSGUI_SECRET_SERVICE_ROOT (the temporary
# folder, removed afterwards). Exit status: the command's; 127 when a tool is missing, 125 when
# the keyring did not start. Needs the Debian packages gnome-keyring and dbus-daemon.
set -euo pipefail

start_keyring_and_run() {
  # Inside the private bus. --unlock (password on stdin) matters: without it gnome-keyring tries
  # to show an unlock prompt, which fails at once with no display and hangs forever under Xvfb.
  # --foreground keeps it our child, so it is stopped here and cannot outlive the bus.
  printf %s smsgui-test | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >/dev/null 2>&1 &
  local keyring=$! tries=0 status=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
      | grep -q 'boolean true'; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ] || ! kill -0 "$keyring" 2>/dev/null; then
      echo "$0: gnome-keyring-daemon did not come up on the private bus" >&2
      kill "$keyring" 2>/dev/null || true
      exit 125
    fi
    sleep 0.05
  done
  "$@" || status=$?
  kill "$keyring" 2>/dev/null || true
  wait "$keyring" 2>/dev/null || true
  exit "$status"
}

if [ "${1-}" = "--inside-private-bus" ]; then
  shift
  start_keyring_and_run "$@"
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "$0: $tool is not installed (Debian: apt-get install gnome-keyring dbus-daemon)" >&2
    exit 127
  fi
done

root=$(mktemp -d "${TMPDIR:-/tmp}/smsgui-secret-service.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/home" "$root/data" "$root/config" "$root/cache" "$root/runtime"
chmod 700 "$root/runtime"

# Nothing of the caller's session: no bus to fall back to, no display to prompt on.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
export HOME="$root/home" XDG_DATA_HOME="$root/data" XDG_CONFIG_HOME="$root/config" \
  XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/runtime" SMSGUI_SECRET_SERVICE_ROOT="$root"

status=0
dbus-run-session -- bash "$0" --inside-private-bus "$@" || status=$?
exit "$status"
