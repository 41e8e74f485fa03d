#!/usr/bin/env bash
# Runs the frozen app (tools/build-bundle.sh) from a folder outside the checkout, the way a person
# would after unpacking it: --version, decode, check, the sandbox, the window, --self-test, and
# keyring's backends inside the bundle.
#
#   tools/bundle-smoke-test.sh [BUNDLE_DIR]      (default: dist/smsgui)
#
# HOME, the XDG folders and the D-Bus session are replaced by a temporary folder (removed
# afterwards) and QT_QPA_PLATFORM=offscreen, so the app never touches the user's settings, data,
# display or keyring. Under xvfb-run, where installed, the window is also opened on a real X
# server (the bundled xcb plugin); beside gnome-keyring (tools/with-secret-service.sh), the
# bundle stores and reads a secret in a private Secret Service.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bundle=$(cd "${1:-$repo/dist/smsgui}" && pwd)
app="$bundle/smsgui"
[ -x "$app" ] || { echo "bundle-smoke-test: no $app; run tools/build-bundle.sh first" >&2; exit 2; }
expected_version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$repo/smsgui/__init__.py")

work=$(mktemp -d "${TMPDIR:-/tmp}/smsgui-bundle-test.XXXXXX")
sandbox_pid=""
cleanup() {
  [ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home" "$work/config" "$work/data" "$work/cache" "$work/state" "$work/runtime"
chmod 700 "$work/runtime"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK \
  SMSGUI_BUNDLE_CHECK PYTHON_KEYRING_BACKEND
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
  XDG_CACHE_HOME="$work/cache" XDG_STATE_HOME="$work/state" XDG_RUNTIME_DIR="$work/runtime" \
  QT_QPA_PLATFORM=offscreen NO_PROXY=127.0.0.1,localhost
cd "$work"
step() { echo "== $*"; }
fail() { echo "bundle-smoke-test: $*" >&2; exit 1; }

step "--version"
"$app" --version | tee version.out
grep -qx "smsgui $expected_version" version.out || fail "expected 'smsgui $expected_version'"

step "decode (knowledge base and network table inside the bundle)"
cat > response.json <<'JSON'
{"message-count":"1","messages":[{"to":"447700900000","message-id":"0C000000217B7F02",
 "status":"0","remaining-balance":"15.53590000","message-price":"0.03330000","network":"23410"}]}
JSON
"$app" decode response.json > decode.out
grep -q "O2 (UK)" decode.out || { cat decode.out; fail "decode did not name the network"; }
"$app" decode --json response.json > decode.json
grep -q '"entry": "status-0"' decode.json || fail "decode --json did not point at the status-0 entry"

step "check (phonenumbers' metadata inside the bundle)"
"$app" check --to 447700900000 --from Acme "Hello" > check.out
grep -q "Ready to send" check.out || fail "check did not say 'Ready to send'"
status=0
"$app" check --to 447700900000 --from ThisSenderIsTooLong "Hello" >/dev/null || status=$?
[ "$status" = 1 ] || fail "expected exit 1 for a blocking finding, got $status"

step "sandbox: one line on stdout, a real send over loopback, SIGTERM ends it with 0"
"$app" sandbox --port 0 > sandbox.out 2> sandbox.err &
sandbox_pid=$!
for _ in $(seq 100); do [ -s sandbox.out ] && break; sleep 0.1; done
url=$(sed -n 's/^Sandbox listening on //p' sandbox.out)
[ -n "$url" ] || { cat sandbox.err; fail "the sandbox printed no address"; }
python3 - "$url" <<'PY'
import json, sys, urllib.parse, urllib.request
form = urllib.parse.urlencode({"from": "AcmeInc", "text": "Hello", "to": "447700900000",
                               "api_key": "sandbox1", "api_secret": "SandboxSecret123"}).encode()
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
answer = json.load(opener.open(sys.argv[1] + "/sms/json", form, timeout=10))
assert answer["messages"][0]["status"] == "0", answer
PY
kill -TERM "$sandbox_pid"
wait "$sandbox_pid" || fail "the sandbox did not exit 0 on SIGTERM"
sandbox_pid=""

# The window the way the menu entry opens it, for a few seconds: it must still be running when
# timeout stops it (exit 124), and have written its log and settings into the temporary folders.
open_window() {  # $1: Qt platform; the rest: a command prefix such as xvfb-run -a
  local label=$1 log="$work/state/smsgui/log/smsgui.log" status=0
  shift
  rm -rf "$work/state/smsgui" "$work/config/smsgui"
  QT_QPA_PLATFORM=$label PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring \
    "$@" timeout -s TERM 5 "$app" > "window-$label.out" 2>&1 || status=$?
  if [ "$status" != 124 ]; then
    cat "window-$label.out"
    fail "the window ($label) exited with $status before it was closed"
  fi
  grep -qs "smsgui $expected_version on" "$log" || fail "the window ($label) wrote no log"
  [ -d "$work/config/smsgui" ] || fail "the window ($label) did not use the isolated folders"
  if grep -E "Traceback|Could not load the Qt platform plugin|Cannot load library" \
      "window-$label.out" "$log"; then
    fail "the window ($label) reported an error"
  fi
}
step "the window, offscreen"
open_window offscreen
if command -v xvfb-run >/dev/null; then
  step "the window on an X server (xvfb-run, the bundled xcb plugin)"
  open_window xcb xvfb-run -a
else
  echo "skipped the window on an X server: xvfb-run is not installed (Debian: xvfb)"
fi

step "--self-test"
"$app" --help > help.out
if grep -q -- "--self-test" help.out; then
  "$app" --self-test || fail "smsgui --self-test failed"
else
  echo "skipped: this build's smsgui has no --self-test yet"
fi

step "keyring's backends inside the bundle"
# A frozen app cannot run python -c, so the bundle's launcher answers SMSGUI_BUNDLE_CHECK:
# it imports every backend module, lists keyring's entry points and names the keyring in use.
SMSGUI_BUNDLE_CHECK=keyring "$app" | tee keyring.out || fail "keyring backends missing"
if command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null; then
  step "a secret stored and read back through a private Secret Service"
  SMSGUI_BUNDLE_CHECK=keyring-roundtrip "$repo/tools/with-secret-service.sh" "$app" \
    > secret-service.out 2>secret-service.err \
    || { cat secret-service.out secret-service.err; fail "the Secret Service round trip failed"; }
  cat secret-service.out
  grep -q "keyring in use: keyring.backends.SecretService.Keyring" secret-service.out \
    || fail "the bundle did not pick the Secret Service"
else
  echo "skipped the Secret Service round trip: gnome-keyring or dbus is not installed"
fi

[ -z "$(ls -A "$work/home")" ] || { ls -AR "$work/home"; fail "something was written to HOME"; }
echo "bundle smoke test passed: the frozen app works outside the checkout"
