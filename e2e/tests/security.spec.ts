import { test, expect, type Page } from "./fixtures";
import { heading, navLink, signIn, watchConsole } from "./helpers";

type DeviceStorage = {
  /** Every IndexedDB database of the origin, each store with its entries. */
  indexedDB: Record<string, Record<string, Array<{ key: unknown; value: unknown }>>>;
  local: Record<string, string | null>;
  session: Record<string, string | null>;
  caches: string[];
};

/** Everything the origin keeps in the browser, read from the page itself. A read that does not
 * finish within two seconds (a database the browser is deleting right then) fails; `expect.poll`
 * does not retry a callback that throws, so polls read through [`settledStorage`]. */
function deviceStorage(page: Page): Promise<DeviceStorage> {
  const read = page.evaluate(async () => {
    const done = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const databases: DeviceStorage["indexedDB"] = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await done(indexedDB.open(info.name));
      const stores: Record<string, Array<{ key: unknown; value: unknown }>> = {};
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, "readonly").objectStore(name);
        const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
        stores[name] = keys.map((key, i) => ({ key, value: values[i] }));
      }
      db.close();
      databases[info.name] = stores;
    }
    const entries = (storage: Storage) =>
      Object.fromEntries(Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? "").map((k) => [k, storage.getItem(k)]));
    return { indexedDB: databases, local: entries(localStorage), session: entries(sessionStorage), caches: await caches.keys() };
  });
  const tooSlow = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("storage read timed out")), 2_000));
  return Promise.race([read, tooSlow]);
}

/** [`deviceStorage`], tried again while the browser is busy deleting a database. */
async function settledStorage(page: Page): Promise<DeviceStorage> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deviceStorage(page);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

function storedKeys(storage: DeviceStorage): string[] {
  return Object.values(storage.indexedDB).flatMap((stores) =>
    Object.values(stores).flatMap((entries) => entries.map((e) => String(e.key))),
  );
}

/** What may remain after sign-out: the language setting and, until the backend confirms, the pending flag. */
const KEPT_IN_LOCAL_STORAGE = ["portal.language", "portal.sign-out-pending"];

/** IndexedDB entries that are the same for everyone (the service worker's notification texts in
 * the chosen language), which the app may write again at any time. */
const NOT_PERSONAL_IN_INDEXED_DB = ["pwa.notification-text"];

function personalKeys(storage: DeviceStorage): string[] {
  return storedKeys(storage).filter((k) => !NOT_PERSONAL_IN_INDEXED_DB.includes(k));
}

function expectNothingPersonal(storage: DeviceStorage) {
  expect(personalKeys(storage), "IndexedDB entries left after sign-out").toEqual([]);
  // Whatever the keys: no trace of the people whose data this device held.
  expect(JSON.stringify(storage)).not.toMatch(/Cara|cara@example\.com|Pat Lee|pat@example\.com|someday/);
  expect(Object.keys(storage.local).filter((k) => !KEPT_IN_LOCAL_STORAGE.includes(k)), "localStorage").toEqual([]);
  // The sign-in page shown after sign-out may note that nothing is typed yet.
  expect(Object.values(storage.session).filter((v) => v), "sessionStorage").toEqual([]);
  expect(storage.caches, "Cache Storage").toEqual([]);
}

test("sign-out leaves nothing personal on the device", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "caregiver", "/account/sign-in?next=/reminders");
  await heading(page, "Reminders");
  // The Today view keeps the caregiver's people, reminders and doses for offline use.
  await expect.poll(async () => storedKeys(await settledStorage(page))).toContain("reminders.data");

  // A question started on the Ask form is kept as a draft.
  await navLink(page, "Ask").click();
  await heading(page, "Ask a question");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("radio", { name: "Other or not sure" }).check();
  await page.getByRole("radio", { name: "Side effects" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Your question").fill("Can I take it with food?");
  await expect.poll(async () => storedKeys(await settledStorage(page))).toContain("ask.draft");

  // What a service worker or a later feature could leave behind: sign-out must not depend on a list.
  await page.evaluate(async () => {
    localStorage.setItem("portal.someday", "Cara's medicines");
    sessionStorage.setItem("portal.someday", "Cara's medicines");
    const cache = await caches.open("portal-someday");
    await cache.put("/someday", new Response("Cara's medicines"));
  });
  const before = await settledStorage(page);
  expect(before.caches).toContain("portal-someday");

  const signedOut = page.waitForResponse((r) => r.url().endsWith("/api/v1/session") && r.request().method() === "DELETE");
  await navLink(page, "Account").click();
  await heading(page, "Your account");
  await page.getByRole("button", { name: "Sign out" }).click();
  // The question is not sent: signing out says it deletes it, and the person chooses.
  const warning = page.getByRole("region", { name: "Not everything has reached us yet" });
  await expect(warning.getByRole("listitem")).toHaveText(["The question you started under Ask."]);
  await warning.getByRole("button", { name: "Sign out and delete them" }).click();
  const response = await signedOut;
  expect(response.status()).toBe(204);
  expect((await response.allHeaders())["clear-site-data"]).toBe('"cache", "storage"');
  await heading(page, "Sign in");
  await expect(navLink(page, "Sign in")).toBeVisible();

  await expect.poll(async () => personalKeys(await settledStorage(page)), { timeout: 15_000 }).toEqual([]);
  expectNothingPersonal(await settledStorage(page));
  // And after a reload, as the next person on this device would find it.
  await page.reload();
  await heading(page, "Sign in");
  expectNothingPersonal(await settledStorage(page));
  expect(problems).toEqual([]);
});

