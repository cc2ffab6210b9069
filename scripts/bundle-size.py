#!/usr/bin/env python3
"""Prints the release bundle's sizes (raw, gzip -9, brotli -q 11) per file type and in total.

Usage: scripts/bundle-size.py [dist-dir] [--budget-kib N]
Exits 1 when wasm + JS + CSS together exceed the brotli budget (default 150 KiB).
"""
import gzip
import pathlib
import sys

try:
    import brotli
except ImportError:  # installed by scripts/setup.sh; say so plainly otherwise
    sys.exit("python module 'brotli' is missing: pip install brotli")

args = [a for a in sys.argv[1:] if not a.startswith("--")]
dist = pathlib.Path(args[0] if args else "dist")
budget_kib = 150.0
if "--budget-kib" in sys.argv:
    budget_kib = float(sys.argv[sys.argv.index("--budget-kib") + 1])

kinds = {".wasm": "wasm", ".js": "js", ".css": "css", ".html": "html"}
totals = {}
rows = []
for path in sorted(dist.iterdir()):
    kind = kinds.get(path.suffix)
    if kind is None or not path.is_file():
        continue
    data = path.read_bytes()
    sizes = (len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11)))
    rows.append((path.name, *sizes))
    t = totals.setdefault(kind, [0, 0, 0])
    for i, s in enumerate(sizes):
        t[i] += s

def kib(n):
    return f"{n / 1024:8.1f}"

print(f"{'file':52} {'raw KiB':>8} {'gzip':>8} {'brotli':>8}")
for name, raw, gz, br in rows:
    print(f"{name:52} {kib(raw)} {kib(gz)} {kib(br)}")
print()
shipped = [0, 0, 0]
for kind in ("wasm", "js", "css", "html"):
    if kind in totals:
        t = totals[kind]
        print(f"{'total ' + kind:52} {kib(t[0])} {kib(t[1])} {kib(t[2])}")
        if kind != "html":
            shipped = [a + b for a, b in zip(shipped, t)]
print(f"{'wasm + js + css':52} {kib(shipped[0])} {kib(shipped[1])} {kib(shipped[2])}")
verdict = "within" if shipped[2] / 1024 <= budget_kib else "OVER"
print(f"brotli budget {budget_kib:.0f} KiB: {verdict} ({shipped[2] / 1024:.1f} KiB)")
sys.exit(0 if verdict == "within" else 1)
