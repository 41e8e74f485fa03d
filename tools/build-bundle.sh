#!/usr/bin/env bash
# Builds the Linux bundle: icons from the SVG, PyInstaller onedir into dist/smsgui/, checks, and
# dist/smsgui-<version>-linux-x86_64.tar.gz laid out for installing into a prefix.
#
#   PYTHON=.venv/bin/python tools/build-bundle.sh
#
# PYTHON (default python3) must have smsgui's dependencies and PyInstaller installed. Everything
# it writes goes to build/ and dist/, which git ignores. Fails when the unpacked bundle is over
# SMSGUI_BUNDLE_LIMIT_MB (150), when a file in it misses a shared library, or when the .desktop
# file or the AppStream metainfo does not validate (each validator runs only where installed:
# Debian packages desktop-file-utils and appstream). Prints the size and build-time figures.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
python=${PYTHON:-python3}
limit_mb=${SMSGUI_BUNDLE_LIMIT_MB:-150}
app_id=io.github.smsgui.SmsGui

if ! "$python" -c "import PyInstaller" 2>/dev/null; then
  echo "build-bundle: PyInstaller is missing: $python -m pip install pyinstaller" >&2
  exit 2
fi
version=$("$python" -c "import sys; sys.path.insert(0, '.'); import smsgui; print(smsgui.__version__)")
arch=$(uname -m)
name="smsgui-$version-linux-$arch"
started=$(date +%s.%N)
# Repeatable output: the last commit's time for every timestamp the build writes, and a fixed
# hash seed so PyInstaller writes its archives in the same order.
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$epoch} PYTHONHASHSEED=${PYTHONHASHSEED:-0}

echo "== icons from resources/icons/smsgui.svg"
"$python" tools/make-icons.py build/icons

echo "== PyInstaller (log: build/pyinstaller.log)"
pyi_started=$(date +%s.%N)
rm -rf dist/smsgui
if ! "$python" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist \
    --workpath build/pyinstaller packaging/smsgui.spec > build/pyinstaller.log 2>&1; then
  tail -40 build/pyinstaller.log >&2
  echo "build-bundle: PyInstaller failed" >&2
  exit 1
fi
pyi_seconds=$(awk "BEGIN {print $(date +%s.%N) - $pyi_started}")
grep "smsgui.spec:" build/pyinstaller.log || true

echo "== every library in the bundle resolves (ldd)"
# The bootloader puts _internal/ on the library path; the Qt libraries find each other by rpath.
missing=$(find dist/smsgui -type f \( -name '*.so' -o -name '*.so.*' -o -path 'dist/smsgui/smsgui' \) \
  | while read -r file; do
      LD_LIBRARY_PATH="$repo/dist/smsgui/_internal" ldd "$file" 2>/dev/null \
        | awk -v file="$file" '/not found/ {print file " needs " $1}'
    done)
if [ -n "$missing" ]; then
  echo "$missing" >&2
  echo "build-bundle: the bundle misses shared libraries (trimmed too much in smsgui.spec?)" >&2
  exit 1
fi

echo "== desktop file and AppStream metainfo"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "packaging/$app_id.desktop"
else
  echo "skipped desktop-file-validate: not installed (Debian: desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "packaging/$app_id.metainfo.xml"
else
  echo "skipped appstreamcli validate: not installed (Debian: appstream)"
fi

echo "== $name.tar.gz"
# bin/smsgui -> lib/smsgui/smsgui, share/{applications,metainfo,icons}: unpacking it with
# --strip-components=1 into ~/.local or /usr/local installs the app and its menu entry.
stage="build/tarball/$name"
rm -rf build/tarball
mkdir -p "$stage/bin" "$stage/lib" "$stage/share/applications" "$stage/share/metainfo" \
  "$stage/share/doc/smsgui"
cp -a dist/smsgui "$stage/lib/smsgui"
ln -s ../lib/smsgui/smsgui "$stage/bin/smsgui"
cp "packaging/$app_id.desktop" "$stage/share/applications/"
cp "packaging/$app_id.metainfo.xml" "$stage/share/metainfo/"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$stage/share/icons/hicolor/${size}x${size}/apps"
  cp "build/icons/smsgui-$size.png" "$stage/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
mkdir -p "$stage/share/icons/hicolor/scalable/apps"
cp resources/icons/smsgui.svg "$stage/share/icons/hicolor/scalable/apps/$app_id.svg"
cp LICENSE "$stage/share/doc/smsgui/LICENSE"
cat > "$stage/share/doc/smsgui/INSTALL.txt" <<EOF
smsgui $version for Linux ($arch)

Install for yourself (no root needed), then open smsgui from the applications menu:

    tar -xzf $name.tar.gz --strip-components=1 -C ~/.local

or for everyone on the computer:

    sudo tar -xzf $name.tar.gz --strip-components=1 -C /usr/local

The command is bin/smsgui (make sure ~/.local/bin is on your PATH). To check the install:

    smsgui --self-test

To remove it, delete bin/smsgui, lib/smsgui/, share/doc/smsgui/ and the files named
$app_id.* under share/ from the folder you installed into.
EOF
if command -v appstreamcli >/dev/null; then
  appstreamcli validate-tree --no-net "$stage"  # metainfo, .desktop and icon as installed
fi
# Same input, same archive: sorted names, fixed owner and time, no time in the gzip header.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C build/tarball -cf - "$name" | gzip -n -6 > "dist/$name.tar.gz"

size_mb=$(du -sm dist/smsgui | cut -f1)
files=$(find dist/smsgui -type f | wc -l)
tar_mb=$(awk "BEGIN {printf \"%.1f\", $(stat -c %s "dist/$name.tar.gz") / 1048576}")
total_seconds=$(awk "BEGIN {print $(date +%s.%N) - $started}")
printf '== figures\nbundle dist/smsgui: %s MB unpacked (%s files; limit %s MB)\n' \
  "$size_mb" "$files" "$limit_mb"
printf 'archive dist/%s.tar.gz: %s MB\n' "$name" "$tar_mb"
printf 'build time: %.1f s (PyInstaller %.1f s)\n' "$total_seconds" "$pyi_seconds"
if [ "$size_mb" -gt "$limit_mb" ]; then
  echo "build-bundle: the bundle is $size_mb MB, over the $limit_mb MB limit" >&2
  exit 1
fi
