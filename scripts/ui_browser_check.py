"""`registry ui` in a real browser: headless Chromium driven by Selenium (chromium-driver).

    ui_browser_check.py URL REGISTRY_BINARY DATABASE SCREENSHOT_DIR

Run by the Swift test UIBrowserTests against a server it started on the registry DATABASE
(the model `seed` with two versions, `keras`, and the trained run `r`); the binary is asked
for the truth (`ls --json`, `history --json`, `diff --json`, `show --json`). Checks, each a
failed assertion with its reason:
  - the models page lists the models `registry ls` lists, each with its latest version;
  - a click through the models page to a model, then to a version, shows the signature table;
  - the run's page draws the curve: an <svg> whose polylines have one point per epoch of the
    run and one dot per checkpoint of its history;
  - choosing two versions on the history page and pressing Compare opens the diff page, which
    names the tensors `registry diff` says changed;
  - the search box suggests from /api/search as one types, and arrow keys reach the suggestions;
  - keyboard: Tab reaches the skip link first, then the search box;
  - without JavaScript the models table is all there; on a 390 px wide screen no page is wider
    than the screen; the browser logs no error (a CSP violation or a failed load would be one).
Screenshots of every page are written to SCREENSHOT_DIR and their paths printed.
"""
import json
import os
import subprocess
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

