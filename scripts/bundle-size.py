#!/usr/bin/env python3
"""Prints the release build's sizes (raw, gzip -9, brotli -q 11) per file, and what each page
(one per bundle) costs on a first load: the page itself and the wasm, JS and CSS it names.

Usage: scripts/bundle-size.py [dist-dir] [--budget-kib N]
Exits 1 when a page's first load is over the brotli budget (default 200 KiB).
"""
import gzip
import pathlib
import sys

from built_pages import named_files

try:
    import brotli
except ImportError:  # installed by scripts/setup.sh; say so plainly otherwise
    sys.exit("python module 'brotli' is missing: pip install brotli")

args = [a for a in sys.argv[1:] if not a.startswith("--")]
dist = pathlib.Path(args[0] if args else "dist")
budget_kib = 200.0
if "--budget-kib" in sys.argv:
    budget_kib = float(sys.argv[sys.argv.index("--budget-kib") + 1])

SHIPPED = (".wasm", ".js", ".css", ".html")
sizes = {}
for path in sorted(dist.iterdir()):
    if path.suffix in SHIPPED and path.is_file():
        data = path.read_bytes()
        sizes[path.name] = (len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11)))


def kib(n):
    return f"{n / 1024:8.1f}"


print(f"{'file':52} {'raw KiB':>8} {'gzip':>8} {'brotli':>8}")
for name, (raw, gz, br) in sizes.items():
    print(f"{name:52} {kib(raw)} {kib(gz)} {kib(br)}")
print()

over = False
pages = [n for n in sizes if n.endswith(".html")]
if not pages:
    sys.exit(f"{dist} holds no page: build the app first")
for page in pages:
    text = (dist / page).read_text(encoding="utf-8")
    named = named_files(text) & sizes.keys()
    total = [sum(sizes[n][i] for n in named | {page}) for i in range(3)]
    verdict = "within" if total[2] / 1024 <= budget_kib else "OVER"
    over |= verdict == "OVER"
    print(f"{'first load of ' + page:52} {kib(total[0])} {kib(total[1])} {kib(total[2])}  {verdict}")
print(f"brotli budget {budget_kib:.0f} KiB per page: {'OVER' if over else 'within'}")
sys.exit(1 if over else 0)
