"""Draws the Teams app icons (stairs: a career pathway) as PNGs with the standard library only.

Run `python -m bot.teams.manifest.icons` to redraw color.png (192x192, full colour) and outline.png
(32x32, white on transparent, as Teams requires). The files are committed; this is how they were made.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

Pixel = tuple[int, int, int, int]
TEAL: Pixel = (0, 120, 130, 255)
WHITE: Pixel = (255, 255, 255, 255)
CLEAR: Pixel = (0, 0, 0, 0)
HERE = Path(__file__).parent


def on_stairs(x: int, y: int, size: int) -> bool:
    """Three steps rising to the right inside the middle of a size x size square."""
    margin, steps = size // 5, 3
    inner = size - 2 * margin
    if not (margin <= x < size - margin and margin <= y < size - margin):
        return False
    step = min(steps - 1, (x - margin) * steps // inner)
    top = size - margin - (step + 1) * inner // steps
    return y >= top


def png(size: int, pixel: dict[bool, Pixel]) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel[on_stairs(x, y, size)]) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    (HERE / "color.png").write_bytes(png(192, {True: WHITE, False: TEAL}))
    (HERE / "outline.png").write_bytes(png(32, {True: WHITE, False: CLEAR}))


if __name__ == "__main__":
    main()
