"""Screenshots of a run's report.html for docs/report.md: the first screen a reader sees, and the whole page.

Opens the report with headless Chromium (the same browser settings as scripts/explorer_screenshots.py), so the
pictures show exactly what a user's browser shows: headline metrics and pictures first, the config folded last.

Usage: python scripts/report_screenshots.py RUN_DIR [--out docs/report]   (run `latentgan report RUN_DIR` first)
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from explorer_screenshots import chrome


def main() -> None:
    """Photograph the report's first screen and its full height."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--out", default="docs/report", help="folder for the PNGs (default docs/report)")
    args = parser.parse_args()
    report = Path(args.run_dir) / "report.html"
    if not report.is_file():
        sys.exit(f"error: {report} does not exist; run `latentgan report {args.run_dir}` first")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    driver = chrome(out / ".profile")
    try:
        driver.get(report.resolve().as_uri())
        first = out / "first-screen.png"
        driver.save_screenshot(str(first))
        print(f"wrote {first}")
        # The whole page: grow the window to the document's height (headless Chromium has no full-page call).
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1200, min(int(height), 12000))
        whole = out / "whole-page.png"
        driver.save_screenshot(str(whole))
        print(f"wrote {whole}")
    finally:
        driver.quit()
        shutil.rmtree(out / ".profile", ignore_errors=True)


if __name__ == "__main__":
    main()
