"""The explorer in a real browser: headless Chromium driven by Selenium against the real uvicorn server."""

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("fastapi", reason="the explorer needs the explore extra: pip install latentgan[explore]")
webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test needs selenium (dev extra)")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from latentgan.explore.app import create_app  # noqa: E402
from latentgan.explore.images import pixels_of_data_url, to_uint8  # noqa: E402
from latentgan.explore.server import address, make_server  # noqa: E402


def _found(name: str) -> str | None:
    return shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)


CHROMIUM, CHROMEDRIVER = _found("chromium"), _found("chromedriver")
pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                reason="Chromium and chromedriver are not installed (Debian: apt-get install "
                                       "chromium chromium-driver); the explorer's browser test needs both")


@pytest.fixture
def served(ali_explorer):
    """The ALI run's app on the real uvicorn server, on a free 127.0.0.1 port, in a thread."""
    server, sock = make_server(create_app(ali_explorer.run_dir, explorer=ali_explorer))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield address(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium with no network of its own beyond the local server."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1200,2000",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, what: str, timeout: float = 30):
    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message=f"timed out waiting for {what}")


def test_encode_interpolate_and_refuse_a_non_image_in_the_browser(served, browser, ali_explorer, tmp_path):
    driver = browser
    driver.get(served)
    _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true", "the page")
    assert driver.find_element(By.ID, "status").text == ""
    # Before the first click the empty tiles show a blank placeholder, not a broken image with its alt text.
    placeholder = driver.execute_script("return getComputedStyle(document.getElementById('interp-a')).content")
    assert "data:image/gif" in placeholder

    # Encode test image 0 and make its code A; the first sample's code becomes B.
    driver.find_element(By.CSS_SELECTOR, '#test-images img[data-index="0"]').click()
    _wait(driver, lambda d: "test 0" in d.find_element(By.ID, "current-source").text, "the encoded test image")
    assert driver.find_element(By.ID, "encode-reconstruction").get_attribute("src").startswith("data:image/png")
    driver.find_element(By.ID, "to-a").click()
    driver.find_element(By.CSS_SELECTOR, "#samples img").click()
    _wait(driver, lambda d: "sample 0" in d.find_element(By.ID, "current-source").text, "the chosen sample")
    driver.find_element(By.ID, "to-b").click()
    shown = driver.find_element(By.ID, "interp-image")
    _wait(driver, lambda d: shown.get_attribute("data-t") == "0.5", "the interpolation at t = 0.5")
    before = shown.get_attribute("src")

    # Move the slider with the keyboard, as a user would: 20 steps right of the middle.
    slider = driver.find_element(By.ID, "interp-slider")
    slider.send_keys(*[Keys.ARROW_RIGHT] * 20)
    assert slider.get_attribute("value") == "70"
    _wait(driver, lambda d: shown.get_attribute("data-t") == "0.7", "the interpolation at t = 0.7")
    after = shown.get_attribute("src")
    assert after != before, "moving the slider did not change the displayed image"
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", shown) == 28

    # The picture on the page is exactly model.decode of the interpolated code.
    a = torch.tensor(driver.execute_script("return explorerState.a.code"))
    b = torch.tensor(driver.execute_script("return explorerState.b.code"))
    model = ali_explorer.model
    with torch.no_grad():
        x0 = ali_explorer.test.batch(torch.tensor([0]))[0]
        torch.testing.assert_close(a[None], model.encode(x0), rtol=1e-5, atol=1e-6)
        t = torch.tensor(0.7)
        want = to_uint8(model.decode(((1 - t) * a + t * b)[None]), (-1.0, 1.0))[0]
    np.testing.assert_array_equal(pixels_of_data_url(after), want)

    # A file that is not an image is refused, and the page says so.
    text = tmp_path / "notes.txt"
    text.write_text("not an image at all")
    driver.find_element(By.ID, "upload").send_keys(str(text))
    error = driver.find_element(By.ID, "upload-error")
    _wait(driver, lambda d: "not a readable PNG or JPEG image" in error.text, "the upload's error message")
    assert error.text.startswith("notes.txt:")
