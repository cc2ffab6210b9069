import { createRequire } from "node:module";
import { join } from "node:path";
import { startBackend } from "./bench-backend.mjs";
const root = new URL("..", import.meta.url).pathname;
const benchRequire = createRequire(join(root, "bench/package.json"));
const { default: lighthouse } = await import(benchRequire.resolve("lighthouse"));
const chromeLauncher = await import(benchRequire.resolve("chrome-launcher"));
const { base, stop } = await startBackend(8193);
const path = process.argv[2] ?? "/";
const runs = Number(process.argv[3] ?? 1);
const chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium", chromeFlags: ["--headless=new", "--no-sandbox"] });
try {
  for (let i = 0; i < runs; i++) {
    const { lhr } = await lighthouse(`${base}${path}`, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] }, undefined);
    const a = lhr.audits;
    console.log(`perf ${Math.round(lhr.categories.performance.score * 100)} FCP ${a["first-contentful-paint"].numericValue.toFixed(0)} LCP ${a["largest-contentful-paint"].numericValue.toFixed(0)} TBT ${a["total-blocking-time"].numericValue.toFixed(0)} SI ${a["speed-index"].numericValue.toFixed(0)}`);
    for (const t of a["long-tasks"]?.details?.items ?? []) console.log("  long", t.url?.slice(-50), t.startTime?.toFixed(0), t.duration?.toFixed(0));
    for (const t of a["bootup-time"]?.details?.items ?? []) console.log("  boot", t.url?.slice(-50), t.total?.toFixed(0), "script", t.scripting?.toFixed(0), "parse", t.scriptParseCompile?.toFixed(0));
    for (const t of a["mainthread-work-breakdown"]?.details?.items ?? []) console.log("  main", t.groupLabel, t.duration?.toFixed(0));
    const lcpEl = a["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node?.snippet;
    console.log("  lcp-el", lcpEl);
  }
} finally {
  await chrome.kill();
  await stop();
}
