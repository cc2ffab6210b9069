// The patient portal's service worker: the app shell offline, and dose reminders pushed by the
// backend, with Taken / Snooze buttons that work without opening the app.
//
// This is a template: `scripts/pwa-precache.py DIST` writes DIST/sw.js from it with the build's
// file list and version filled in. Rules it keeps:
// - Installing keeps what every page shares (pages, styles, icons, locales) and the bundle of the
//   page that is open; another bundle (Reminders, Studio) is kept when it is first used, so a
//   patient never downloads the caregivers' or the content team's app.
// - Only the app's own built files (and /config.json, which holds no personal data) ever go into
//   Cache Storage. API answers hold health data: they pass straight to the network, never cached.
// - A new version installs in the background and waits; the page shows "a new version is ready"
//   and posts {type: "skip-waiting"} when the person presses Reload. Code is never swapped under
//   someone in the middle of logging a dose.
// - Nothing here may throw out of an event handler: a bad push still shows a plain reminder.
"use strict";

const VERSION = "__PWA_VERSION__";
// Every built file of this version.
const PRECACHE = ["__PWA_PRECACHE__"];
// Each page's own files (its wasm and JS), kept when that page is first used.
const PAGE_FILES = {"__PWA_PAGE_FILES__": []};

const SHELL_CACHE = `portal-shell-${VERSION}`;
const SHELL_PREFIX = "portal-shell-";
// Kept across versions: the settings the app needs to start offline (public, not personal).
const CONFIG_CACHE = "portal-config";
const CONFIG_PATH = "/config.json";

// The app's IndexedDB key-value store (src/device_store.rs): values are JSON texts.
const DB_NAME = "patient-portal";
const DB_STORE = "kv";
// Dose events from a notification's buttons that could not be sent yet; the app's sync adopts
// them (src/reminder_data.rs). Personal: sign-out wipes it.
const SW_OUTBOX_KEY = "reminders.sw-outbox";
// The notification texts in the person's language, written by the app (src/pwa.rs).
const TEXTS_KEY = "pwa.notification-text";
// Each reminder's dose in that language ("2,5 Tabletten"), written by the app; the push itself
// says the dose in English. Personal: sign-out wipes it.
const DOSES_KEY = "pwa.notification-doses";
const SYNC_TAG = "dose-outbox";
const MAX_BATCH = 500;
const SNOOZE_MINUTES = 10;
const TODAY_PATH = "/reminders";
const DEFAULT_API_BASE = "/api/v1";

// Used when the app has not written its translations yet, or they cannot be read.
const ENGLISH = {
  lang: "en",
  title: "Time for {medicine}",
  titleHidden: "Time for a medicine",
  titleGeneric: "Time for your medicine",
  body: "{dose} for {person}",
  bodyNoDose: "For {person}",
  bodyGeneric: "Open the portal to see which dose is due.",
  taken: "Taken",
  snooze: "Snooze 10 min",
};

const precached = new Set(PRECACHE);
const ownedByAPage = new Set(Object.values(PAGE_FILES).flat());
// What every page needs, kept at install.
const SHARED = PRECACHE.filter((path) => !ownedByAPage.has(path));
// Trunk's content-hashed names: any copy under such a name, the HTTP cache's too, is the right one.
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.[a-z0-9]+$/;
// Where the API lives, from the deployment's settings (the app may be pointed at another path).
let apiBase = DEFAULT_API_BASE;

// Install, update, clean up ----------------------------------------------------------------

self.addEventListener("install", (event) => {
  // No skipWaiting here: a waiting version is activated only when the page asks.
  event.waitUntil(Promise.all([precacheShell(), keepSettings()]));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE)
          .map((name) => caches.delete(name)),
      );
      // A first install takes the open page at once, so it works offline without a reload.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data;
  if (data && data.type === "skip-waiting") {
    self.skipWaiting();
  }
});

/** The shared files and the open pages' bundles, fetched past the HTTP cache's possibly stale
 * copies of unhashed names (a hashed name's copy is the file, and was likely just loaded). */
async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  const wanted = new Set(SHARED);
  for (const entry of await openEntries()) {
    for (const path of PAGE_FILES[entry] || []) wanted.add(path);
  }
  await cache.addAll(
    [...wanted].map((path) => new Request(path, { cache: HASHED.test(path) ? "default" : "no-cache" })),
  );
}

