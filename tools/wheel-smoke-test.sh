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
set +e
"$work/venv/bin/smsgui" check --to 447700900000 --from ThisSenderIsTooLong "Hello" >/dev/null
status=$?
set -e
[ "$status" = 1 ] || { echo "expected exit 1 for a blocking finding, got $status"; exit 1; }
echo "wheel smoke test passed: decode and check work from an installed wheel"