/** Signs the caregiver in on Reminders, then ends the session behind the app's back, as the
 * backend does at the 12-hour limit (this request shares the browser's cookies). */
async function sessionEndedByTheBackend(page: Page) {
  await signIn(page, "caregiver", "/account/sign-in?next=/reminders");
  await heading(page, "Reminders");
  await expect.poll(async () => storedKeys(await settledStorage(page))).toContain("reminders.data");
  const ended = await page.context().request.delete("/api/v1/session");
  expect(ended.status()).toBe(204);
}

for (const how of ["on the next page", "at the next start"] as const) {
  test(`a session the backend ended is noticed ${how}: the device is wiped and the person told why`, async ({ page }) => {
    await sessionEndedByTheBackend(page);
    if (how === "on the next page") {
      // Opening another private page in the app checks the session: the backend now says nobody
      // is signed in, so the app signs out here too.
      // (A link of our own, since which links Reminders shows depends on what other tests added.)
      await page.evaluate(() => {
        const link = document.createElement("a");
        link.href = "/reminders/history";
        document.body.append(link);
        link.click();
      });
    } else {
      await page.reload();
    }
    await heading(page, "Sign in");
    await expect(page.getByRole("status")).toHaveText("Your session ended. Please sign in again to continue.");
    await expect.poll(async () => personalKeys(await settledStorage(page)), { timeout: 15_000 }).toEqual([]);
    expectNothingPersonal(await settledStorage(page));
  });
}

test("after 13 idle minutes a warning offers to stay; after 15 the person is signed out", async ({ page }) => {
  const problems = watchConsole(page);
  await page.clock.install();
  await signIn(page, "patient");
  await heading(page, "Your health companion");
  await expect(navLink(page, "Account")).toBeVisible();

  const warning = page.getByRole("alertdialog", { name: "Are you still there?" });
  const stay = page.getByRole("button", { name: "Stay signed in" });
  await page.clock.fastForward("12:45");
  await expect(warning).toBeHidden();
  await page.clock.fastForward("00:20");
  await expect(warning).toBeVisible();
  await expect(stay).toBeFocused();
  await expect(warning).toHaveAccessibleDescription(/we will sign you out soon\. You will be signed out in 1:\d\d\./);
  await expect(warning.getByRole("timer")).toHaveText(/^You will be signed out in 1:\d\d\.$/);
  await expect(warning.getByRole("button", { name: "Sign out now" })).toBeVisible();

  // Staying also refreshes the backend's idle timer with a session check.
  const check = page.waitForResponse((r) => r.url().endsWith("/api/v1/session") && r.request().method() === "GET");
  // A faked clock also stops animation frames, which a normal click waits for; the pointer events are real.
  await stay.click({ force: true });
  expect((await check).status()).toBe(200);
  await expect(warning).toBeHidden();
  await expect(navLink(page, "Account")).toBeVisible();

  // A phone asleep for longer than the limit signs out at its first check on waking.
  await page.clock.fastForward("15:00");
  await heading(page, "Sign in");
  await expect(page.getByRole("status")).toHaveText(
    "You were signed out after 15 minutes without activity, to protect your information.",
  );
  await expect(warning).toBeHidden();
  await expect(navLink(page, "Sign in")).toBeVisible();
  expect(problems).toEqual([]);
});

test("Sign out now in the warning signs out at once", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "patient");
  await heading(page, "Your health companion");
  await page.clock.fastForward("13:05");
  const warning = page.getByRole("alertdialog", { name: "Are you still there?" });
  await expect(warning).toBeVisible();
  const signedOut = page.waitForResponse((r) => r.url().endsWith("/api/v1/session") && r.request().method() === "DELETE");
  await warning.getByRole("button", { name: "Sign out now" }).click({ force: true });
  expect((await signedOut).status()).toBe(204);
  await heading(page, "Sign in");
  await expect(warning).toBeHidden();
});

test("the session cookie is __Host- prefixed, HttpOnly, Secure and SameSite=Strict", async ({ page }) => {
  await signIn(page, "patient");
  await heading(page, "Your health companion");
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).toEqual(["__Host-portal_session"]);
  const [session] = cookies;
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
  // Host-only: no Domain attribute, so the browser records the exact host without a leading dot.
  expect(session.domain).toBe(new URL(page.url()).hostname);
  // The app itself cannot read it.
  expect(await page.evaluate(() => document.cookie)).toBe("");
});

test("a state-changing request from another origin is refused", async ({ page }) => {
  await page.goto("/");
  await heading(page, "Your health companion");
  const answer = await page.evaluate(async () => {
    // The browser sets Origin and Sec-Fetch-Site itself; a page cannot forge them, so this is the
    // same-origin case, which passes the cross-site check and reaches validation (an empty form is
    // refused there without counting as a failed sign-in).
    const res = await fetch("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "", password: "" }),
    });
    return res.status;
  });
  expect(answer).toBe(422);
  const refused = await page.request.post("/api/v1/session", {
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    data: { email: "pat@example.com", password: "patient-demo" },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).type).toBe("/problems/cross-site-request");
});
