#!/usr/bin/env python3
"""Writes DIST/sw.js from pwa/sw.js with the build's files and version filled in (stdlib only).

Usage: python3 scripts/pwa-precache.py DIST     (the last step of the release build)

Every file in DIST is listed except sw.js itself, pre-compressed siblings (*.br, *.gz: the
server picks those by Accept-Encoding, the cache stores what it is sent) and hidden files. Each
page's own wasm and JS (the ones no other page names) are listed per page: the worker keeps them
when that page is first used, so installing does not fetch every bundle. The
version is a hash of the template and of every listed file's path and bytes, so any change to
the app gives a new cache name and makes the browser see a new service worker.
"""

import hashlib
import json
import sys
from pathlib import Path

from built_pages import named_files

TEMPLATE = Path(__file__).resolve().parent.parent / "pwa" / "sw.js"
VERSION_TOKEN = '"__PWA_VERSION__"'
PRECACHE_TOKEN = '["__PWA_PRECACHE__"]'
PAGE_FILES_TOKEN = '{"__PWA_PAGE_FILES__": []}'
SKIPPED_SUFFIXES = (".br", ".gz")


def precache_paths(dist: Path) -> list[Path]:
    files = []
    for path in sorted(dist.rglob("*")):
        relative = path.relative_to(dist)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if relative.as_posix() == "sw.js" or path.name.endswith(SKIPPED_SUFFIXES):
            continue
        files.append(relative)
    return files


def page_files(dist: Path, files: list[Path]) -> dict[str, list[str]]:
    """Each top-level page's own wasm and JS, as URL paths: the files its bootstrap names that no
    other page names."""
    listed = {f.as_posix() for f in files}
    named = {}
    for page in (f for f in files if len(f.parts) == 1 and f.suffix == ".html"):
        text = (dist / page).read_text(encoding="utf-8")
        found = {n for n in named_files(text) if not n.endswith(".css")}
        named[page.as_posix()] = found & listed
    own = {}
    for page, names in named.items():
        others = set().union(*(n for p, n in named.items() if p != page))
        if names - others:
            own["/" + page] = sorted("/" + quote_path(n) for n in names - others)
    return own


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    dist = Path(sys.argv[1])
    if not (dist / "index.html").is_file():
        print(f"{dist} has no index.html: build the app first", file=sys.stderr)
        return 1
    template = TEMPLATE.read_text(encoding="utf-8")
    for token in (VERSION_TOKEN, PRECACHE_TOKEN, PAGE_FILES_TOKEN):
        if template.count(token) != 1:
            print(f"{TEMPLATE} must hold {token} exactly once", file=sys.stderr)
            return 1

    files = precache_paths(dist)
    digest = hashlib.sha256(template.encode("utf-8"))
    for relative in files:
        digest.update(relative.as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256((dist / relative).read_bytes()).digest())
    version = digest.hexdigest()[:16]
    # URL paths: built names are plain ASCII, but quote anything else the way browsers send it.
    urls = ["/" + quote_path(relative.as_posix()) for relative in files]

    own = page_files(dist, files)
    out = (
        template.replace(VERSION_TOKEN, json.dumps(version))
        .replace(PRECACHE_TOKEN, json.dumps(urls, indent=2))
        .replace(PAGE_FILES_TOKEN, json.dumps(own, indent=2))
    )
    (dist / "sw.js").write_text(out, encoding="utf-8")
    owned = {p for paths in own.values() for p in paths}
    shared = sum((dist / r).stat().st_size for r in files if "/" + quote_path(r.as_posix()) not in owned)
    print(f"sw.js: version {version}, {len(urls)} files, {shared / 1024:.0f} KiB shared and kept at install")
    for page, paths in own.items():
        size = sum((dist / p.lstrip("/")).stat().st_size for p in paths)
        print(f"  {page}: its own {len(paths)} files ({size / 1024:.0f} KiB), kept when first used")
    return 0


def quote_path(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/-._~")


if __name__ == "__main__":
    sys.exit(main())