/** The built pages of the windows open on this origin, controlled by this worker or not yet. */
async function openEntries() {
  try {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    return new Set(windows.map((w) => entryPage(new URL(w.url).pathname)));
  } catch (_) {
    return new Set();
  }
}

/** Refills the shell cache when something deleted it (sign-out clears Cache Storage). */
async function refillShell() {
  try {
    if (!(await allCached(SHARED))) {
      await precacheShell();
    }
  } catch (_) {
    // Offline or a file missing: the next request tries again.
  }
}

// Requests --------------------------------------------------------------------------------

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  let url;
  try {
    url = new URL(request.url);
  } catch (_) {
    return;
  }
  // Other origins (a separate API host) and the API itself: the network, untouched.
  if (url.origin !== self.location.origin || isApi(url.pathname)) return;
  if (url.pathname === CONFIG_PATH) {
    event.respondWith(settings(request));
    return;
  }
  if (url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(page(event, url));
    return;
  }
  if (precached.has(url.pathname)) {
    event.respondWith(shellFile(event, request, url.pathname));
  }
  // Anything else is not the app's: the network as usual, nothing stored.
});

function isApi(path) {
  const under = (prefix) => path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
  return under("/api") || (apiBase.startsWith("/") && apiBase !== "/" && under(apiBase.replace(/\/+$/, "")));
}

/** The built page that starts the bundle serving `path` (portal_core::navigation::Entry). */
function entryPage(path) {
  const under = (prefix) => path === prefix || path.startsWith(`${prefix}/`);
  let entry = "/index.html";
  if (under("/reminders")) entry = "/care.html";
  else if (under("/studio")) entry = "/studio.html";
  // A build with a single page serves every path from index.html.
  return precached.has(entry) ? entry : "/index.html";
}

/** Navigations: the bundle's page from the cache when its files are all there (fast, and
 * offline), else the network; offline without them, a page that says so instead of one that
 * would never finish loading. */
async function page(event, url) {
  const entry = entryPage(url.pathname);
  const cached = await cachedShell(entry);
  if (cached && (await allCached(PAGE_FILES[entry] || []))) return cached;
  event.waitUntil(refillShell());
  try {
    return await fetch(event.request);
  } catch (_) {
    return await offlinePage();
  }
}

/** The parts of the portal this device can open offline, as links for the offline page. */
async function openableOffline() {
  const parts = [
    ["/", "/index.html", "Home"],
    [TODAY_PATH, "/care.html", "Today's medicines"],
  ];
  const links = [];
  for (const [path, entry, label] of parts) {
    if (entryPage(path) !== entry) continue;
    if ((await cachedShell(entry)) && (await allCached(PAGE_FILES[entry] || []))) {
      links.push(`<li><a href="${path}">${label}</a></li>`);
    }
  }
  return links;
}

async function shellFile(event, request, path) {
  const cached = await cachedShell(path);
  if (cached) return cached;
  event.waitUntil(refillShell());
  const response = await fetch(request);
  if (response.ok && ownedByAPage.has(path)) {
    // A bundle's first use: kept for offline and for next time.
    event.waitUntil(keepShellFile(path, response.clone()));
  }
  return response;
}

async function keepShellFile(path, response) {
  try {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(path, response);
  } catch (_) {
    // Storage full or cleared meanwhile: the network serves it next time.
  }
}

async function allCached(paths) {
  for (const path of paths) {
    if (!(await cachedShell(path))) return false;
  }
  return true;
}

async function cachedShell(path) {
  try {
    // Not caches.open: that would create an empty cache where sign-out deleted it.
    return (await caches.match(path, { cacheName: SHELL_CACHE })) || null;
  } catch (_) {
    return null;
  }
}

/** The settings, kept at install: the first page loaded them before this worker controlled it,
 * and without a copy the app could not start offline until a second visit. */
async function keepSettings() {
  try {
    await settings(new Request(CONFIG_PATH, { cache: "no-cache" }));
  } catch (_) {
    // Offline: the next start online keeps them.
  }
}

