#!/usr/bin/env bash
# Builds the wheel, installs it into a fresh venv and runs `smsgui decode` and `smsgui check`
# from a folder outside the checkout, proving the resources ship inside the wheel.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m pip wheel -q --no-deps -w "$work/dist" "$repo"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/smsgui-*.whl
cd "$work"
cat > response.json <<'JSON'
{"message-count":"1","messages":[{"to":"447700900000","message-id":"0C000000217B7F02",
 "status":"0","remaining-balance":"15.53590000","message-price":"0.03330000","network":"23410"}]}
JSON
"$work/venv/bin/smsgui" --version
"$work/venv/bin/smsgui" decode response.json | grep -q "O2 (UK)"
"$work/venv/bin/smsgui" decode --json response.json | grep -q '"entry": "status-0"'
"$work/venv/bin/smsgui" check --to 447700900000 --from Acme "Hello" | grep -q "Ready to send"
# The country rules ship too: India names DLT, with the rule's source.
"$work/venv/bin/smsgui" check --to 919876543210 --from Acme "Your OTP is 1234" \
  | grep -q "DLT-registered; add the Entity ID"
set +e
"$work/venv/bin/smsgui" check --to 447700900000 --from ThisSenderIsTooLong "Hello" >/dev/null
status=$?
set -e
[ "$status" = 1 ] || { echo "expected exit 1 for a blocking finding, got $status"; exit 1; }

# The sandbox from the installed wheel: one line on stdout, a real send, SIGTERM ends it with 0.
"$work/venv/bin/smsgui" sandbox --port 0 > sandbox.out 2> sandbox.err &
sandbox_pid=$!
for _ in $(seq 50); do [ -s sandbox.out ] && break; sleep 0.1; done
url=$(sed -n 's/^Sandbox listening on //p' sandbox.out)
[ -n "$url" ] || { echo "the sandbox printed no address"; cat sandbox.err; exit 1; }
"$work/venv/bin/python" - "$url" <<'PY'
import sys, httpx
answer = httpx.post(sys.argv[1] + "/sms/json", trust_env=False, data={
    "from": "AcmeInc", "text": "Hello", "to": "447700900000",
    "api_key": "sandbox1", "api_secret": "SandboxSecret123"}).json()
assert answer["messages"][0]["status"] == "0", answer
PY
kill -TERM "$sandbox_pid"
wait "$sandbox_pid" || { echo "the sandbox did not exit 0 on SIGTERM"; exit 1; }

# The installed app checks itself end to end, touching only throwaway folders.
HOME="$work/home" XDG_CONFIG_HOME="$work/home/config" XDG_DATA_HOME="$work/home/data" \
  XDG_STATE_HOME="$work/home/state" XDG_CACHE_HOME="$work/home/cache" \
  QT_QPA_PLATFORM=offscreen "$work/venv/bin/smsgui" --self-test
echo "wheel smoke test passed: decode, check, sandbox and --self-test work from an installed wheel"
