// Drives one installed browser through the pages check.sh prepared (puppeteer-core: the DevTools
// protocol for Chromium, WebDriver BiDi for Firefox; the system's own binary, nothing
// downloaded). For each data set and width it opens checked.html from file:// in a viewport of
// exactly that width, waits for check.js's verdict (#ranksense-check), and for IECI saves a
// full-page screenshot of that same rendering; the screenshot must be exactly as wide as the
// page's layout viewport, which ties the overflow check to the saved picture (a page wider than
// its viewport gives a wider screenshot). At 1400 px each set is opened once more with ?explore, where check.js
// drives the weight explorer. Script errors and console errors fail the page (check.js records
// them from the page's first line; the protocol's own error events are added here).
// Usage: node run.js BROWSER EXECUTABLE WORK_FOLDER SCREENSHOT_FOLDER SET...
// Prints one line per page: "OK|FAIL BROWSER SET width=... ..." and exits 1 on any failure.
"use strict";
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const WIDTHS = [1400, 420];
const HEIGHT = 1000;
// Generous: a loaded 2-core machine renders IECI's report in a few seconds.
const VERDICT_TIMEOUT_MS = 180000;

const [browserName, executable, work, shots, ...sets] = process.argv.slice(2);

function launchOptions() {
  const common = { executablePath: executable, headless: true, protocolTimeout: VERDICT_TIMEOUT_MS };
  if (browserName === "firefox") {
    return { ...common, browser: "firefox" };
  }
  // The flags the machine notes require: no sandbox as root, no background network traffic.
  return {
    ...common,
    browser: "chrome",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--allow-file-access-from-files"],
  };
}

// Width in pixels of a PNG (its IHDR chunk, bytes 16–19, big-endian).
function pngWidth(buffer) {
  return buffer.readUInt32BE(16);
}

async function checkPage(browser, set, width, explore, screenshot) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push("page error: " + (error && error.message ? error.message : error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push("console error: " + message.text());
  });
  try {
    await page.setViewport({ width, height: HEIGHT, deviceScaleFactor: 1 });
    const url = "file://" + path.join(work, set, "checked.html") + (explore ? "?explore=1" : "");
    await page.goto(url, { waitUntil: "load", timeout: VERDICT_TIMEOUT_MS });
    const verdict = await page.waitForSelector("#ranksense-check", { timeout: VERDICT_TIMEOUT_MS });
    let text = await verdict.evaluate((element) => element.textContent);
    const problems = errors.slice();
    if (screenshot) {
      // The page as the overflow check measured it (the verdict element sits below the end).
      await verdict.evaluate((element) => element.remove());
      const file = path.join(shots, `${browserName}-${set}-${width}.png`);
      // The layout width: the viewport less a classic scrollbar (Firefox draws one, 12 px).
      const layoutWidth = await page.evaluate(() => document.documentElement.clientWidth);
      const picture = await page.screenshot({ path: file, fullPage: true });
      const pictured = pngWidth(Buffer.from(picture));
      text = text.replace(/\n|$/, ` screenshot=${path.basename(file)}$&`);
      if (pictured !== layoutWidth) {
        problems.push(`the full-page screenshot ${file} is ${pictured} px wide, not the page's ${layoutWidth}: the page overflows sideways`);
      }
    }
    if (problems.length) text = text.replace(/^OK /, "FAIL ") + problems.map((p) => "\n" + p).join("");
    return text;
  } catch (error) {
    return `FAIL ${set} width=${width}${explore ? " explore" : ""}: no verdict (${error.message})` +
      errors.map((e) => "\n" + e).join("");
  } finally {
    await page.close().catch(() => {});
  }
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const browser = await puppeteer.launch(launchOptions());
  const results = [];
  try {
    const version = await browser.version();
    console.log(`browser check: ${browserName}: ${version}`);
    for (const set of sets) {
      for (const width of WIDTHS) {
        results.push(await checkPage(browser, set, width, false, set === "ieci"));
      }
      if (fs.existsSync(path.join(work, set, "expected.js"))) {
        results.push(await checkPage(browser, set, 1400, true, false));
      }
    }
  } finally {
    await browser.close().catch(() => {});
  }
  for (const result of results) {
    console.log(result.split("\n").map((line) => `browser check: ${browserName}: ${line}`).join("\n"));
  }
  process.exit(results.every((result) => result.startsWith("OK ")) ? 0 : 1);
}

main().catch((error) => {
  console.log(`browser check: ${browserName}: FAIL — ${error.stack || error}`);
  process.exit(1);
});
