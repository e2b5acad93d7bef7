"use strict";
/**
 * Headless Chromium from Debian's `chromium` package driven by puppeteer-core, for the browser
 * and dashboard tests: offline, no sandbox, a throw-away profile.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Launches Chromium; resolves with `{ browser, close }`, where close() also removes the profile. */
async function launchChromium() {
  const puppeteer = require("puppeteer-core");
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tickstream-chromium-"));
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir, args: ARGS });
  const close = async () => {
    await browser.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { browser, close };
}

/** A new page of `viewport` size at `url` (DOM loaded); `errors` collects the page's uncaught errors. */
async function openPage(browser, url, viewport) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.setViewport(viewport);
  await page.goto(url, { waitUntil: "domcontentloaded" });
  return { page, errors };
}

/** Writes a full-page screenshot to `file` (its folder made if missing). */
async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

module.exports = { CHROMIUM, launchChromium, openPage, screenshot };