URL, BINARY, DATABASE, OUT = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
CHROMIUM = os.environ.get("REGISTRY_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("REGISTRY_CHROMEDRIVER", "/usr/bin/chromedriver")


def cli(*args):
    out = subprocess.run([BINARY, *args, "--registry", DATABASE, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def browser(javascript=True, width=1280, height=900):
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-default-apps", "--hide-scrollbars"]:
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


shots = []


def shoot(driver, name):
    path = os.path.join(OUT, name + ".png")
    driver.execute_script("window.scrollTo(0, 0)")
    # The whole page: as tall as its content.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return window.innerWidth")
    driver.set_window_size(max(width, 390), min(max(height, 600), 4000))
    driver.save_screenshot(path)
    shots.append(path)


def rows(driver, table_index=0):
    table = driver.find_elements(By.CSS_SELECTOR, "main table")[table_index]
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


def check_errors(driver, where):
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"{where}: the browser logged errors: {errors}"


def main():
    os.makedirs(OUT, exist_ok=True)
    listed = cli("ls")
    latest = {}
    for version in listed:
        latest[version["model"]] = max(latest.get(version["model"], 0), version["version"])

    driver = browser()
    try:
        wait = WebDriverWait(driver, 30)
        # The models page lists what `registry ls` lists.
        driver.get(URL + "/")
        shown = {row[0]: row[3] for row in rows(driver)}
        assert shown == {model: f":{number}" for model, number in latest.items()}, f"models page {shown} != ls {latest}"
        counts = {row[0]: int(row[2]) for row in rows(driver)}
        assert counts == {m: sum(1 for v in listed if v["model"] == m) for m in latest}, f"version counts {counts}"
        check_errors(driver, "models page")
        shoot(driver, "1-models")
        driver.set_window_size(1280, 900)

        # Keyboard: the skip link first, then the search box.
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        assert driver.switch_to.active_element.text == "Skip to content", driver.switch_to.active_element.text
        driver.switch_to.active_element.send_keys(Keys.TAB)
        driver.switch_to.active_element.send_keys(Keys.TAB)
        assert driver.switch_to.active_element.get_attribute("id") == "q", "Tab reaches the search box"

        # Search suggestions come from /api/search as one types; ArrowDown reaches them.
        driver.switch_to.active_element.send_keys("kern")
        wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#suggestions a")))
        suggestions = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#suggestions a")]
        assert any("kernel" in s for s in suggestions), suggestions
        driver.find_element(By.ID, "q").send_keys(Keys.ARROW_DOWN)
        assert driver.switch_to.active_element.tag_name == "a", "ArrowDown moves into the suggestions"
        shoot(driver, "2-search-suggestions")
        driver.set_window_size(1280, 900)

        # A click through model -> version shows the signature table.
        driver.get(URL + "/")
        driver.find_element(By.LINK_TEXT, "seed").click()
        wait.until(EC.title_contains("seed"))
        history = cli("history", "seed")
        assert len(rows(driver)) == len(history), "the history table has a row per version"
        driver.find_element(By.LINK_TEXT, ":1").click()
        wait.until(EC.title_contains("seed:1"))
        caption = driver.find_element(By.CSS_SELECTOR, "section.graph table caption").text
        assert caption == "Signatures", caption
        show = cli("show", "seed:1")
        expected = []
        for graph in show["metaGraphs"]:
            for signature in graph["signatures"]:
                for direction, ends in (("in", signature["inputs"]), ("out", signature["outputs"])):
                    for end in ends:
                        shape = "<unknown rank>" if end["shape"] is None else "[" + ",".join("?" if d < 0 else str(d) for d in end["shape"]) + "]"
                        expected.append([signature["key"], signature["method"], direction, end["key"], end["dtype"], shape, end["name"]])
        tables = driver.find_elements(By.CSS_SELECTOR, "section.graph table")
        shown = [row for i in range(len(tables)) for row in rows(driver, i)]
        assert shown == expected, f"signature rows {shown} != show --json {expected}"
        # The version digest (the OCI manifest's), then the content digest, as `show --json` gives them.
        digests = [element.text for element in driver.find_elements(By.CSS_SELECTOR, "code.digest")]
        assert digests == [show["provenance"]["digest"], show["digest"]], digests
        check_errors(driver, "version page")
        shoot(driver, "3-version")
        driver.set_window_size(1280, 900)

        # The run's curve: one point per epoch, one dot per checkpoint.
        driver.get(URL + "/models/r")
        history = cli("history", "r")
        polylines = driver.find_elements(By.CSS_SELECTOR, "figure.curve svg polyline")
        assert len(polylines) == 2, f"{len(polylines)} polylines"
        # `registry train` records every epoch; its last checkpoint is the last epoch's.
        epochs = int(max(v["metrics"]["epoch"] for v in history)) + 1
        for polyline in polylines:
            points = polyline.get_attribute("points").split()
            assert len(points) == epochs, f"{len(points)} points for {epochs} epochs"
        dots = driver.find_elements(By.CSS_SELECTOR, "figure.curve svg circle")
        assert len(dots) == 2 * len(history), f"{len(dots)} dots for {len(history)} checkpoints (two panels)"
        assert len(driver.find_elements(By.CSS_SELECTOR, ".badge.kept")) == len(history)

        # Choose the first and the last checkpoint, compare: the diff page names what changed.
        radios_from = driver.find_elements(By.CSS_SELECTOR, "input[name=from]")
        radios_to = driver.find_elements(By.CSS_SELECTOR, "input[name=to]")
        radios_from[0].click()
        radios_to[-1].click()
        shoot(driver, "4-run-history")
        driver.set_window_size(1280, 900)
        driver.find_element(By.XPATH, "//button[contains(., 'Compare')]").click()
        wait.until(EC.title_contains("→"))
        diff = cli("diff", f"r:{history[0]['version']}", f"r:{history[-1]['version']}")
        changed = [row[0] for row in rows(driver)]
        assert changed == [c["name"] for c in diff["changed"]] and changed, f"diff page {changed} != {diff['changed']}"
        largest = [row[3].split()[-1] for row in rows(driver)]
        assert largest == ["%.6g" % c["maxAbsDifference"] if "maxAbsDifference" in c else "compared" for c in diff["changed"]], largest
        check_errors(driver, "diff page")
        shoot(driver, "5-diff")
        driver.set_window_size(1280, 900)

        driver.get(URL + "/search?q=seed")
        shoot(driver, "6-search")
        driver.set_window_size(1280, 900)
        driver.get(URL + "/models/nosuch")
        assert "no model named 'nosuch'" in driver.find_element(By.CSS_SELECTOR, ".error").text
        shoot(driver, "7-not-found")

        # A narrow screen: nothing wider than it (wide tables scroll inside their box).
        driver.set_window_size(390, 844)
        for path in ["/", "/models/seed", "/models/seed:1", "/models/r", f"/diff?from=r:{history[0]['version']}&to=r:{history[-1]['version']}"]:
            driver.get(URL + path)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} is {overflow} px wider than a 390 px screen"
        driver.get(URL + "/models/seed:1")
        shoot(driver, "8-narrow-version")
    finally:
        driver.quit()

    # Without JavaScript, the tables are all there.
    driver = browser(javascript=False)
    try:
        driver.get(URL + "/")
        assert {row[0] for row in rows(driver)} == set(latest), "the models table without JavaScript"
        driver.get(URL + "/models/seed")
        driver.find_element(By.XPATH, "//button[contains(., 'Compare')]").click()
        WebDriverWait(driver, 30).until(EC.title_contains("→"))
        assert "seed:1" in driver.find_element(By.CSS_SELECTOR, ".lede").text
        shoot(driver, "9-no-javascript-diff")
    finally:
        driver.quit()

    for path in shots:
        print("screenshot:", path)
    print("browser checks passed")


if __name__ == "__main__":
    main()
