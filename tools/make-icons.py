"""Render the one icon source, resources/icons/smsgui.svg, into every icon file a platform needs.

    python tools/make-icons.py OUTPUT_DIR [--svg PATH]

writes, into OUTPUT_DIR (created if missing):

- ``smsgui-<N>.png`` for N in 16, 24, 32, 48, 64, 128, 256, 512 and 1024 (square, transparent);
- ``smsgui.ico``: a Windows icon holding 16..256 as PNG entries (Windows Vista and later read them);
- ``smsgui.icns``: a macOS icon, ``icns`` container with PNG entries (ic07..ic14).

Qt renders the SVG offscreen (no display needed); both containers are written by hand, so the
output depends on nothing but Qt's SVG renderer and PNG writer. Generated files are build output:
the build scripts write them to ``build/icons``, which git ignores.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns entry types that hold PNG data, with their pixel size: ic07..ic10 are 128, 256, 512 and
# 1024 (512@2x); ic11..ic14 are the @2x variants of 16, 32, 128 and 256 (the same set iconutil and
# Pillow write as PNG; the older 16/32 types want raw ARGB and are left out).
ICNS_TYPES = (
    (b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)
DEFAULT_SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "smsgui.svg"


def render_pngs(svg: Path, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """Render the SVG at each size and return the PNG bytes, keyed by size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - keeps Qt up
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make-icons: {svg} is not an SVG Qt can render")
    pngs: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG"):
            raise SystemExit(f"make-icons: Qt could not write a {size}px PNG")
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (ICONDIR, ICONDIRENTRY each, then the data)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in the one-byte width/height fields
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: 'icns' + total length, then (type, length incl. 8-byte header, PNG) entries."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="folder for the PNG, ICO and ICNS files")
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, help="the icon source")
    arguments = parser.parse_args(argv)

    pngs = render_pngs(arguments.svg, PNG_SIZES)
    out: Path = arguments.output
    out.mkdir(parents=True, exist_ok=True)
    for size, png in pngs.items():
        (out / f"smsgui-{size}.png").write_bytes(png)
    (out / "smsgui.ico").write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    (out / "smsgui.icns").write_bytes(icns_bytes(pngs))
    print(f"make-icons: wrote {len(pngs)} PNGs, smsgui.ico and smsgui.icns to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
