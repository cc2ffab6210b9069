import { test, expect, type BrowserContext, type Page, type Worker } from "./fixtures";
import { heading, signIn } from "./helpers";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The installable, offline app: manifest and icons, the service worker's precache and update flow,
// offline pages, and dose reminders pushed to the worker with Taken / Snooze buttons.

test.use({ serviceWorkers: "allow" });

type PushPayload = {
  type: string;
  reminderId: string;
  personId: string;
  scheduledAt: string;
  person: string;
  medicine: string | null;
  dose: string | null;
  doseAmount: string | null;
  doseUnit: string | null;
  url: string;
};

type Shown = { title: string; body: string; tag: string; actions: string[]; lang: string };

type DoseEvent = { id: string; reminderId: string; scheduledAt: string | null; action: string; snoozeMinutes?: number | null };

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** Waits until the page is controlled by the active service worker, and returns that worker. */
async function controlledBy(page: Page): Promise<Worker> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const workers = page.context().serviceWorkers();
  if (workers.length > 0) return workers[0];
  return page.context().waitForEvent("serviceworker");
}

/** Every URL in every cache of Cache Storage, by cache name. */
async function cacheContents(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => r.url);
    }
    return out;
  });
}

/** A value of the app's IndexedDB key-value store, read from the page. */
async function stored(page: Page, key: string): Promise<string | null> {
  return page.evaluate(
    (key) =>
      new Promise<string | null>((resolve, reject) => {
        const open = indexedDB.open("patient-portal");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("kv")) {
            db.close();
            resolve(null);
            return;
          }
          const get = db.transaction("kv", "readonly").objectStore("kv").get(key);
          get.onsuccess = () => {
            db.close();
            resolve(typeof get.result === "string" ? get.result : null);
          };
          get.onerror = () => reject(get.error);
        };
      }),
    key,
  );
}

/** Dispatches a push event in the worker, as the push service would, and returns the
 * notifications it then shows (polled: the handler finishes after the event returns). */
async function push(worker: Worker, data: unknown, count = 1): Promise<Shown[]> {
  await worker.evaluate(async (text) => {
    // The constructor is there in Chromium's service worker scope. A script-made event refuses
    // waitUntil, so it is stood in for: the test goes on only once the notification is shown (a
    // repeat for the same dose would otherwise replace it after the test has moved on).
    const Push = (self as unknown as { PushEvent: new (t: string, i: unknown) => Event }).PushEvent;
    const event = new Push("push", { data: text });
    const work: Promise<unknown>[] = [];
    Object.defineProperty(event, "waitUntil", { value: (p: Promise<unknown>) => work.push(p) });
    self.dispatchEvent(event);
    await Promise.allSettled(work);
  }, typeof data === "string" ? data : JSON.stringify(data));
  let shown: Shown[] = [];
  await expect
    .poll(async () => {
      shown = await notifications(worker);
      return shown.length;
    })
    .toBeGreaterThanOrEqual(count);
  return shown;
}

async function notifications(worker: Worker): Promise<Shown[]> {
  return worker.evaluate(async () => {
    const reg = (self as unknown as { registration: ServiceWorkerRegistration }).registration;
    const list = await reg.getNotifications();
    return list.map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      lang: n.lang,
      actions: ((n as unknown as { actions?: Array<{ action: string; title: string }> }).actions ?? []).map(
        (a) => `${a.action}:${a.title}`,
      ),
    }));
  });
}

async function closeAll(worker: Worker) {
  await worker.evaluate(async () => {
    const reg = (self as unknown as { registration: ServiceWorkerRegistration }).registration;
    for (const n of await reg.getNotifications()) n.close();
  });
}

/** Presses a notification's button (or its body, with action ""), as the system would. */
async function click(worker: Worker, tag: string, action: string) {
  await worker.evaluate(
    async ({ tag, action }) => {
      const reg = (self as unknown as { registration: ServiceWorkerRegistration }).registration;
      const [notification] = await reg.getNotifications({ tag });
      if (!notification) throw new Error(`no notification tagged ${tag}`);
      const Click = (self as unknown as { NotificationEvent: new (t: string, i: unknown) => Event }).NotificationEvent;
      self.dispatchEvent(new Click("notificationclick", { notification, action }));
    },
    { tag, action },
  );
}

