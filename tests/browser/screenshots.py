"""Write the README's screenshots: ``python -m tests.browser.screenshots [docs]``.

The failing-case report at a phone's width and the class overview at a laptop's, both
rendered from the hand-made results of ``tests/browser/cases.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

from tests.browser.cases import render_site
from tests.browser.cdp import Chromium, find_chromium

SHOTS = (("report-failing.png", "failing", 390), ("dashboard.png", None, 1280))


def shrink(path: Path, colors: int = 64) -> None:
    """A palette PNG: the pages use a few flat colours, so 64 keep them and cut the size by ~3."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main(target: Path) -> int:
    binary = find_chromium()
    if binary is None:
        print("chromium is not installed (sudo apt-get install chromium)", file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    browser = Chromium(binary)
    try:
        with tempfile.TemporaryDirectory() as folder:
            site = render_site(Path(folder))
            for name, case, width in SHOTS:
                page = browser.open(site.reports[case] if case else site.index, width)
                page.screenshot(target / name, full_page=True)
                page.close()
                shrink(target / name)
                print(target / name)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))
