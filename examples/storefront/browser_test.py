"""The storefront in a real browser: headless Chromium (Debian's chromium and
chromium-driver, driven through Selenium's WebDriver) opens the page in two
tabs of one browser (one session); adding in one tab updates the other's
badge and drawer within a second; signing in merges the guest cart and both
tabs follow it; a screenshot of the page is written to the path given.

    python3 examples/storefront/browser_test.py http://127.0.0.1:8080 storefront.png

Exits non-zero when anything is not as expected.
"""

import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
SCREENSHOT = sys.argv[2] if len(sys.argv) > 2 else "storefront.png"
LIVE = 1.0  # seconds a change may take to reach the other tab


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def text_is(element_id, expected):
    def check(driver):
        return driver.find_element(By.ID, element_id).text == expected
    return check


def main():
    driver = browser()
    try:
        driver.get(URL)
        WebDriverWait(driver, 10).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button.add")))
        first = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.get(URL)
        WebDriverWait(driver, 10).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button.add")))
        second = driver.current_window_handle

        # Added in the first tab: the second tab's badge and drawer follow.
        driver.switch_to.window(first)
        driver.find_element(By.CSS_SELECTOR, "button.add").click()
        WebDriverWait(driver, 5).until(text_is("badge", "1"))
        driver.switch_to.window(second)
        WebDriverWait(driver, LIVE).until(text_is("badge", "1"))
        WebDriverWait(driver, LIVE).until(lambda d: "Classic Tee" in d.find_element(By.ID, "lines").text)

        # And the other way round.
        driver.find_element(By.CSS_SELECTOR, "button.add").click()
        driver.switch_to.window(first)
        WebDriverWait(driver, LIVE).until(text_is("badge", "2"))

        # Sign in from the first tab: the guest cart merges into the
        # customer's, and both tabs follow it.
        driver.find_element(By.ID, "customer").send_keys("ada")
        driver.find_element(By.ID, "signin").click()
        WebDriverWait(driver, 5).until(text_is("who", "ada"))
        driver.switch_to.window(second)
        WebDriverWait(driver, 5).until(text_is("who", "ada"))
        WebDriverWait(driver, LIVE).until(text_is("badge", "2"))

        # Past the stock (3 Large tees): the optimistic +1 is rolled back and
        # the shopper is told how many are left.
        Select(driver.find_element(By.CSS_SELECTOR, ".product select")).select_by_value("var-classic-tee-l")
        add = driver.find_element(By.CSS_SELECTOR, "button.add")
        for expected in ("3", "4", "5"):
            add.click()
            WebDriverWait(driver, 5).until(text_is("badge", expected))
        add.click()
        WebDriverWait(driver, 5).until(text_is("error", "Only 3 left in stock."))
        WebDriverWait(driver, 5).until(text_is("badge", "5"))
        driver.save_screenshot(SCREENSHOT)
        print(f"storefront: two tabs followed every change; screenshot {SCREENSHOT}")
    except Exception:
        # What the page showed when it went wrong.
        driver.save_screenshot(SCREENSHOT.replace(".png", "-failure.png"))
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