/** A person and a daily reminder made through the API, with names no other test uses. */
async function personWithReminder(page: Page, hideName = false) {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const person = await page.request.post("/api/v1/people", {
    data: { name: `Push ${suffix}`, colour: "teal", zone: "UTC" },
    headers: { "Idempotency-Key": `person-${suffix}` },
  });
  expect(person.ok(), await person.text()).toBeTruthy();
  const { id: personId, name } = (await person.json()) as { id: string; name: string };
  const medicine = `Pushamol ${suffix}`;
  const reminder = await page.request.post("/api/v1/reminders", {
    data: {
      personId,
      medicine,
      strength: "500 mg",
      doseAmount: "1",
      doseUnit: "tablet",
      hideNameInCalendar: hideName,
      schedule: { zone: "UTC", start: "2026-01-01", pattern: { kind: "daily", times: ["08:00"] } },
    },
    headers: { "Idempotency-Key": `reminder-${suffix}` },
  });
  expect(reminder.ok(), await reminder.text()).toBeTruthy();
  const { id: reminderId } = (await reminder.json()) as { id: string };
  return { personId, name, reminderId, medicine };
}

function payloadFor(r: { personId: string; name: string; reminderId: string; medicine: string }, scheduledAt: string, hidden = false): PushPayload {
  return {
    type: "dose-due",
    reminderId: r.reminderId,
    personId: r.personId,
    scheduledAt,
    person: r.name,
    medicine: hidden ? null : `${r.medicine} 500 mg`,
    dose: hidden ? null : "1 tablet",
    doseAmount: hidden ? null : "1",
    doseUnit: hidden ? null : "tablet",
    url: "/reminders",
  };
}

async function eventsOf(page: Page, reminderId: string): Promise<DoseEvent[]> {
  const res = await page.request.get("/api/v1/dose-events?from=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z");
  expect(res.ok()).toBeTruthy();
  return ((await res.json()) as DoseEvent[]).filter((e) => e.reminderId === reminderId);
}

/** Signs in as the caregiver and waits for Home; notifications are allowed for the app. */
async function caregiver(page: Page, context: BrowserContext, baseURL: string | undefined) {
  await context.grantPermissions(["notifications"], { origin: baseURL });
  await signIn(page, "caregiver");
  await heading(page, "Your health companion");
}

test("the manifest is linked, valid and names icons of the sizes phones ask for", async ({ page }) => {
  await page.goto("/");
  await heading(page, "Your health companion");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/assets/manifest.webmanifest");
  const res = await page.request.get(href!);
  expect(res.ok()).toBeTruthy();
  expect(res.headers()["content-type"]).toContain("application/manifest+json");
  const manifest = JSON.parse(await res.text());
  expect(manifest).toMatchObject({
    name: "Patient portal",
    short_name: "Portal",
    start_url: "/",
    scope: "/",
    display: "standalone",
    theme_color: "#0b6570",
    background_color: "#ffffff",
  });
  // The theme colour is the page's own (light scheme).
  await expect(page.locator('meta[name="theme-color"]').first()).toHaveAttribute("content", manifest.theme_color);
  expect(manifest.shortcuts.map((s: { url: string }) => s.url)).toEqual(["/reminders", "/ask"]);

  const pngs = manifest.icons.filter((i: { type: string }) => i.type === "image/png");
  const seen: string[] = [];
  for (const icon of pngs) {
    const file = await page.request.get(icon.src);
    expect(file.ok(), icon.src).toBeTruthy();
    expect(file.headers()["content-type"]).toBe("image/png");
    const [w, h] = pngSize(await file.body());
    expect(`${w}x${h}`, icon.src).toBe(icon.sizes);
    seen.push(`${icon.sizes} ${icon.purpose}`);
  }
  expect(seen).toEqual(expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]));

  const touch = await page.locator('link[rel="apple-touch-icon"]').getAttribute("href");
  const touchFile = await page.request.get(touch!);
  expect(pngSize(await touchFile.body())).toEqual([180, 180]);
});

test("the service worker precaches the app shell and controls the page after a reload", async ({ page }) => {
  await page.goto("/");
  await heading(page, "Your health companion");
  await controlledBy(page);
  const response = await page.reload();
  await heading(page, "Your health companion");
  expect(response?.fromServiceWorker()).toBe(true);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);

  const contents = await cacheContents(page);
  const shell = Object.keys(contents).filter((n) => n.startsWith("portal-shell-"));
  expect(shell).toHaveLength(1);
  const paths = contents[shell[0]].map((u) => new URL(u).pathname);
  expect(paths).toContain("/index.html");
  expect(paths).toContain("/assets/manifest.webmanifest");
  expect(paths.some((p) => p.endsWith(".wasm"))).toBe(true);
  expect(paths.some((p) => p.endsWith(".br") || p.endsWith(".gz") || p === "/sw.js")).toBe(false);
  // The worker itself is never kept by the HTTP cache, so a new version is always seen.
  const sw = await page.request.get("/sw.js");
  expect(sw.headers()["cache-control"]).toBe("no-cache");
  expect(sw.headers()["content-type"]).toContain("javascript");
});