/** /config.json: fresh from the network when possible, the last copy when offline. */
async function settings(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      try {
        const config = await response.clone().json();
        rememberApiBase(config);
        const cache = await caches.open(CONFIG_CACHE);
        await cache.put(CONFIG_PATH, copy);
      } catch (_) {
        // Not JSON: the app shows its own error page; nothing kept.
      }
    }
    return response;
  } catch (error) {
    const cached = await caches.match(CONFIG_PATH, { cacheName: CONFIG_CACHE });
    if (cached) return cached;
    throw error;
  }
}

function rememberApiBase(config) {
  if (config && typeof config.apiBaseUrl === "string" && config.apiBaseUrl.length > 0) {
    apiBase = config.apiBaseUrl;
  }
}

/** Reads the API's address from the kept settings when the worker starts without a page. */
async function loadApiBase() {
  try {
    const cached = await caches.match(CONFIG_PATH, { cacheName: CONFIG_CACHE });
    if (cached) rememberApiBase(await cached.json());
  } catch (_) {
    // The default stays.
  }
}

function apiUrl(path) {
  const base = apiBase.replace(/\/+$/, "");
  return `${base}${path}`;
}

/** Offline, for a part of the portal whose files are not on this device: says so, in the
 * portal's own styles, with links to the parts that do work offline. */
async function offlinePage() {
  const styles = PRECACHE.filter((path) => path.endsWith(".css"))
    .map((path) => `<link rel="stylesheet" href="${path}">`)
    .join("");
  const links = await openableOffline();
  const elsewhere = links.length
    ? `<p>These parts of the portal work without the internet:</p><ul>${links.join("")}</ul>`
    : "";
  const html =
    '<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>Offline – Patient portal</title>${styles}<main id="main" class="offline-page">` +
    '<h1 class="page-title">You are offline</h1>' +
    "<p>This part of the portal is not on this device yet. Connect to the internet and try again.</p>" +
    `${elsewhere}</main></html>`;
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

// Push: a dose is due ----------------------------------------------------------------------

self.addEventListener("push", (event) => {
  keepAlive(event, showDoseReminder(event));
});

/** event.waitUntil, which throws for events a script dispatched itself (tests do): the work
 * has started anyway, so that must not turn into an uncaught error. */
function keepAlive(event, work) {
  try {
    event.waitUntil(work);
  } catch (_) {
    // Not a browser-dispatched event: nothing to extend.
  }
}

async function showDoseReminder(event) {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch (_) {
    payload = null;
  }
  let texts = ENGLISH;
  try {
    texts = await notificationTexts();
  } catch (_) {
    texts = ENGLISH;
  }
  let doses = new Map();
  try {
    doses = await notificationDoses(texts.lang);
  } catch (_) {
    doses = new Map();
  }
  try {
    const { title, options } = doseNotification(payload, texts, doses);
    await self.registration.showNotification(title, options);
  } catch (_) {
    // Whatever went wrong, the person still hears that a dose is due.
    await self.registration.showNotification(ENGLISH.titleGeneric, {
      body: ENGLISH.bodyGeneric,
      tag: "dose",
      icon: "/assets/icons/icon-192.png",
      data: { url: TODAY_PATH },
    });
  }
}

/** Title and options for a push payload; a payload that is not a sound dose gets a plain text.
 * `doses`: the app's wording of each reminder's dose in the texts' language. */
function doseNotification(payload, texts, doses) {
  const dose = soundDose(payload);
  if (!dose) {
    return {
      title: texts.titleGeneric,
      options: {
        body: texts.bodyGeneric,
        tag: "dose",
        lang: texts.lang,
        icon: "/assets/icons/icon-192.png",
        data: { url: TODAY_PATH },
      },
    };
  }
  const title = dose.medicine ? fill(texts.title, { medicine: dose.medicine }) : texts.titleHidden;
  let body = texts.bodyGeneric;
  // The app's wording only where the push names a dose at all (never for a hidden name), and
  // only if it was made from this very dose: one changed on another device since keeps the
  // push's own words.
  const wording = doses.get(dose.reminderId);
  const same = wording && wording.amount === dose.doseAmount && wording.unit === dose.doseUnit;
  const doseText = dose.dose && (same ? wording.text : dose.dose);
  if (dose.person && doseText) body = fill(texts.body, { dose: doseText, person: dose.person });
  else if (dose.person) body = fill(texts.bodyNoDose, { person: dose.person });
  const options = {
    body,
    // One notification per dose: a repeat for the same dose replaces it, and alerts again.
    tag: `dose-${dose.reminderId}-${dose.scheduledAt}`,
    renotify: true,
    lang: texts.lang,
    icon: "/assets/icons/icon-192.png",
    data: dose,
    actions: [
      { action: "taken", title: texts.taken },
      { action: "snooze", title: texts.snooze },
    ],
  };
  const at = Date.parse(dose.scheduledAt);
  if (!Number.isNaN(at)) options.timestamp = at;
  return { title, options };
}

/** The payload's fields when it describes a dose, checked and trimmed; otherwise null. */
function soundDose(payload) {
  if (!payload || typeof payload !== "object" || payload.type !== "dose-due") return null;
  const text = (value, max) => (typeof value === "string" && value.trim() ? value.trim().slice(0, max) : null);
  const reminderId = text(payload.reminderId, 100);
  const scheduledAt = text(payload.scheduledAt, 40);
  if (!reminderId || !scheduledAt || Number.isNaN(Date.parse(scheduledAt))) return null;
  return {
    type: "dose-due",
    reminderId,
    personId: text(payload.personId, 100),
    scheduledAt,
    person: text(payload.person, 80),
    medicine: text(payload.medicine, 120),
    dose: text(payload.dose, 80),
    doseAmount: text(payload.doseAmount, 20),
    doseUnit: text(payload.doseUnit, 20),
    url: appPath(payload.url),
  };
}

/** Only a path of this app: never another site. */
function appPath(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return TODAY_PATH;
  }
  return value;
}

