#!/usr/bin/env python3
"""Writes brotli (.br) and gzip (.gz) copies beside the built app's text and wasm files.

Usage: scripts/precompress.py [dist-dir]
The reference backend sends a copy to browsers that accept its encoding, so the server never
compresses on the fly and the files go out at the strongest settings. Copies that would not be
smaller are not written, and stale copies from an earlier build are removed.
"""
import gzip
import pathlib
import sys

try:
    import brotli
except ImportError:  # installed by scripts/setup.sh; say so plainly otherwise
    sys.exit("python module 'brotli' is missing: pip install brotli")

COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".wasm", ".json", ".svg", ".webmanifest", ".txt", ".xml"}

dist = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
written = 0
for path in sorted(p for p in dist.rglob("*") if p.is_file()):
    if path.suffix in (".br", ".gz"):
        if not path.with_suffix("").exists():
            path.unlink()
        continue
    if path.suffix not in COMPRESSIBLE:
        continue
    data = path.read_bytes()
    for suffix, packed in (
        (".br", lambda d: brotli.compress(d, quality=11)),
        (".gz", lambda d: gzip.compress(d, compresslevel=9, mtime=0)),
    ):
        target = path.with_name(path.name + suffix)
        small = packed(data)
        if len(small) < len(data):
            target.write_bytes(small)
            written += 1
        elif target.exists():
            target.unlink()
print(f"pre-compressed copies written: {written}")
