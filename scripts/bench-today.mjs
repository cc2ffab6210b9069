// Measures the Today view with 200 doses in headless Chromium, on the release build served by the
// reference backend: the navigation to Today (all cards rendered) and the update after one tap on
// "Taken", each without and with 4x CPU throttling (roughly a mid-range phone). Prints figures; it
// is a benchmark, not a test.
//
// Usage: node scripts/bench-today.mjs   (after scripts/test.sh or a release build into dist/ and
// `cargo build -p portal-backend`; CHROMIUM_PATH and PORTAL_BENCH_BACKEND override the defaults)
import { createRequire } from "node:module";
import { median, startBackend } from "./bench-backend.mjs";

const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const { base, stop } = await startBackend(8191);

const ROUNDS = 5;
const REMINDERS = 25;
const TIMES = ["00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00"];



async function seed(request) {
  const today = new Date().toISOString().slice(0, 10);
  await request.post(`${base}/api/v1/session`, {
    data: { email: "cara@example.com", password: "caregiver-demo" },
  });
  const person = await (
    await request.post(`${base}/api/v1/people`, {
      data: { name: "Bench", colour: "teal", zone: "UTC" },
      headers: { "Idempotency-Key": crypto.randomUUID() },
    })
  ).json();
  for (let i = 0; i < REMINDERS; i++) {
    const answer = await request.post(`${base}/api/v1/reminders`, {
      headers: { "Idempotency-Key": crypto.randomUUID() },
      data: {
        personId: person.id,
        medicine: `Medicine ${i + 1}`,
        strength: "10 mg",
        doseAmount: "1",
        doseUnit: "tablet",
        instructions: "",
        schedule: { zone: "UTC", start: today, pattern: { kind: "daily", times: TIMES }, travel: "keepLocalTime" },
        hideNameInCalendar: false,
      },
    });
    if (!answer.ok()) throw new Error(`seeding failed: ${answer.status()} ${await answer.text()}`);
  }
}

/** Milliseconds from `action` until `done()` is true in the page, checked on every DOM change. */
async function timed(page, action, done) {
  return page.evaluate(
    ([action, done]) =>
      new Promise((resolve) => {
        const check = new Function(`return (${done})()`);
        const t0 = performance.now();
        const observer = new MutationObserver(() => {
          if (check()) {
            observer.disconnect();
            resolve(performance.now() - t0);
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        new Function(`(${action})()`)();
      }),
    [action.toString(), done.toString()],
  );
}

async function run(page, label) {
  const navigation = [];
  const tap = [];
  for (let round = 0; round < ROUNDS; round++) {
    await page.click("nav.section-nav a[href='/reminders/history']");
    await page.waitForSelector("h1:has-text('History')");
    navigation.push(
      await timed(
        page,
        () => document.querySelector("nav.section-nav a[href='/reminders']").click(),
        () => document.querySelectorAll("ol.dose-list > li").length >= 200,
      ),
    );
    tap.push(
      await timed(
        page,
        () => {
          // A dose due or past: one hours away asks first, which is not what is timed here.
          const card = [...document.querySelectorAll("ol.dose-list article:not(.status-upcoming)")].find((a) =>
            a.querySelector("button.button-primary"),
          );
          window.__benchCard = card;
          card.querySelector("button.button-primary").click();
        },
        () => window.__benchCard && window.__benchCard.isConnected === false
          ? true
          : !!window.__benchCard?.querySelector(".dose-status.taken"),
      ),
    );
  }
  console.log(
    `${label}: navigate to Today (200 doses) median ${median(navigation).toFixed(1)} ms, max ${Math.max(...navigation).toFixed(1)} ms; ` +
      `tap Taken to updated view median ${median(tap).toFixed(1)} ms, max ${Math.max(...tap).toFixed(1)} ms (${ROUNDS} rounds)`,
  );
}

try {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  const page = await context.newPage();
  await seed(context.request);
  await page.goto(`${base}/reminders`);
  await page.waitForFunction(() => document.querySelectorAll("ol.dose-list > li").length >= 200, null, { timeout: 30_000 });
  await run(page, "no throttling");
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await run(page, "4x CPU throttling");
  await browser.close();
} finally {
  stop();
}