function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole,
  );
}

/** The app's translations, each text checked so a broken entry falls back to English. */
async function notificationTexts() {
  const stored = await readKey(TEXTS_KEY);
  if (!stored) return ENGLISH;
  const parsed = JSON.parse(stored);
  const texts = { ...ENGLISH };
  for (const name of Object.keys(ENGLISH)) {
    if (parsed && typeof parsed[name] === "string" && parsed[name].trim()) texts[name] = parsed[name];
  }
  return texts;
}

/** The app's wording of each reminder's dose ({ amount, unit, text }), by reminder id: only
 * when written in `lang`, the language of the rest of the notification (another bundle may have
 * changed it since). */
async function notificationDoses(lang) {
  const doses = new Map();
  const stored = await readKey(DOSES_KEY);
  if (!stored) return doses;
  const parsed = JSON.parse(stored);
  if (!parsed || parsed.lang !== lang || typeof parsed.doses !== "object" || !parsed.doses) return doses;
  for (const [id, wording] of Object.entries(parsed.doses)) {
    if (!wording || typeof wording !== "object") continue;
    const { amount, unit, text } = wording;
    if ([amount, unit, text].every((v) => typeof v === "string") && text.trim()) {
      doses.set(id, { amount: amount.trim(), unit: unit.trim(), text: text.trim() });
    }
  }
  return doses;
}

// The notification's buttons ---------------------------------------------------------------

self.addEventListener("notificationclick", (event) => {
  const notification = event.notification;
  const data = (notification && notification.data) || {};
  const action = event.action;
  if (notification) notification.close();
  if ((action === "taken" || action === "snooze") && data.reminderId && data.scheduledAt) {
    keepAlive(event, logDose(data, action === "taken" ? "taken" : "snoozed"));
  } else {
    keepAlive(event, openApp(appPath(data.url)));
  }
});

/** Keeps the dose on the device first, then sends everything waiting. */
async function logDose(data, action) {
  const doseEvent = {
    id: uuidv7(),
    reminderId: data.reminderId,
    scheduledAt: data.scheduledAt,
    action,
    at: new Date().toISOString(),
  };
  if (action === "snoozed") doseEvent.snoozeMinutes = SNOOZE_MINUTES;
  try {
    await updateKey(SW_OUTBOX_KEY, (text) => JSON.stringify(parseList(text).concat([doseEvent])));
  } catch (_) {
    // No storage (private mode): still try to send it once, below.
    await sendEvents([doseEvent]).catch(() => false);
    await tellPages();
    return;
  }
  await flushOutbox().catch(() => false);
  await tellPages();
}

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) {
    // A rejection asks the browser to try again later.
    event.waitUntil(
      flushOutbox().then((sent) => {
        if (!sent) throw new Error("dose outbox not sent yet");
        return tellPages();
      }),
    );
  }
});

