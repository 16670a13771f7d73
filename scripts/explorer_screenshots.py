"""Screenshots of every panel of the latent explorer on a real run, for docs/explorer.md.

Starts the explorer's real server on a free local port, drives headless Chromium with Selenium through each
panel (samples, encode, interpolate, walk, arithmetic, conditional when the model has it, metrics) and saves
one PNG per panel.

Usage: python scripts/explorer_screenshots.py RUN_DIR [--out docs/explorer] [--prefix ""]
"""

from __future__ import annotations

import argparse
import shutil
import threading
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from latentgan.explore.app import create_app
from latentgan.explore.explorer import Explorer
from latentgan.explore.server import address, make_server


def chrome(profile: Path) -> webdriver.Chrome:
    """Headless Chromium at a fixed window size, so screenshots are the same size on every machine."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--hide-scrollbars", "--no-first-run", "--window-size=1200,1400", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


class Page:
    """The explorer page in a browser, with the few gestures the screenshots need."""

    def __init__(self, driver: webdriver.Chrome, out: Path, prefix: str):
        self.driver, self.out, self.prefix = driver, out, prefix

    def wait(self, condition, what: str, timeout: float = 120) -> None:
        """Wait until condition(driver) holds (the page works asynchronously)."""
        WebDriverWait(self.driver, timeout).until(condition, message=f"timed out waiting for {what}")

    def by_id(self, element_id: str):
        """The element with this id."""
        return self.driver.find_element(By.ID, element_id)

    def click(self, css: str) -> None:
        """Scroll an element into view and click it."""
        element = self.driver.find_element(By.CSS_SELECTOR, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def current_from_test(self, index: int) -> None:
        """Encode test image `index` and make it the current code."""
        self.click(f'#test-images img[data-index="{index}"]')
        self.wait(lambda d: f"test {index}" in self.by_id("current-source").text, f"test image {index}")

    def shoot(self, element_id: str, name: str) -> Path:
        """Save a screenshot of one panel."""
        element = self.by_id(element_id)
        # The sticky "current code" bar would cover the top of the panel in an element screenshot.
        self.driver.execute_script("document.getElementById('current-panel').style.position = 'static';"
                                   "arguments[0].scrollIntoView()", element)
        path = self.out / f"{self.prefix}{name}.png"
        element.screenshot(str(path))
        print(f"wrote {path}")
        return path


def images_of_class(explorer: Explorer, label: int, count: int) -> list[int]:
    """Indices of the first `count` test images of one class."""
    return [int(i) for i in (explorer.test.y == label).nonzero().flatten()[:count]]


def capture(page: Page, explorer: Explorer) -> None:
    """Drive each panel into an informative state and photograph it."""
    page.wait(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true", "the page")
    first = page.out / f"{page.prefix}first-view.png"  # what a user sees before any click: placeholders, no alt text
    page.driver.save_screenshot(str(first))
    print(f"wrote {first}")
    page.shoot("samples-panel", "samples")
    if explorer.adapter.can_encode and explorer.test is not None:
        sevens, ones, twos = (images_of_class(explorer, c, 3) for c in (7, 1, 2))
        page.current_from_test(sevens[0])
        page.shoot("encode-panel", "encode")
        page.click("#to-a")
        page.current_from_test(twos[0])
        page.click("#to-b")
    else:
        page.click("#samples img:nth-child(1)")
        page.click("#to-a")
        page.click("#samples img:nth-child(2)")
        page.click("#to-b")
    shown = page.by_id("interp-image")
    page.wait(lambda d: shown.get_attribute("data-t") == "0.5", "the interpolation")
    page.by_id("interp-slider").send_keys(*[Keys.ARROW_LEFT] * 20)
    page.wait(lambda d: shown.get_attribute("data-t") == "0.3", "the moved interpolation")
    page.shoot("interpolate-panel", "interpolate")

    first = page.driver.find_element(By.CSS_SELECTOR, "#walk-principal input[type=range]")
    first.send_keys(*[Keys.ARROW_RIGHT] * 15)  # axis 1 to +1.5 standard deviations
    page.click("#walk-strips")
    page.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#walk-strip-rows .strip-row")) > 0, "the walk strips")
    page.shoot("walk-panel", "walk")

    if explorer.adapter.can_encode and explorer.test is not None:
        for index in sevens:
            page.current_from_test(index)
            page.click("#to-set-a")
        for index in ones:
            page.current_from_test(index)
            page.click("#to-set-b")
        page.current_from_test(images_of_class(explorer, 4, 1)[0])
    else:
        for k, target in ((1, "#to-set-a"), (2, "#to-set-a"), (3, "#to-set-b"), (4, "#to-c")):
            page.click(f"#samples img:nth-child({k})")
            page.click(target)
    page.click("#to-c")
    page.click("#arith-run")
    page.wait(lambda d: page.by_id("arith-result").get_attribute("src"), "the arithmetic result")
    page.shoot("arithmetic-panel", "arithmetic")
    if explorer.adapter.conditioning is not None:
        page.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#conditional-images img"), "the conditional grid")
        page.shoot("conditional-panel", "conditional")
    page.shoot("metrics-panel", "metrics")
    page.driver.execute_script("document.getElementById('current-panel').style.position = ''; window.scrollTo(0, 0)")
    path = page.out / f"{page.prefix}overview.png"
    page.driver.save_screenshot(str(path))
    print(f"wrote {path}")


def main() -> None:
    """Serve the run, photograph the page, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--out", default="docs/explorer", help="folder for the PNGs (default docs/explorer)")
    parser.add_argument("--prefix", default="", help="prefix of every file name (e.g. 'gan-')")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    explorer = Explorer(args.run_dir)
    server, sock = make_server(create_app(args.run_dir, explorer=explorer))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    driver = chrome(out / ".profile")
    try:
        driver.get(address(sock))
        capture(Page(driver, out, args.prefix), explorer)
    finally:
        driver.quit()
        server.should_exit = True
        thread.join(timeout=30)
        shutil.rmtree(out / ".profile", ignore_errors=True)


if __name__ == "__main__":
    main()
