"""What a built page loads: shared by the size report and the service worker's file list."""
import re

# The bootstrap script names the JS and the wasm; the links name the CSS.
_NAMED = re.compile(r"/([A-Za-z0-9_.-]+\.(?:js|wasm|css))\b")


def named_files(page_text: str) -> set[str]:
    """The file names (at the root of the build) of the JS, wasm and CSS a page names."""
    return set(_NAMED.findall(page_text))