test("installing keeps the shared files and the open page's bundle; another bundle is kept when first used", async ({
  page,
  context,
  baseURL,
}) => {
  const shell = async () => {
    const contents = await cacheContents(page);
    const name = Object.keys(contents).find((n) => n.startsWith("portal-shell-"));
    return (name ? contents[name] : []).map((u) => new URL(u).pathname);
  };
  const bundles = async () =>
    (await shell())
      .filter((p) => p.endsWith(".wasm"))
      .map((p) => p.replace(/-[0-9a-f]{8,16}_bg\.wasm$/, ""))
      .sort();

  await page.goto("/learn");
  await heading(page, "Learn");
  await controlledBy(page);
  await expect.poll(bundles).toEqual(["/patient-portal"]);
  const kept = await shell();
  for (const shared of ["/index.html", "/care.html", "/studio.html", "/locales/de.json", "/assets/manifest.webmanifest"]) {
    expect(kept).toContain(shared);
  }

  // Offline, a part of the portal never opened on this device says so instead of never loading.
  await context.setOffline(true);
  const studio = await page.goto("/studio");
  expect(studio?.status()).toBe(503);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are offline");
  // In the portal's styles, with a way back to what does work offline.
  expect(await page.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
  await expect(page.getByRole("link", { name: "Today's medicines" })).toHaveCount(0);
  await page.getByRole("link", { name: "Home" }).click();
  await heading(page, "Your health companion");
  await context.setOffline(false);

  await caregiver(page, context, baseURL);
  await page.goto("/reminders");
  await heading(page, "Reminders");
  await expect.poll(bundles).toEqual(["/care", "/patient-portal"]);
  await context.setOffline(true);
  await page.goto("/reminders");
  await heading(page, "Reminders");
  await context.setOffline(false);
});

test("offline, the pages load from the precache and say clearly that the device is offline", async ({
  page,
  context,
  baseURL,
}) => {
  await caregiver(page, context, baseURL);
  await controlledBy(page);
  // Today, once online, so the device keeps its copy of the reminders.
  await page.goto("/reminders");
  await heading(page, "Reminders");
  await expect(page.locator(".sync-line")).toHaveText("Up to date.");
  await page.goto("/learn");
  await heading(page, "Learn");
  await expect(page.locator(".offline-notice")).toHaveCount(0);

  await context.setOffline(true);
  for (const [path, title] of [
    ["/", "Your health companion"],
    ["/learn", "Learn"],
    ["/ask", "Ask a question"],
  ] as const) {
    await page.goto(path);
    await heading(page, title);
    await expect(page.locator(".offline-notice")).toContainText("You are offline.");
  }
  await context.setOffline(false);
  await expect(page.locator(".offline-notice")).toHaveCount(0);
});

test("opened once, the portal starts offline on the next visit: installing kept its settings", async ({
  page,
  context,
}) => {
  await page.goto("/");
  await heading(page, "Your health companion");
  await controlledBy(page);
  await context.setOffline(true);
  await page.reload();
  await heading(page, "Your health companion");
  await expect(page.locator(".offline-notice")).toContainText("You are offline.");
  await context.setOffline(false);
});

test("offline, Today opens from the device's copy after a reload", async ({ page, context, baseURL }) => {
  // Offline the session cannot be checked: the one last confirmed on this device stands in.
  await caregiver(page, context, baseURL);
  await controlledBy(page);
  await page.goto("/reminders");
  await expect(page.locator(".sync-line")).toHaveText("Up to date.");
  await context.setOffline(true);
  await page.goto("/reminders");
  await heading(page, "Reminders");
  await expect(page.locator(".offline-notice")).toBeVisible();
});

test("API answers are never kept in Cache Storage", async ({ page, context, baseURL }) => {
  await caregiver(page, context, baseURL);
  await controlledBy(page);
  await page.goto("/reminders");
  await expect(page.locator(".sync-line")).toHaveText("Up to date.");
  await page.goto("/ask/mine");
  await page.goto("/learn");
  await heading(page, "Learn");
  const contents = await cacheContents(page);
  const names = Object.keys(contents);
  expect(names.every((n) => n.startsWith("portal-shell-") || n === "portal-config"), names.join()).toBe(true);
  const all = Object.values(contents).flat();
  expect(all.filter((u) => new URL(u).pathname.startsWith("/api/"))).toEqual([]);
  // The settings are kept for starting offline; they hold nothing personal.
  expect(contents["portal-config"]?.map((u) => new URL(u).pathname)).toEqual(["/config.json"]);
});

test.describe("a new version", () => {
  // Its own backend on a copy of the built app, so publishing a "new version" (rewriting sw.js)
  // touches no other test. The port is per worker: the phone and desktop runs go in parallel.
  const port = Number(process.env.PORTAL_E2E_PORT ?? 8181) + 50 + Number(process.env.TEST_PARALLEL_INDEX ?? 0);
  const origin = `http://127.0.0.1:${port}`;
  test.use({ baseURL: origin });
  let server: ChildProcess | undefined;
  let dist = "";

  test.beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), "portal-pwa-update-"));
    dist = join(root, "dist");
    cpSync(resolve(process.env.PORTAL_E2E_DIST ?? "../dist"), dist, { recursive: true });
    // Pre-compressed copies would be served instead of the rewritten worker.
    rmSync(join(dist, "sw.js.br"), { force: true });
    rmSync(join(dist, "sw.js.gz"), { force: true });
    const backend = resolve(process.env.PORTAL_E2E_BACKEND ?? "../target/debug/portal-backend");
    server = spawn(backend, ["--addr", `127.0.0.1:${port}`, "--db", join(root, "portal.sqlite3"), "--static-dir", dist], {
      stdio: "ignore",
    });
    await expect
      .poll(async () => fetch(`${origin}/api/v1/health`).then((r) => r.ok).catch(() => false), { timeout: 30_000 })
      .toBe(true);
  });

  test.afterAll(() => {
    server?.kill();
  });

  test("waits for Reload, then takes over", async ({ page }) => {
    await page.goto("/");
    await heading(page, "Your health companion");
    await controlledBy(page);
    const before = Object.keys(await cacheContents(page)).filter((n) => n.startsWith("portal-shell-"));
    expect(before).toHaveLength(1);
    await expect(page.locator(".update-notice")).toHaveCount(0);

    // A new build: the same worker with another version.
    const file = join(dist, "sw.js");
    const original = readFileSync(file, "utf8");
    const next = original.replace(/const VERSION = "([^"]+)";/, 'const VERSION = "$1-next";');
    expect(next).not.toBe(original);
    writeFileSync(file, next);
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      await reg?.update();
    });
    const banner = page.locator(".update-notice");
    await expect(banner).toContainText("A new version of the portal is ready.");
    // Nothing swapped yet: the old version still controls the page, beside the waiting one.
    await expect
      .poll(async () => Object.keys(await cacheContents(page)).filter((n) => n.startsWith("portal-shell-")).sort())
      .toEqual([before[0], `${before[0]}-next`].sort());

    await Promise.all([page.waitForEvent("load"), banner.getByRole("button", { name: "Reload" }).click()]);
    await heading(page, "Your health companion");
    await expect(page.locator(".update-notice")).toHaveCount(0);
    // The new version took over and the old one's files are gone.
    await expect
      .poll(async () => Object.keys(await cacheContents(page)).filter((n) => n.startsWith("portal-shell-")))
      .toEqual([`${before[0]}-next`]);
  });
});

