"""Lets the first paint go first: rewrites the bootstrap of the pages the backend writes pages into
(index.html for Home, Learn and Ask; care.html for Today), so that on those pages the app's download
starts after the written page has painted instead of competing with it for a slow network. Pages
without a written first paint start the app at once, as before.

A page opened in a background tab does not paint, so there the app starts at once.

Trunk's bootstrap imports the app's JS statically, and preloads the JS and the wasm, all of which the
browser fetches while it parses the page; the rewritten one imports them when it runs.

Usage: python3 scripts/first-paint-loader.py dist index.html [care.html ...]
"""
import re
import sys
from pathlib import Path

BOOTSTRAP = re.compile(
    r"<script type=\"?module\"?>import init, \* as bindings from '(?P<js>/[^']+\.js)';\s*"
    r"const wasm = await init\(\{ module_or_path: '(?P<wasm>/[^']+\.wasm)' \}\);\s*"
    r"(?P<rest>.*?)</script>",
    re.S,
)
LINK = re.compile(r"<link [^>]*>")

LOADER = (
    "<script type=module>"
    "if (document.getElementById(\"boot-shell\")?.hasAttribute(\"data-first-paint\") "
    "&& document.visibilityState === \"visible\") "
    "await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted)));"
    "const bindings = await import('{js}');"
    "const wasm = await bindings.default({{ module_or_path: '{wasm}' }});"
    "{rest}</script>"
)


def rewrite(text: str) -> str:
    match = BOOTSTRAP.search(text)
    if not match:
        raise SystemExit("first-paint-loader: a page has no bootstrap in the form Trunk writes")
    loader = LOADER.format(js=match["js"], wasm=match["wasm"], rest=match["rest"].strip())
    text = text[: match.start()] + loader + text[match.end() :]
    return LINK.sub(lambda link: "" if is_app_preload(link[0]) else link[0], text)


def is_app_preload(link: str) -> bool:
    """Trunk's preloads of the app's JS and wasm (not the settings' preload)."""
    return "modulepreload" in link or ("rel=preload" in link.replace('"', "") and ".wasm" in link)


def main() -> None:
    dist = Path(sys.argv[1])
    for name in sys.argv[2:]:
        page = dist / name
        page.write_text(rewrite(page.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"first-paint loader written into {page}")


if __name__ == "__main__":
    main()