/** Sends the waiting events; true when none is left waiting. */
async function flushOutbox() {
  const waiting = parseList(await readKey(SW_OUTBOX_KEY));
  if (waiting.length === 0) return true;
  const batch = waiting.slice(0, MAX_BATCH);
  const done = await sendEvents(batch);
  if (!done) {
    askForBackgroundSync();
    return false;
  }
  const finished = new Set(done);
  await updateKey(SW_OUTBOX_KEY, (text) => {
    const left = parseList(text).filter((e) => !finished.has(e && e.id));
    return left.length ? JSON.stringify(left) : null;
  });
  return waiting.length <= MAX_BATCH;
}

/**
 * POSTs the events; returns the ids that need no more sending (stored, duplicates, conflicts,
 * rejected, or refused as invalid), or null when they should be tried again (offline, server
 * error, signed out: the app sends them after the next sign-in).
 */
async function sendEvents(events) {
  if (!apiBaseLoaded) {
    apiBaseLoaded = true;
    await loadApiBase();
  }
  let response;
  try {
    response = await fetch(apiUrl("/dose-events"), {
      method: "POST",
      credentials: "include",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json, application/problem+json" },
      body: JSON.stringify(events),
    });
  } catch (_) {
    return null;
  }
  if (response.ok) return events.map((e) => e.id);
  const retryable = response.status >= 500 || [401, 403, 408, 409, 425, 429].includes(response.status);
  // Any other answer (a validation problem) will never change: keep nothing that blocks the rest.
  return retryable ? null : events.map((e) => e.id);
}
let apiBaseLoaded = false;

function askForBackgroundSync() {
  try {
    if (self.registration.sync) self.registration.sync.register(SYNC_TAG).catch(() => {});
  } catch (_) {
    // Not supported: the app sends the outbox when it next opens.
  }
}

/** Tells open pages that doses changed, so Today refreshes and adopts what is waiting. */
async function tellPages() {
  try {
    const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of pages) client.postMessage({ type: "dose-outbox" });
  } catch (_) {
    // No pages: nothing to tell.
  }
}

/** Focuses an open portal window (on `path` when it can), or opens one. */
async function openApp(path) {
  const target = new URL(path, self.location.origin).href;
  try {
    const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = pages.find((c) => c.url === target) || pages.find((c) => c.url.startsWith(self.location.origin));
    if (same) {
      const focused = await same.focus();
      if (focused && focused.url !== target && "navigate" in focused) {
        await focused.navigate(target).catch(() => null);
      }
      return;
    }
  } catch (_) {
    // Fall through to a new window.
  }
  if (self.clients.openWindow) await self.clients.openWindow(target);
}

/** A time-ordered UUID (version 7), as the app makes for dose events. */
function uuidv7() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = Date.now();
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseList(text) {
  if (!text) return [];
  try {
    const list = JSON.parse(text);
    return Array.isArray(list) ? list.filter((e) => e && typeof e.id === "string") : [];
  } catch (_) {
    return [];
  }
}

// IndexedDB: the app's key-value store ----------------------------------------------------

function openDb() {
  return new Promise((resolve, reject) => {
    // No version: open whatever version the app has made; create the store only when new.
    const request = indexedDB.open(DB_NAME);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(DB_STORE)) db.createObjectStore(DB_STORE);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Never block the app upgrading the database, or sign-out deleting it.
      db.onversionchange = () => db.close();
      if (!db.objectStoreNames.contains(DB_STORE)) {
        db.close();
        reject(new Error("no store"));
        return;
      }
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("blocked"));
  });
}

async function readKey(key) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const request = db.transaction(DB_STORE, "readonly").objectStore(DB_STORE).get(key);
      request.onsuccess = () => resolve(typeof request.result === "string" ? request.result : null);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** Reads, changes and writes `key` in one transaction, so the app and the worker never lose
 * each other's writes. `change` gets the text (or null) and returns the new text, or null to delete. */
async function updateKey(key, change) {
  const db = await openDb();
  try {
    await new Promise((resolve, reject) => {
      const tx = db.transaction(DB_STORE, "readwrite");
      const store = tx.objectStore(DB_STORE);
      const request = store.get(key);
      request.onsuccess = () => {
        const current = typeof request.result === "string" ? request.result : null;
        const next = change(current);
        if (next === null) store.delete(key);
        else store.put(next, key);
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  } finally {
    db.close();
  }
}
