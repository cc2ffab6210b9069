// Benchmarks the release build as patients receive it: Lighthouse (mobile preset: simulated slow
// 4G and a 4x slower CPU) on Home, Learn, one article, Today and Ask, the first-load transfer of
// each page (HTML + wasm + JS + CSS as sent, brotli), and in-browser timings of moving between
// sections. Prints figures; exits 1 when a page's first load is over the transfer budget.
//
// Usage: node scripts/bench-web.mjs   (after a release build into dist/ and
// `cargo build -p portal-backend`; installs Lighthouse into bench/ on first use.
// CHROMIUM_PATH, PORTAL_BENCH_BACKEND and PORTAL_BUDGET_KIB override the defaults.)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { median, startBackend } from "./bench-backend.mjs";

const root = new URL("..", import.meta.url).pathname;
const chromePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const budgetKiB = Number(process.env.PORTAL_BUDGET_KIB ?? 200);

if (!existsSync(join(root, "bench/node_modules/lighthouse"))) {
  console.log("Installing Lighthouse into bench/ (once)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: join(root, "bench"), stdio: "inherit" });
}
const benchRequire = createRequire(join(root, "bench/package.json"));
const { default: lighthouse } = await import(benchRequire.resolve("lighthouse"));
const chromeLauncher = await import(benchRequire.resolve("chrome-launcher"));
const e2eRequire = createRequire(join(root, "e2e/package.json"));
const { chromium } = e2eRequire("playwright-core");
const { base, stop } = await startBackend(8192);



/** A caregiver's session cookie, so Lighthouse can open Today. */
async function caregiverCookie() {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "cara@example.com", password: "caregiver-demo" }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

async function firstArticlePath() {
  const list = await (await fetch(`${base}/api/v1/articles?lang=en`)).json();
  const items = Array.isArray(list) ? list : (list.articles ?? list.items ?? []);
  if (!items.length) throw new Error("no published article to measure");
  return `/learn/${items[0].slug}`;
}

const isFirstLoadType = (r) =>
  ["Document", "Script", "Stylesheet"].includes(r.resourceType) ||
  r.mimeType === "application/wasm" ||
  r.url.endsWith(".wasm");

async function audit(chrome, name, path, cookie) {
  const { lhr } = await lighthouse(
    `${base}${path}`,
    {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices"],
      extraHeaders: cookie ? { Cookie: cookie } : undefined,
    },
  );
  const requests = lhr.audits["network-requests"]?.details?.items ?? [];
  const firstLoad = requests.filter(isFirstLoadType).reduce((sum, r) => sum + (r.transferSize ?? 0), 0);
  const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const failing = ["accessibility", "best-practices"].flatMap((id) =>
    lhr.categories[id].auditRefs
      .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
      .map((ref) => ref.id),
  );
  return {
    name,
    path,
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    lcp: lhr.audits["largest-contentful-paint"].numericValue,
    tbt: lhr.audits["total-blocking-time"].numericValue,
    cls: lhr.audits["cumulative-layout-shift"].numericValue,
    firstLoadKiB: firstLoad / 1024,
    lcpElement: lcpElement(lhr),
    failing,
    consoleErrors: (lhr.audits["errors-in-console"]?.details?.items ?? []).map((i) => `${i.source}: ${i.description}`),
    error: lhr.runtimeError?.message,
  };
}


/** `value` with `digits` decimals, or "n/a" when Lighthouse could not measure it (its error is
 * printed below the row). */
function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/** The element Lighthouse took as the largest contentful paint, as an HTML snippet. */
function lcpElement(lhr) {
  const details = lhr.audits["largest-contentful-paint-element"]?.details;
  const table = details?.items?.find((i) => i.type === "table") ?? details;
  return table?.items?.[0]?.node?.snippet ?? "";
}

/** Milliseconds from a click on `link` until the page's heading reads `heading`. */
async function navigation(page, link, heading) {
  return page.evaluate(
    ([link, heading]) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        const done = () => document.querySelector("main h1")?.textContent?.trim() === heading;
        const observer = new MutationObserver(() => {
          if (done()) {
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - t0));
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        document.querySelector(link).click();
      }),
    [link, heading],
  );
}

async function sectionTimings() {
  const browser = await chromium.launch({ executablePath: chromePath, args: ["--no-sandbox", "--disable-gpu"] });
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${base}/`);
  // The page the backend wrote out is replaced once the app has started: measure the app.
  await page.waitForSelector("#boot-shell", { state: "detached" });
  await page.waitForSelector("main h1");
  const cdp = await page.context().newCDPSession(page);
  const lines = [];
  for (const rate of [1, 4]) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    const times = [];
    for (let round = 0; round < 5; round++) {
      for (const [link, heading] of [
        ["nav a[href='/learn']", "Learn"],
        ["nav a[href='/ask']", "Ask a question"],
        ["a.brand", "Your health companion"],
      ]) {
        times.push(await navigation(page, link, heading));
      }
    }
    const ok = times.filter((t) => Number.isFinite(t));
    lines.push(
      `  CPU ${rate}x: median ${median(ok).toFixed(1)} ms, max ${Math.max(...ok).toFixed(1)} ms over ${ok.length} moves`,
    );
  }
  await browser.close();
  return lines;
}

let overBudget = false;
try {
  const cookie = await caregiverCookie();
  const pages = [
    ["Home", "/", null],
    ["Learn", "/learn", null],
    ["Article", await firstArticlePath(), null],
    ["Today", "/reminders", cookie],
    ["Ask", "/ask", null],
  ];
  const chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
  });
  const results = [];
  try {
    for (const [name, path, c] of pages) results.push(await audit(chrome, name, path, c));
  } finally {
    await chrome.kill();
  }
  console.log("Lighthouse 12, mobile preset (simulated slow 4G, 4x CPU), release build\n");
  console.log("page      perf  a11y  best   LCP s  TBT ms   CLS     first load KiB (br)");
  for (const r of results) {
    const over = r.firstLoadKiB > budgetKiB;
    overBudget ||= over;
    console.log(
      `${r.name.padEnd(9)} ${String(r.performance).padStart(4)}  ${String(r.accessibility).padStart(4)}  ` +
        `${String(r.bestPractices).padStart(4)}  ${fixed(r.lcp / 1000, 2).padStart(6)}  ${fixed(r.tbt, 0).padStart(6)}  ` +
        `${fixed(r.cls, 3).padStart(6)}   ${r.firstLoadKiB.toFixed(1).padStart(7)}${over ? "  OVER" : ""}`,
    );
    if (r.lcpElement) console.log(`          LCP element: ${r.lcpElement.slice(0, 120)}`);
    if (r.failing.length) console.log(`          below 100 because of: ${r.failing.join(", ")}`);
    for (const e of r.consoleErrors) console.log(`          console: ${e.slice(0, 160)}`);
    if (r.error) console.log(`          Lighthouse error: ${r.error}`);
  }
  console.log("\nMoving between Home, Learn and Ask (click to new heading painted), phone viewport:");
  for (const line of await sectionTimings()) console.log(line);
  console.log(
    `\nFirst-load budget ${budgetKiB} KiB per page: ${overBudget ? "OVER on the pages marked" : "every page within"}`,
  );
} finally {
  stop();
}
process.exit(overBudget ? 1 : 0);
