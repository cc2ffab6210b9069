#!/usr/bin/env python3
"""Draws the app icons under assets/icons/ from the shapes of assets/favicon.svg (Python 3 stdlib only).

Run once after the favicon changes, then commit the PNGs:  python3 scripts/pwa-icons.py

Why a script and not an SVG renderer: the machines here have none (no ImageMagick, rsvg or Pillow),
and the favicon is two shapes (a rounded square and a plus with round caps), so drawing them with
signed distances gives exact, anti-aliased, reproducible files. Keep the shapes in step with the SVG.

- icon-192.png, icon-512.png: the favicon as it is (transparent corners), purpose "any".
- icon-maskable-512.png: full-bleed brand colour, the plus inside the central 80 % safe zone, so a
  launcher's circle or squircle mask never cuts it.
- apple-touch-icon.png (180): opaque (iOS paints transparency black) and full-bleed (iOS rounds
  the corners itself).
"""

import math
import struct
import sys
import zlib
from pathlib import Path

BRAND = (0x0B, 0x65, 0x70)  # --color-brand in style/tokens.css, the favicon's fill
WHITE = (0xFF, 0xFF, 0xFF)


def rounded_rect_sd(x, y, cx, cy, half, radius):
    qx = abs(x - cx) - (half - radius)
    qy = abs(y - cy) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - radius


def segment_sd(x, y, ax, ay, bx, by, half_width):
    dx, dy = bx - ax, by - ay
    t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)
    t = min(max(t, 0.0), 1.0)
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - half_width


def coverage(sd):
    """Share of a pixel covered by a shape whose signed distance (in pixels) at its centre is sd."""
    return min(max(0.5 - sd, 0.0), 1.0)


def draw(size, full_bleed, plus_extent):
    """RGBA rows. `plus_extent`: the plus's arm-tip to arm-tip length (caps included) / size."""
    c = size / 2.0
    # The favicon: square 2..30 of 32 with radius 8; plus arms 9..23 with stroke 3.5.
    half = size * 14.0 / 32.0
    radius = size * 8.0 / 32.0
    stroke = plus_extent * size * 3.5 / 17.5
    arm = plus_extent * size / 2.0 - stroke / 2.0
    rows = []
    for py in range(size):
        row = bytearray()
        y = py + 0.5
        for px in range(size):
            x = px + 0.5
            bg = 1.0 if full_bleed else coverage(rounded_rect_sd(x, y, c, c, half, radius))
            plus = max(
                coverage(segment_sd(x, y, c, c - arm, c, c + arm, stroke / 2.0)),
                coverage(segment_sd(x, y, c - arm, c, c + arm, c, stroke / 2.0)),
            )
            # The plus lies inside the square, so it paints over the brand colour.
            rgb = [round(b + (w - b) * plus) for b, w in zip(BRAND, WHITE)]
            alpha = round(255 * max(bg, plus))
            row += bytes(rgb + [alpha])
        rows.append(bytes(row))
    return rows


def png(rows, size):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = bytearray()
    previous = bytes(size * 4)
    for row in rows:
        # Filter "Up": flat areas repeat row after row, so most bytes become zero.
        raw.append(2)
        raw += bytes((a - b) & 0xFF for a, b in zip(row, previous))
        previous = row
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "assets" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    favicon_plus = 17.5 / 32.0
    for name, size, full_bleed, plus in [
        ("icon-192.png", 192, False, favicon_plus),
        ("icon-512.png", 512, False, favicon_plus),
        # 40 % of the side: the arms' farthest points stay well inside the 80 % safe circle.
        ("icon-maskable-512.png", 512, True, 0.40),
        ("apple-touch-icon.png", 180, True, 0.50),
    ]:
        data = png(draw(size, full_bleed, plus), size)
        (out / name).write_bytes(data)
        print(f"{out / name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