test.describe("dose reminders pushed to the service worker", () => {
  test("show the medicine, and Taken logs the dose without opening the app", async ({ page, context, baseURL }) => {
    await caregiver(page, context, baseURL);
    const worker = await controlledBy(page);
    const r = await personWithReminder(page);
    await closeAll(worker);

    const shown = await push(worker, payloadFor(r, "2026-12-06T08:00:00Z"));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      title: `Time for ${r.medicine} 500 mg`,
      body: `1 tablet for ${r.name}`,
      tag: `dose-${r.reminderId}-2026-12-06T08:00:00Z`,
      actions: ["taken:Taken", "snooze:Snooze 10 min"],
    });
    // A repeat for the same dose replaces the notification instead of adding one.
    await push(worker, payloadFor(r, "2026-12-06T08:00:00Z"));
    expect(await notifications(worker)).toHaveLength(1);

    await click(worker, shown[0].tag, "taken");
    await expect.poll(async () => (await eventsOf(page, r.reminderId)).map((e) => `${e.action} ${e.scheduledAt}`)).toEqual([
      "taken 2026-12-06T08:00:00Z",
    ]);
    await expect.poll(async () => (await notifications(worker)).length).toBe(0);

    // Snooze logs a snooze of 10 minutes.
    const later = await push(worker, payloadFor(r, "2026-12-07T08:00:00Z"));
    await click(worker, later[0].tag, "snooze");
    await expect
      .poll(async () => (await eventsOf(page, r.reminderId)).find((e) => e.scheduledAt === "2026-12-07T08:00:00Z"))
      .toMatchObject({ action: "snoozed", snoozeMinutes: 10 });
  });

  test("a hidden name is never shown, and a broken payload still reminds", async ({ page, context, baseURL }) => {
    await caregiver(page, context, baseURL);
    const worker = await controlledBy(page);
    const r = await personWithReminder(page, true);
    await closeAll(worker);
    const [hidden] = await push(worker, payloadFor(r, "2026-12-06T08:00:00Z", true));
    expect(hidden.title).toBe("Time for a medicine");
    expect(hidden.body).toBe(`For ${r.name}`);
    expect(JSON.stringify(hidden)).not.toContain("Pushamol");

    await closeAll(worker);
    const [broken] = await push(worker, "{not json");
    expect(broken).toMatchObject({ title: "Time for your medicine", body: "Open the portal to see which dose is due.", actions: [] });
  });

  test("are in the person's language", async ({ page, context, baseURL }) => {
    await caregiver(page, context, baseURL);
    const worker = await controlledBy(page);
    await page.getByRole("combobox", { name: /language/i }).selectOption({ label: "Deutsch" });
    await expect.poll(() => stored(page, "pwa.notification-text")).toContain('"lang":"de"');
    const r = await personWithReminder(page);
    // Today, open in German, words each reminder's dose for the worker.
    await page.goto("/reminders");
    await expect.poll(() => stored(page, "pwa.notification-doses")).toContain(`"${r.reminderId}":{"amount":"1","unit":"tablet","text":"1 Tablette"}`);
    await closeAll(worker);
    const [shown] = await push(worker, payloadFor(r, "2026-12-06T08:00:00Z"));
    expect(shown).toMatchObject({
      title: `Zeit für ${r.medicine} 500 mg`,
      // The dose in the app's German words, not the push's English ("1 tablet").
      body: `1 Tablette für ${r.name}`,
      lang: "de",
      actions: ["taken:Genommen", "snooze:10 Min. später"],
    });

    // The dose changed on another device since Today was last open here: the push's own words,
    // never the old dose.
    await closeAll(worker);
    const [changed] = await push(worker, { ...payloadFor(r, "2026-12-07T08:00:00Z"), dose: "2 tablets", doseAmount: "2" });
    expect(changed.body).toBe(`2 tablets für ${r.name}`);

    // The language changed on another page (another bundle, with no reminders loaded): the
    // stored doses are worded anew, so the next notification is French throughout.
    await page.goto("/learn");
    await page.getByRole("combobox", { name: /sprache/i }).selectOption({ label: "Français" });
    await expect.poll(() => stored(page, "pwa.notification-doses")).toContain(`"${r.reminderId}":{"amount":"1","unit":"tablet","text":"1 comprimé"}`);
    await closeAll(worker);
    const [french] = await push(worker, payloadFor(r, "2026-12-08T08:00:00Z"));
    expect(french).toMatchObject({ body: `1 comprimé pour ${r.name}`, lang: "fr" });
  });

  test("Taken offline is kept on the device and sent once back online", async ({ page, context, baseURL }) => {
    await caregiver(page, context, baseURL);
    const worker = await controlledBy(page);
    const r = await personWithReminder(page);
    await page.goto("/reminders");
    await expect(page.locator(".sync-line")).toHaveText("Up to date.");
    await closeAll(worker);
    const [shown] = await push(worker, payloadFor(r, "2026-12-06T08:00:00Z"));

    await context.setOffline(true);
    await click(worker, shown.tag, "taken");
    // Kept on the device: in the worker's outbox, or already adopted by the open app's outbox.
    const kept = async () => {
      const lists = await Promise.all(["reminders.sw-outbox", "reminders.outbox"].map((k) => stored(page, k)));
      return lists.flatMap((text) => JSON.parse(text ?? "[]") as DoseEvent[]).filter((e) => e.reminderId === r.reminderId);
    };
    await expect.poll(kept).toEqual([
      expect.objectContaining({ reminderId: r.reminderId, scheduledAt: "2026-12-06T08:00:00Z", action: "taken" }),
    ]);
    expect(await eventsOf(page, r.reminderId)).toEqual([]);

    await context.setOffline(false);
    await expect.poll(async () => (await eventsOf(page, r.reminderId)).map((e) => e.action), { timeout: 20_000 }).toEqual([
      "taken",
    ]);
    // Sent: nothing of it waits on the device any more.
    await expect.poll(kept, { timeout: 20_000 }).toEqual([]);
  });
});
