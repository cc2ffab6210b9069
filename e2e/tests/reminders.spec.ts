import {
  test,
  expect,
  request as playwrightRequest,
  type Locator,
  type Page,
  type Request,
  type TestInfo,
} from "./fixtures";
import { readFile } from "node:fs/promises";
import { expectNoAxeViolations, heading, navLink, signIn, watchConsole } from "./helpers";

// Every test uses the caregiver's account at the same time as the others, so each one makes its
// own person (with a name no other test uses) and looks only inside that person's section.

// Dose times follow the person's zone; the browser's zone is the default for a new person.
test.use({ timezoneId: "Europe/London" });

/** Monday 23 November 2026, 08:05 in London (GMT, no clock change near). The page's clock starts
 * here and runs on, so a dose at 07:00 is overdue, one at 07:45 or 08:00 is due, 20:00 is later. */
const MORNING = "2026-11-23T08:05:00Z";

type DoseEvent = {
  id: string;
  reminderId: string;
  scheduledAt?: string | null;
  action: "taken" | "skipped" | "snoozed" | "undone";
  at: string;
  snoozeMinutes?: number | null;
  reason: string;
  undoes?: string | null;
};

type Reminder = { id: string; personId: string; medicine: string; strength?: string; stock?: number | null };

/** A name no other test (or project) uses. */
function unique(label: string, testInfo: TestInfo): string {
  const project = testInfo.project.name;
  return `${label} ${project} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

const apiTraffic = new WeakMap<Page, { inFlight: number; last: number }>();

/** Counts the page's requests to the API, for `quiet`. */
function trackApi(page: Page) {
  const traffic = { inFlight: 0, last: Date.now() };
  const isApi = (r: Request) => new URL(r.url()).pathname.startsWith("/api/");
  const started = (r: Request) => {
    if (!isApi(r)) return;
    traffic.inFlight += 1;
    traffic.last = Date.now();
  };
  const ended = (r: Request) => {
    if (!isApi(r)) return;
    traffic.inFlight -= 1;
    traffic.last = Date.now();
  };
  page.on("request", started);
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  apiTraffic.set(page, traffic);
}

/** Waits until the page has had no API request under way for half a second. */
async function quiet(page: Page) {
  const traffic = apiTraffic.get(page);
  if (!traffic) throw new Error("trackApi was not called for this page");
  await expect
    .poll(() => traffic.inFlight === 0 && Date.now() - traffic.last >= 500, { intervals: [100], timeout: 10_000 })
    .toBe(true);
}

/** Fakes the page's clock (it runs on from `time`) and signs in as the caregiver. */
async function startAt(page: Page, time: string = MORNING) {
  trackApi(page);
  await page.clock.install({ time: new Date(time) });
  await signIn(page, "caregiver");
  await heading(page, "Your health companion");
}

/** The reminders pages' status line. */
function syncLine(page: Page) {
  return page.locator(".sync-line");
}

/** Waits until the backend has answered and nothing waits to be sent. */
async function upToDate(page: Page) {
  await expect(syncLine(page)).toHaveText("Up to date.");
}

/** Waits until every synchronisation asked for is over: one wake-up can follow another. */
async function settled(page: Page) {
  await upToDate(page);
  await quiet(page);
  await upToDate(page);
}

/** Adds a person on the People page, checking the zone defaults to the browser's; returns their card. */
async function addPerson(page: Page, name: string, colour = "Purple") {
  await page.goto("/reminders/people");
  await heading(page, "People");
  // Before the list has loaded the form is shown for a first person; wait so it does not vanish.
  await settled(page);
  const adding = page.getByRole("region", { name: "Add a person" });
  if (!(await adding.isVisible())) {
    await page.getByRole("button", { name: "Add a person" }).click();
    // The form opens with the focus in its first field.
    await expect(adding.getByLabel("Name")).toBeFocused();
  }
  await adding.getByLabel("Name").fill(name);
  await adding.getByRole("radio", { name: colour }).check();
  await expect(adding.getByLabel("Time zone")).toHaveValue("Europe/London");
  await adding.getByRole("button", { name: "Save" }).click();
  const card = page.getByRole("article", { name, exact: true });
  await expect(card).toContainText("Time zone: Europe/London. Reminders: 0.");
  // Saved, the form closes and the focus goes back to the button that opens it.
  await expect(page.getByRole("button", { name: "Add a person" })).toBeFocused();
  return card;
}

type ReminderSpec = {
  person: string;
  medicine: string;
  strength?: string;
  times?: string[];
  asNeeded?: { max: string; gapHours: string };
  stock?: string;
  refillAt?: string;
  hideName?: boolean;
};

/** Opens the form for a new reminder, once it shows the fields. */
async function openForm(page: Page) {
  await page.goto("/reminders/new");
  await heading(page, "Add a reminder");
  await expect(page.locator("#rf-medicine")).toBeVisible();
}

/** Fills the open reminder form from `spec`. */
async function fillForm(page: Page, spec: ReminderSpec) {
  await page.locator("#rf-personId").selectOption({ label: spec.person });
  await page.locator("#rf-medicine").fill(spec.medicine);
  if (spec.strength) await page.locator("#rf-strength").fill(spec.strength);
  if (spec.asNeeded) {
    await page.getByRole("radio", { name: "Only when needed" }).check();
    await page.getByLabel("Most doses in 24 hours").fill(spec.asNeeded.max);
    await page.getByLabel("Least hours between doses").fill(spec.asNeeded.gapHours);
  } else {
    await expect(page.getByRole("radio", { name: "Every day" })).toBeChecked();
    for (const [i, time] of (spec.times ?? ["08:00"]).entries()) {
      if (i > 0) {
        await page.getByRole("button", { name: "Add a time" }).click();
        // The new time takes the focus, ready to type.
        await expect(page.locator(`#rf-schedule-pattern-times-${i}`)).toBeFocused();
      }
      await page.locator(`#rf-schedule-pattern-times-${i}`).fill(time);
    }
  }
  if (spec.stock) await page.locator("#rf-stock").fill(spec.stock);
  if (spec.refillAt) await page.locator("#rf-refillAt").fill(spec.refillAt);
  if (spec.hideName) await page.getByLabel("Hide the medicine's name in calendars and notifications").check();
}

/** Saves the open form and waits for Today, up to date. */
async function save(page: Page) {
  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(page).toHaveURL(/\/reminders\?saved=[0-9a-f-]+$/);
  await heading(page, "Reminders");
  await settled(page);
}

/** Adds a reminder through the form and waits for Today. */
async function addReminder(page: Page, spec: ReminderSpec) {
  await openForm(page);
  await fillForm(page, spec);
  await save(page);
}

/** One person's section on Today (a `<section aria-labelledby>` headed by their name). */
function personToday(page: Page, person: string) {
  return page.getByRole("region", { name: person, exact: true });
}

/** The card of the dose at `time` ("8:00 AM") of `title` (medicine and strength) in a person's section. */
function doseCard(section: Locator, time: string, title: string) {
  // The card's name is "time medicine: status".
  const escaped = `${time} ${title}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return section.getByRole("article", { name: new RegExp(`^${escaped}: `) });
}

function badge(card: Locator) {
  return card.locator(".status-badge");
}

/** The account's reminder with this medicine, from the backend. */
async function reminderNamed(page: Page, medicine: string): Promise<Reminder> {
  const res = await page.request.get("/api/v1/reminders");
  expect(res.ok()).toBeTruthy();
  const found = ((await res.json()) as Reminder[]).filter((r) => r.medicine === medicine);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Whether `text` is in anything the app keeps in IndexedDB. */
async function keptOnDevice(page: Page, text: string): Promise<boolean> {
  return page.evaluate(async (text) => {
    const done = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await done(indexedDB.open(info.name));
      for (const name of Array.from(db.objectStoreNames)) {
        const values = await done(db.transaction(name, "readonly").objectStore(name).getAll());
        if (JSON.stringify(values).includes(text)) {
          db.close();
          return true;
        }
      }
      db.close();
    }
    return false;
  }, text);
}

/** The backend's dose events of one reminder around MORNING. */
async function eventsOf(page: Page, reminderId: string): Promise<DoseEvent[]> {
  const res = await page.request.get("/api/v1/dose-events?from=2026-11-22T00:00:00Z&until=2026-11-25T00:00:00Z");
  expect(res.ok()).toBeTruthy();
  return ((await res.json()) as DoseEvent[]).filter((e) => e.reminderId === reminderId);
}

test("form: each message says what is allowed and stands by the field to change", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Cousin", testInfo);
  await addPerson(page, person, "Orange");
  await openForm(page);
  await fillForm(page, { person, medicine: unique("Letrozole", testInfo) });
  await page.getByLabel("How much each time").fill("0.125");
  await page.getByRole("radio", { name: "Some days on, some days off" }).check();
  await page.getByRole("textbox", { name: "Days on" }).fill("21");
  await page.getByRole("textbox", { name: "Days off" }).fill("400");
  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(page.locator("#rf-doseAmount-error")).toHaveText(
    "Enter how much as a number from 0.01 to 9999.99, such as 1 or 2.5 (at most two digits after the point).",
  );
  // 21 days on is fine; the rest days make the cycle too long.
  await expect(page.locator("#rf-schedule-pattern-daysOn-error")).toHaveCount(0);
  await expect(page.locator("#rf-schedule-pattern-daysOff-error")).toHaveText("Days on and off together can be at most 365.");
  await expect(page).toHaveURL(/\/reminders\/new$/);

  // Every link in the summary leads to its field, the interval's too.
  await page.getByLabel("How much each time").fill("1");
  await page.getByRole("radio", { name: "Every few hours", exact: true }).check();
  await page.getByLabel("Every how many hours").fill("0");
  await page.getByRole("button", { name: "Save reminder" }).click();
  await page.locator("#reminder-errors").getByRole("link", { name: "The number must be at least 1." }).click();
  await expect(page.getByLabel("Every how many hours")).toBeFocused();
  expect(problems).toEqual([]);
});

test("create: a daily reminder with two times, previewed in plain words, checked, then listed on Today in order", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Mum", testInfo);
  const medicine = unique("Metformin", testInfo);
  await addPerson(page, person);
  await expectNoAxeViolations(page);

  await openForm(page);
  await expect(page.getByRole("link", { name: "Add a reminder" })).toHaveAttribute("aria-current", "page");
  await page.locator("#rf-personId").selectOption({ label: person });

  // Saving without a medicine: the summary is focused and the message sits next to the field.
  await page.getByRole("button", { name: "Save reminder" }).click();
  const summary = page.locator("#reminder-errors");
  await expect(summary).toBeFocused();
  await expect(summary).toContainText("Some details need checking.");
  await expect(summary.getByRole("link", { name: "Enter the medicine's name." })).toHaveAttribute("href", "#rf-medicine");
  await expect(page.locator("#rf-medicine-error")).toHaveText("Enter the medicine's name.");
  await expect(page.locator("#rf-medicine")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#rf-medicine")).toHaveAttribute("aria-describedby", "rf-medicine-error");
  await expect(page).toHaveURL(/\/reminders\/new$/);

  // The preview says the schedule in plain words and lists the next doses before saving.
  await fillForm(page, { person, medicine, strength: "500 mg", times: ["20:00", "08:00"] });
  const preview = page.getByRole("region", { name: "What this means" });
  await expect(preview.locator(".preview-words")).toHaveText("Every day at 8:00 AM and 8:00 PM");
  await expect(preview).toContainText("Next doses:");
  await expect(preview.locator(".preview-list").first().getByRole("listitem")).toHaveText([
    "Mon, Nov 23, 8:00 PM",
    "Tue, Nov 24, 8:00 AM",
    "Tue, Nov 24, 8:00 PM",
    "Wed, Nov 25, 8:00 AM",
    "Wed, Nov 25, 8:00 PM",
  ]);
  await expect(preview).toContainText("The clocks go forward 60 minutes on Sun, Mar 28");
  await expect(preview.locator(".notice")).toHaveCount(0);
  // A period wholly past would remind nobody: the preview says so before it is saved.
  await page.getByLabel("First day").fill("2026-11-01");
  await page.getByLabel("Last day (optional)").fill("2026-11-20");
  await expect(preview.locator(".notice")).toHaveText(
    "This schedule has no doses left from now on, so this reminder will not remind anyone. Check the last day.",
  );
  await expect(preview).not.toContainText("Next doses:");
  await expect(preview).not.toContainText("The clocks go");
  await page.getByLabel("Last day (optional)").fill("");
  await page.getByLabel("First day").fill("2026-11-23");
  await expect(preview.locator(".notice")).toHaveCount(0);
  await expect(preview).toContainText("Next doses:");
  // One check of the form with both the messages (shown until the next save) and the preview.
  await expect(page.locator("#rf-medicine-error")).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(page).toHaveURL(/\/reminders\?saved=[0-9a-f-]+$/);
  await heading(page, "Reminders");
  await expect(page.getByRole("status").filter({ hasText: `Reminder saved: ${medicine}` })).toBeVisible();
  await upToDate(page);
  const section = personToday(page, person);
  await expect(section.getByRole("heading", { level: 3 })).toHaveText(person);
  const cards = section.getByRole("article");
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toHaveAttribute("aria-label", `8:00 AM ${medicine} 500 mg: Due now`);
  await expect(cards.nth(1)).toHaveAttribute("aria-label", `8:00 PM ${medicine} 500 mg: Later`);
  await expect(badge(cards.nth(0))).toHaveText("Due now");
  await expect(badge(cards.nth(1))).toHaveText("Later");
  await expect(cards.nth(0).locator(".dose-meta").first()).toHaveText("1 tablet");
  await expect(page.getByRole("region", { name: "Reminders on this device" })).toBeVisible();
  await expectNoAxeViolations(page);

  // People counts it and says it in the same words.
  await page.getByRole("navigation", { name: "Reminders" }).getByRole("link", { name: "People" }).click();
  const card = page.getByRole("article", { name: person, exact: true });
  await expect(card).toContainText("Time zone: Europe/London. Reminders: 1.");
  await expect(card.getByRole("listitem")).toContainText(`${medicine} 500 mg: Every day at 8:00 AM and 8:00 PM`);
  expect(problems).toEqual([]);
});

test("log: taken, snoozed and skipped doses show their status and keep it after a reload and on another device", async ({ page, browser }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Dad", testInfo);
  const medicine = unique("Ramipril", testInfo);
  await addPerson(page, person, "Teal");
  await addReminder(page, { person, medicine, times: ["07:00", "07:45", "08:00", "20:00"] });

  const section = personToday(page, person);
  const overdue = doseCard(section, "7:00 AM", medicine);
  const first = doseCard(section, "7:45 AM", medicine);
  const second = doseCard(section, "8:00 AM", medicine);
  const evening = doseCard(section, "8:00 PM", medicine);
  await expect(badge(overdue)).toHaveText("Overdue");
  await expect(badge(first)).toHaveText("Due now");
  await expect(badge(second)).toHaveText("Due now");
  await expect(badge(evening)).toHaveText("Later");
  // A dose can be put off once it is due, not before.
  await expect(evening.getByRole("button", { name: "Snooze" })).toHaveCount(0);
  await expect(overdue.getByRole("button", { name: "Snooze" })).toBeVisible();

  // Out of the card (a screen reader's list of buttons, voice control), each button still says
  // which dose it is for.
  const escaped = medicine.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await expect(first.getByRole("button", { name: /^Taken, / })).toHaveAccessibleName(new RegExp(`^Taken, ${escaped}.* at 7:45 AM$`));
  await expect(overdue.getByRole("button", { name: "Snooze" })).toHaveAccessibleName(new RegExp(`^Snooze, ${escaped}.* at 7:00 AM$`));
  await first.getByRole("button", { name: /^Taken, / }).click();
  await expect(badge(first)).toHaveText("Taken");
  // The card, drawn anew, keeps the focus.
  await expect(first).toBeFocused();
  await expect(first.locator(".dose-status")).toHaveText("Taken at 8:05 AM");
  // Changing the time starts from the time recorded, with the focus in the field.
  await first.getByRole("button", { name: /^Change the time, / }).click();
  const takenAt = first.getByLabel("Time it was taken");
  await expect(takenAt).toBeFocused();
  await expect(takenAt).toHaveValue("08:05");
  await page.keyboard.press("Escape");
  await expect(takenAt).toHaveCount(0);
  await expect(first).toBeFocused();
  await expect(first.getByRole("button", { name: "Snooze" })).toHaveCount(0);
  // Each logged dose is sent at once: let that finish, so the panel below opens on a quiet page.
  await settled(page);

  await second.getByRole("button", { name: "Snooze" }).click();
  await expect(second.getByRole("button", { name: "Snooze" })).toHaveAttribute("aria-expanded", "true");
  await second.getByRole("group", { name: "Snooze for" }).getByRole("button", { name: "10 min" }).click();
  await expect(badge(second)).toHaveText("Snoozed");
  await expect(second.locator(".dose-status")).toHaveText("Snoozed until 8:15 AM");
  await settled(page);

  await evening.getByRole("button", { name: "Skip" }).click();
  await evening.getByLabel("Why (optional)").focus();
  await page.keyboard.press("Escape");
  await expect(evening.getByLabel("Why (optional)")).toHaveCount(0);
  await expect(evening).toBeFocused();
  await evening.getByRole("button", { name: "Skip" }).click();
  await evening.getByLabel("Why (optional)").fill("Out for dinner");
  await evening.getByRole("button", { name: "Skip this dose" }).click();
  await expect(badge(evening)).toHaveText("Skipped");
  await expect(evening.locator(".dose-status")).toHaveText("Skipped Reason: Out for dinner");
  await expect(evening.getByRole("button", { name: "Taken after all" })).toBeVisible();
  await upToDate(page);

  // The backend has the three events.
  const reminder = await reminderNamed(page, medicine);
  const events = await eventsOf(page, reminder.id);
  expect(events.map((e) => e.action).sort()).toEqual(["skipped", "snoozed", "taken"]);
  expect(events.find((e) => e.action === "snoozed")?.snoozeMinutes).toBe(10);
  expect(events.find((e) => e.action === "skipped")?.reason).toBe("Out for dinner");

  await page.reload();
  await heading(page, "Reminders");
  await upToDate(page);
  await expect(badge(overdue)).toHaveText("Overdue");
  await expect(first.locator(".dose-status")).toHaveText("Taken at 8:05 AM");
  await expect(second.locator(".dose-status")).toHaveText("Snoozed until 8:15 AM");
  await expect(evening.locator(".dose-status")).toHaveText("Skipped Reason: Out for dinner");

  // Here the person's zone is the device's, so nothing needs saying about it.
  await expect(personToday(page, person).locator(".zone-note")).toHaveCount(0);

  // Another device signed in to the same account shows the same (from the backend), in the
  // person's time, and says so when that device is elsewhere.
  const other = await browser.newContext({ timezoneId: "America/New_York" });
  try {
    const phone = await other.newPage();
    const otherProblems = watchConsole(phone);
    await startAt(phone, "2026-11-23T08:06:00Z");
    await phone.goto("/reminders");
    await upToDate(phone);
    const there = personToday(phone, person);
    await expect(there.locator(".zone-note")).toHaveText("Times are London time, where it is Monday, November 23.");
    await expect(doseCard(there, "7:45 AM", medicine).locator(".dose-status")).toHaveText("Taken at 8:05 AM");
    await expect(doseCard(there, "8:00 AM", medicine).locator(".dose-status")).toHaveText("Snoozed until 8:15 AM");
    await expect(doseCard(there, "8:00 PM", medicine).locator(".dose-status")).toHaveText("Skipped Reason: Out for dinner");
    expect(otherProblems).toEqual([]);
  } finally {
    await other.close();
  }

  // When the snooze ends the dose is due again, without a reload (the page's clock ticks).
  await quiet(page); // a jump of the clock during a request would time it out
  await page.clock.fastForward("11:00");
  await expect(badge(second)).toHaveText("Due now");
  expect(problems).toEqual([]);
});

test("as needed: the second dose within the gap warns and needs Log it anyway; one logged by mistake is taken back", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Gran", testInfo);
  const medicine = unique("Paracetamol", testInfo);
  await addPerson(page, person, "Orange");

  await openForm(page);
  await fillForm(page, { person, medicine, strength: "500 mg", asNeeded: { max: "2", gapHours: "4" }, stock: "10" });
  await expect(page.locator(".reminder-preview .preview-words")).toHaveText(
    "Only when needed, at most 2 in 24 hours, at least 4 hours apart",
  );
  await expect(page.locator("#rf-schedule-pattern-times-0")).toHaveCount(0);
  await save(page);

  const section = personToday(page, person);
  const card = section.locator("article.as-needed").filter({ hasText: medicine });
  await expect(card.getByRole("heading", { level: 4 })).toHaveText(`${medicine} 500 mg`);
  // How much to take, as on the scheduled doses' cards.
  await expect(card.locator(".dose-meta").first()).toHaveText("1 tablet");
  await expect(card).toContainText("Only when needed");
  await expect(card).toContainText("None taken today.");
  await card.getByRole("button", { name: "Log a dose now" }).click();
  await expect(card).toContainText("Taken today at 8:05 AM.");
  // Right after logging the wait is the whole gap, said in whole hours.
  await expect(card.locator(".field-error")).toHaveText(/^The last dose was too recent\. Wait (?:4 hours|4 h 1 min) more\.$/);
  // The question a second dose asks stays open while the first reaches the backend and counts
  // the pack down, which gives the reminder a new version.
  await card.getByRole("button", { name: "Log a dose now" }).click();
  await expect(card.getByRole("alert")).toContainText("The last dose was too recent.");
  await settled(page);
  await expect.poll(async () => (await reminderNamed(page, medicine)).stock).toBe(9);
  await expect(card.getByRole("alert")).toContainText("The last dose was too recent.");
  await card.getByRole("alert").getByRole("button", { name: "Cancel" }).click();
  // The clock jumps only once nothing is on its way: a jump during a request times it out.
  await page.clock.fastForward("00:30");
  await expect(card.locator(".field-error")).toHaveText("The last dose was too recent. Wait 4 hours more.");

  // A second dose asks first; cancelling logs nothing.
  await card.getByRole("button", { name: "Log a dose now" }).click();
  const alert = card.getByRole("alert");
  await expect(alert).toContainText("The last dose was too recent.");
  await expect(alert).toContainText("Only take more if a doctor or pharmacist told you to.");
  await alert.getByRole("button", { name: "Cancel" }).click();
  await expect(alert).toHaveCount(0);
  await expect(card).toContainText("Taken today at 8:05 AM.");

  await card.getByRole("button", { name: "Log a dose now" }).click();
  await card.getByRole("alert").getByRole("button", { name: "Log it anyway" }).click();
  await expect(card).toContainText("Taken today at 8:05 AM, 8:05 AM.");
  await expect(card.locator(".field-error")).toHaveText(
    "The most for 24 hours (2) has been taken. The next dose is allowed from Tue, Nov 24, 8:05 AM.",
  );
  await upToDate(page);
  await expect.poll(async () => (await reminderNamed(page, medicine)).stock).toBe(8);

  // The first was a mistake, found after the second: any of the day's doses can be taken back
  // (newest first). Taken back, it leaves the list, the limit and the pack.
  // Both in the same minute, the buttons say which dose each takes back.
  const undos = card.getByRole("button", { name: /^Undo: not taken/ });
  await expect(undos).toHaveText(["Undo: not taken (8:05 AM, dose 2 of 2)", "Undo: not taken (8:05 AM, dose 1 of 2)"]);
  await card.getByRole("button", { name: `Undo: not taken (8:05 AM, dose 1 of 2), ${medicine} 500 mg` }).click();
  await expect(card).toBeFocused();
  await expect(card.locator(".dose-meta").filter({ hasText: "Taken today" })).toHaveText("Taken today at 8:05 AM.");
  await expect(card.locator(".field-error")).toHaveText(/^The last dose was too recent\./);
  await expect(card.getByRole("status")).toHaveText("Taken back: that dose is no longer logged.");
  await upToDate(page);
  await expect.poll(async () => (await reminderNamed(page, medicine)).stock).toBe(9);
  const reminder = await reminderNamed(page, medicine);
  const events = await eventsOf(page, reminder.id);
  expect(events.map((e) => e.action)).toEqual(["taken", "taken", "undone"]);
  expect(events.every((e) => !e.scheduledAt)).toBeTruthy();
  expect(events[2].undoes).toBe(events[0].id);
  await expect(undos).toHaveText(["Undo: not taken (8:05 AM)"]);
  // After a reload the list is the same.
  await page.reload();
  await settled(page);
  await expect(card.locator(".dose-meta").filter({ hasText: "Taken today" })).toHaveText("Taken today at 8:05 AM.");
  expect(problems).toEqual([]);
});

test("history: adherence figures, an accessible chart with a table, and a CSV download", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Aunt", testInfo);
  const medicine = unique("Atorvastatin", testInfo);
  await addPerson(page, person, "Blue");
  await addReminder(page, { person, medicine, strength: "20 mg", times: ["07:45", "08:00"] });
  const section = personToday(page, person);
  await doseCard(section, "7:45 AM", `${medicine} 20 mg`).getByRole("button", { name: /^Taken, / }).click();
  await settled(page);
  const later = doseCard(section, "8:00 AM", `${medicine} 20 mg`);
  await later.getByRole("button", { name: "Skip" }).click();
  await later.getByLabel("Why (optional)").fill("Felt sick, asked the GP");
  await later.getByRole("button", { name: "Skip this dose" }).click();
  await expect(badge(later)).toHaveText("Skipped");
  await upToDate(page);

  await page.getByRole("navigation", { name: "Reminders" }).getByRole("link", { name: "History" }).click();
  await heading(page, "History");
  await upToDate(page);
  const whose = page.getByLabel("Whose history");
  if (await whose.isVisible()) await whose.selectOption({ label: person });
  await expect(page.locator(".adherence-figure")).toHaveText([
    "Last 7 days: 50% taken (1 of 2 doses).",
    "Last 30 days: 50% taken (1 of 2 doses).",
  ]);
  const chart = page.getByRole("img", { name: "From Tue, Nov 17 to Mon, Nov 23: 1 taken, 1 skipped, 0 missed." });
  await expect(chart).toBeVisible();
  await page.getByText("Show as a table").click();
  const table = page.locator("table.history-table");
  await expect(table.getByRole("row")).toHaveCount(8);
  await expect(table.getByRole("row").last()).toHaveText(/Mon, Nov\s23\s*1\s*1\s*0/);
  await page.getByRole("radio", { name: "30 days" }).check();
  await expect(page.getByRole("img", { name: /^From Sun, Oct 25 to Mon, Nov 23: 1 taken, 1 skipped, 0 missed\.$/ })).toBeVisible();
  await expectNoAxeViolations(page);

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the last 30 days (CSV)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`doses-${person.replace(/[^\p{L}\p{N}]/gu, "-")}-2026-11-23.csv`);
  expect(await download.failure()).toBeNull();
  const file = await readFile(await download.path(), "utf8");
  // A byte order mark, so spreadsheets read it as UTF-8.
  expect(file.startsWith("\ufeff")).toBeTruthy();
  const csv = file.slice(1);
  expect(csv.endsWith("\r\n")).toBeTruthy();
  expect(csv.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/); // CRLF only
  const lines = csv.split("\r\n").slice(0, -1);
  expect(lines[0]).toBe("Person,Medicine,Strength,Dose,Planned for,Time zone,Status,Taken at or reason");
  expect(lines.slice(1)).toEqual([
    `${person},${medicine},20 mg,1 tablet,2026-11-23 07:45,Europe/London,Taken,2026-11-23 08:05`,
    `${person},${medicine},20 mg,1 tablet,2026-11-23 08:00,Europe/London,Skipped,"Felt sick, asked the GP"`,
  ]);

  // In German, the file is German throughout: the dose too, not just the column titles.
  await page.getByLabel("Language").selectOption("de");
  const inGerman = page.waitForEvent("download");
  await page.getByRole("button", { name: "Die letzten 30 Tage herunterladen (CSV)" }).click();
  // Separated by semicolons, as a spreadsheet set up in German expects.
  const german = (await readFile(await (await inGerman).path(), "utf8")).slice(1).split("\r\n");
  expect(german[0]).toBe("Person;Arzneimittel;Stärke;Dosis;Geplant für;Zeitzone;Status;Einnahmezeit oder Grund");
  expect(german[1]).toBe(`${person};${medicine};20 mg;1 Tablette;2026-11-23 07:45;Europe/London;Genommen;2026-11-23 08:05`);
  expect(german[2]).toBe(`${person};${medicine};20 mg;1 Tablette;2026-11-23 08:00;Europe/London;Ausgelassen;"Felt sick, asked the GP"`);
  // The open table follows the language, and stays open while the clock ticks on. Its days fit
  // a phone: a day may break after its weekday, never inside its date.
  await expect(table.getByRole("row").last().getByRole("rowheader")).toHaveText("Mo., 23.\u00a0Nov.");
  await page.clock.runFor(65_000);
  await expect(table.getByRole("row").last().getByRole("rowheader")).toBeVisible();
  expect(problems).toEqual([]);
});

test("offline: a dose logged without a network waits on the device, then reaches the backend once", async ({ page, context }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Sis", testInfo);
  const medicine = unique("Levothyroxine", testInfo);
  await addPerson(page, person, "Pink");
  await addReminder(page, { person, medicine, times: ["07:45", "08:00"] });
  const reminder = await reminderNamed(page, medicine);
  const section = personToday(page, person);
  const first = doseCard(section, "7:45 AM", medicine);
  const second = doseCard(section, "8:00 AM", medicine);
  await settled(page);

  await context.setOffline(true);
  await first.getByRole("button", { name: /^Taken, / }).click();
  await expect(badge(first)).toHaveText("Taken");
  await expect(syncLine(page)).toContainText("Showing what this device knows.");
  await expect(syncLine(page)).toContainText("1 logged dose is waiting to be sent.");
  expect(await eventsOf(page, reminder.id)).toHaveLength(0);

  // Coming back online sends it by itself.
  await context.setOffline(false);
  await upToDate(page);
  await page.reload();
  await heading(page, "Reminders");
  await upToDate(page);
  await expect(badge(first)).toHaveText("Taken");
  await settled(page);

  // The backend stores the next dose but its answer is lost: the app sends it again later,
  // and the backend keeps it once.
  let lost = 0;
  await page.route("**/api/v1/dose-events", async (route) => {
    if (route.request().method() === "POST" && lost === 0) {
      lost += 1;
      await route.fetch();
      await route.abort("failed");
    } else {
      await route.fallback();
    }
  });
  await second.getByRole("button", { name: /^Taken, / }).click();
  await expect(badge(second)).toHaveText("Taken");
  await expect(syncLine(page)).toContainText("Showing what this device knows.");
  await expect(syncLine(page)).toContainText("1 logged dose is waiting to be sent.");
  expect(lost).toBe(1);
  await quiet(page);
  const resent = page.waitForResponse((r) => r.url().endsWith("/api/v1/dose-events") && r.request().method() === "POST");
  await context.setOffline(true);
  await context.setOffline(false);
  const receipt = await (await resent).json();
  expect(receipt.stored).toEqual([]);
  expect(receipt.duplicates).toHaveLength(1);
  await upToDate(page);

  // More synchronisations send nothing twice.
  await page.getByRole("navigation", { name: "Reminders" }).getByRole("link", { name: "People" }).click();
  await upToDate(page);
  await page.getByRole("navigation", { name: "Reminders" }).getByRole("link", { name: "Today" }).click();
  await upToDate(page);
  const events = await eventsOf(page, reminder.id);
  expect(events).toHaveLength(2);
  expect(events.every((e) => e.action === "taken")).toBeTruthy();
  expect(new Set(events.map((e) => Date.parse(e.scheduledAt ?? ""))).size).toBe(2);
  expect(receipt.duplicates[0]).toBe(events.find((e) => Date.parse(e.scheduledAt ?? "") === Date.parse("2026-11-23T08:00:00Z"))?.id);

  // The only errors are the browser's notes of the two sends that failed on purpose.
  const failedSend = /^Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|FAILED) \(http:[^ ]*\/api\/v1\/dose-events\)$/;
  expect(problems.filter((p) => !failedSend.test(p))).toEqual([]);
});

test("signing out with a dose not sent yet asks first: staying keeps it, and it is sent before signing out", async ({
  page,
}, testInfo) => {
  await startAt(page);
  const person = unique("Gran", testInfo);
  const medicine = unique("Apixaban", testInfo);
  await addPerson(page, person, "Teal");
  await addReminder(page, { person, medicine, times: ["07:45"] });
  const reminder = await reminderNamed(page, medicine);
  await settled(page);
  const unreachable = "**/api/v1/dose-events";
  await page.route(unreachable, (route) =>
    route.request().method() === "POST" ? route.abort("failed") : route.fallback(),
  );
  await doseCard(personToday(page, person), "7:45 AM", medicine).getByRole("button", { name: /^Taken, / }).click();
  await expect(syncLine(page)).toContainText("1 logged dose is waiting to be sent.");

  await page.goto("/account");
  await heading(page, "Your account");
  await page.getByRole("button", { name: "Sign out" }).click();
  const warning = page.getByRole("region", { name: "Not everything has reached us yet" });
  await expect(warning).toContainText("Signing out deletes these from this device:");
  await expect(warning.getByRole("listitem")).toHaveText([
    "Doses you logged: 1. They are sent by themselves once this device is online.",
  ]);
  await expect(warning.getByRole("heading")).toBeFocused();
  await warning.getByRole("button", { name: "Stay signed in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeFocused();
  await expect(navLink(page, "Account")).toBeVisible();

  // Reachable again: the dose goes first, and signing out asks nothing.
  await page.unroute(unreachable);
  await page.getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in");
  await expect(navLink(page, "Sign in")).toBeVisible();
  await signIn(page, "caregiver");
  await heading(page, "Your health companion");
  expect((await eventsOf(page, reminder.id)).map((e) => e.action)).toEqual(["taken"]);
});

test("a half-typed reminder is kept while another one is opened, and opening one keeps nothing", async ({
  page,
}, testInfo) => {
  await startAt(page);
  const person = unique("Aunt", testInfo);
  const medicine = unique("Metformin", testInfo);
  await addPerson(page, person, "Blue");
  await addReminder(page, { person, medicine, times: ["08:00"] });
  const saved = await reminderNamed(page, medicine);

  await openForm(page);
  await page.locator("#rf-medicine").fill("Half typed");
  // Kept on the device before the page is left (a page load cuts a write short; a move within
  // the app does not).
  await expect.poll(() => keptOnDevice(page, "Half typed")).toBe(true);
  await page.goto(`/reminders/edit/${saved.id}`);
  await expect(page.locator("#rf-medicine")).toHaveValue(medicine);
  await expect(page.getByText("We kept what you typed last time.")).toHaveCount(0);

  await openForm(page);
  await expect(page.locator("#rf-medicine")).toHaveValue("Half typed");
  await expect(page.getByText("We kept what you typed last time.")).toBeVisible();
  // Looking at a reminder without changing it left no draft of it behind.
  await page.goto(`/reminders/edit/${saved.id}`);
  await expect(page.locator("#rf-medicine")).toHaveValue(medicine);
  await expect(page.getByText("We kept what you typed last time.")).toHaveCount(0);
});

test("a double tap on Save sends one save", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Aunt", testInfo);
  const medicine = unique("Atorvastatin", testInfo);
  await addPerson(page, person, "Blue");
  await addReminder(page, { person, medicine, times: ["08:00"] });
  const saved = await reminderNamed(page, medicine);
  await page.goto(`/reminders/edit/${saved.id}`);
  await expect(page.locator("#rf-medicine")).toHaveValue(medicine);
  await page.locator("#rf-strength").fill("20 mg");
  const saves: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PUT" && r.url().includes(`/api/v1/reminders/${saved.id}`)) saves.push(r.url());
  });
  await page.getByRole("button", { name: "Save reminder" }).dblclick();
  await expect(page).toHaveURL(/\/reminders\?saved=/);
  await settled(page);
  expect(saves).toHaveLength(1);
  expect((await reminderNamed(page, medicine)).strength).toBe("20 mg");
  // The second save would have been refused as changed elsewhere, logged as an error.
  expect(problems).toEqual([]);
});

test("calendar: the person's .ics file and a private subscription address", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Uncle", testInfo);
  const medicine = unique("Amlodipine", testInfo).replace(/ /g, "-");
  const hidden = unique("Private", testInfo).replace(/ /g, "-");
  await addPerson(page, person, "Green");
  await addReminder(page, { person, medicine, strength: "5 mg", times: ["09:00"] });
  await addReminder(page, { person, medicine: hidden, times: ["21:00"], hideName: true });

  await page.goto("/reminders/people");
  await heading(page, "People");
  await upToDate(page);
  const card = page.getByRole("article", { name: person, exact: true });
  await expect(card).toContainText("Reminders: 2.");
  await card.getByText("Calendar", { exact: true }).click();
  const link = card.getByRole("link", { name: "Download calendar file (.ics)" });
  await expect(link).toHaveAttribute("download", `${person.replace(/[^\p{L}\p{N}]/gu, "-")}.ics`);
  const href = await link.getAttribute("href");
  expect(href).toBeTruthy();
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^text\/calendar/);
  // Named after the person by the backend too, whose name a browser prefers to the link's.
  expect(res.headers()["content-disposition"]).toContain(`filename*=UTF-8''${encodeURIComponent(person)}.ics`);
  const ics = (await res.text()).replace(/\r\n[ \t]/g, ""); // unfolded
  expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBeTruthy();
  expect(ics).toContain(`${medicine} 5 mg`);
  expect(ics).not.toContain(hidden);
  expect(ics).toContain("SUMMARY:Medicine reminder");
  await expectNoAxeViolations(page);

  // A subscription address works without signing in, until it is stopped.
  await card.getByRole("button", { name: "Make a subscription address" }).click();
  const address = card.getByLabel("Subscription address");
  await expect(address).toHaveValue(/^http/);
  const url = await address.inputValue();
  const anonymous = await playwrightRequest.newContext();
  try {
    const feed = await anonymous.get(url);
    expect(feed.status()).toBe(200);
    expect(feed.headers()["content-type"]).toMatch(/^text\/calendar/);
    const feedText = (await feed.text()).replace(/\r\n[ \t]/g, "");
    expect(feedText).toContain(`${medicine} 5 mg`);
    expect(feedText).toContain("DESCRIPTION:Take 1 tablet.");

    // In French, the address and the file change with the language showing.
    await page.getByLabel("Language").selectOption("fr");
    await expect(card.getByLabel("Adresse d’abonnement")).toHaveValue(/\?lang=fr$/);
    const french = (await (await anonymous.get(await card.getByLabel("Adresse d’abonnement").inputValue())).text()).replace(/\r\n[ \t]/g, "");
    expect(french).toContain("DESCRIPTION:Prendre 1 comprimé.");
    expect(french).toContain("SUMMARY:Rappel de médicament");
    const frenchFile = await page.request.get((await card.getByRole("link", { name: "Télécharger le fichier de calendrier (.ics)" }).getAttribute("href"))!);
    expect((await frenchFile.text()).replace(/\r\n[ \t]/g, "")).toContain(`X-WR-CALNAME:Médicaments : ${person}`);
    await page.getByLabel("Langue").selectOption("en");

    // Back later: the address is not shown again, but the page says one works, and making a new
    // one (which ends it) is asked first.
    await page.reload();
    await upToDate(page);
    await card.getByText("Calendar", { exact: true }).click();
    await expect(card).toContainText(/A subscription address has worked since [A-Z][a-z]{2} \d{1,2}, 2026\./);
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("Calendars that use the current address will stop updating. Make a new address?");
      void dialog.dismiss();
    });
    await card.getByRole("button", { name: "Make a new address" }).click();
    await expect(card.getByLabel("Subscription address")).toHaveCount(0);
    expect((await anonymous.get(url)).status()).toBe(200);
    page.once("dialog", (dialog) => void dialog.accept());
    await card.getByRole("button", { name: "Make a new address" }).click();
    await expect(card.getByLabel("Subscription address")).toHaveValue(/^http/);
    const renewed = await card.getByLabel("Subscription address").inputValue();
    expect(renewed).not.toBe(url);
    expect((await anonymous.get(url)).status()).toBe(404);

    await card.getByRole("button", { name: "Stop this address" }).click();
    await expect(card.getByRole("status")).toHaveText("The subscription address no longer works.");
    expect((await anonymous.get(renewed)).status()).toBe(404);
    await expect(card.getByRole("button", { name: "Make a subscription address" })).toBeVisible();
  } finally {
    await anonymous.dispose();
  }
  expect(problems).toEqual([]);
});

test("people: removing a person asks first, then takes them and their reminders off this device and the backend", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Aunt", testInfo);
  const medicine = unique("Levothyroxine", testInfo);
  await addPerson(page, person, "Red");
  await addReminder(page, { person, medicine, times: ["20:00"] });
  await expect(personToday(page, person)).toBeVisible();

  await page.goto("/reminders/people");
  await heading(page, "People");
  const card = page.getByRole("article", { name: person, exact: true });
  await card.getByRole("button", { name: `Remove ${person}` }).click();
  const question = card.getByText(`Remove ${person}? Their reminders, the doses logged for them and their calendar address are deleted too.`);
  await expect(question).toBeFocused();
  await expectNoAxeViolations(page);
  // Cancel leaves everything, with the focus back where it was.
  await card.getByRole("button", { name: "Cancel" }).click();
  await expect(question).toHaveCount(0);
  await expect(card.getByRole("button", { name: `Remove ${person}` })).toBeFocused();

  await card.getByRole("button", { name: `Remove ${person}` }).click();
  await card.locator(".remove-person").getByRole("button", { name: `Remove ${person}` }).click();
  await expect(card).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: `${person} was removed, with their reminders.` })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();

  const people = (await (await page.request.get("/api/v1/people")).json()) as Array<{ name: string }>;
  expect(people.map((p) => p.name)).not.toContain(person);
  const reminders = (await (await page.request.get("/api/v1/reminders")).json()) as Reminder[];
  expect(reminders.map((r) => r.medicine)).not.toContain(medicine);
  await page.goto("/reminders");
  await upToDate(page);
  await expect(personToday(page, person)).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("undo: a dose marked taken or skipped by mistake is due again; a taken one is back in the pack", async ({
  page,
}, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Uncle", testInfo);
  const medicine = unique("Metformin", testInfo);
  await addPerson(page, person, "Purple");
  await addReminder(page, { person, medicine, strength: "500 mg", times: ["07:45"], stock: "5" });
  const card = doseCard(personToday(page, person), "7:45 AM", `${medicine} 500 mg`);
  await card.getByRole("button", { name: /^Taken, / }).click();
  await expect(badge(card)).toHaveText("Taken");
  await upToDate(page);
  await expect.poll(async () => (await reminderNamed(page, medicine)).stock).toBe(4);

  await card.getByRole("button", { name: /^Undo: not taken, / }).click();
  await expect(badge(card)).toHaveText("Due now");
  // The card, drawn anew with its new status in its name, keeps the focus.
  await expect(card).toBeFocused();
  await expect(card.getByRole("button", { name: /^Taken, / })).toBeVisible();
  await upToDate(page);
  await expect.poll(async () => (await reminderNamed(page, medicine)).stock).toBe(5);
  const reminder = await reminderNamed(page, medicine);
  expect((await eventsOf(page, reminder.id)).map((e) => e.action)).toEqual(["taken", "undone"]);
  await page.reload();
  await upToDate(page);
  await expect(badge(card)).toHaveText("Due now");

  await card.getByRole("button", { name: /^Skip, / }).click();
  await card.getByRole("button", { name: "Skip this dose" }).click();
  await expect(badge(card)).toHaveText("Skipped");
  await card.getByRole("button", { name: /^Undo: not skipped, / }).click();
  await expect(badge(card)).toHaveText("Due now");
  await expect(card).toBeFocused();
  await upToDate(page);
  expect((await eventsOf(page, reminder.id)).map((e) => e.action)).toEqual(["taken", "undone", "skipped", "undone"]);
  expect((await reminderNamed(page, medicine)).stock).toBe(5);
  expect(problems).toEqual([]);
});

test("a person added on another device joins Today without closing a Skip panel open here", async ({
  page,
}, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Gran", testInfo);
  const medicine = unique("Digoxin", testInfo);
  await addPerson(page, person, "Orange");
  await addReminder(page, { person, medicine, strength: "125 mcg", times: ["08:00"] });
  await settled(page);
  const card = doseCard(personToday(page, person), "8:00 AM", `${medicine} 125 mcg`);
  await card.getByRole("button", { name: "Skip" }).click();
  const reason = card.getByLabel("Why (optional)");
  await reason.fill("Pulse under 60, calling the GP");

  const other = unique("Grandad", testInfo);
  const added = await page.request.post("/api/v1/people", {
    data: { name: other, colour: "blue", zone: "Europe/London" },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(added.status()).toBe(201);
  // Coming back online is one of the moments the app synchronises.
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(personToday(page, other)).toBeVisible();
  await upToDate(page);
  await expect(reason).toHaveValue("Pulse under 60, calling the GP");
  await expect(reason).toBeFocused();
  expect(problems).toEqual([]);
});

test("a skip reason and the People forms being typed are still there after a reload", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Grandpa", testInfo);
  const medicine = unique("Bisoprolol", testInfo);
  await addPerson(page, person, "Green");
  await addReminder(page, { person, medicine, strength: "2.5 mg", times: ["08:00"] });
  const card = () => doseCard(personToday(page, person), "8:00 AM", `${medicine} 2.5 mg`);
  await card().getByRole("button", { name: "Skip" }).click();
  await card().getByLabel("Why (optional)").fill("Felt dizzy after breakfast");
  await expect.poll(() => keptOnDevice(page, "Felt dizzy after breakfast")).toBe(true);
  await page.reload();
  await settled(page);
  await expect(card().getByLabel("Why (optional)")).toHaveValue("Felt dizzy after breakfast");
  await card().getByRole("button", { name: "Skip this dose" }).click();
  await expect(badge(card())).toHaveText("Skipped");
  await expect(card()).toContainText("Reason: Felt dizzy after breakfast");
  await settled(page);
  // Once used, the reason is not kept apart any more: it is part of the logged dose.
  await page.reload();
  await settled(page);
  await expect(card()).toContainText("Reason: Felt dizzy after breakfast");
  await expect(card().getByLabel("Why (optional)")).toHaveCount(0);

  // A new person half typed, reloaded, cancelled: gone for good.
  await page.goto("/reminders/people");
  await settled(page);
  await page.getByRole("button", { name: "Add a person" }).click();
  const adding = page.getByRole("region", { name: "Add a person" });
  await adding.getByRole("radio", { name: "Orange" }).check();
  await adding.getByLabel("Name").fill("Uncle Bo");
  // Kept as typed (a reload in the same instant may beat the device's storage, as with any page).
  await expect.poll(() => keptOnDevice(page, "Uncle Bo")).toBe(true);
  await page.reload();
  await settled(page);
  await expect(adding.getByLabel("Name")).toHaveValue("Uncle Bo");
  await expect(adding.getByRole("radio", { name: "Orange" })).toBeChecked();
  await adding.getByRole("button", { name: "Cancel" }).click();
  await expect.poll(() => keptOnDevice(page, "Uncle Bo")).toBe(false);
  await page.reload();
  await settled(page);
  await expect(page.getByRole("button", { name: "Add a person" })).toBeVisible();
  await expect(adding).toHaveCount(0);

  // A change half typed survives a reload, and a change made elsewhere meanwhile is shown, not overwritten unseen.
  const personCard = page.getByRole("article", { name: person, exact: true });
  await personCard.getByRole("button", { name: `Change ${person}` }).click();
  await personCard.getByLabel("Name").fill(`${person} Senior`);
  await expect.poll(() => keptOnDevice(page, `${person} Senior`)).toBe(true);
  await page.reload();
  await settled(page);
  await expect(personCard.getByLabel("Name")).toHaveValue(`${person} Senior`);
  const listed = await page.request.get("/api/v1/people");
  const saved = ((await listed.json()) as { id: string; name: string; version: number }[]).find((p) => p.name === person);
  expect(saved).toBeDefined();
  const elsewhere = `${person} Jr`;
  const changed = await page.request.put(`/api/v1/people/${saved!.id}`, {
    data: { name: elsewhere, colour: "green", zone: "Europe/Dublin" },
    headers: { Origin: new URL(page.url()).origin, "If-Match": `"${saved!.version}"` },
  });
  expect(changed.status()).toBe(200);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  const changedCard = page.getByRole("article", { name: elsewhere, exact: true });
  await expect(changedCard.locator(".person-form .notice")).toHaveText(
    `This person was changed somewhere else while you were typing. Saved now: ${elsewhere}, time zone Europe/Dublin. ` +
      "The form still holds what you typed: Save replaces what was saved, Cancel keeps it.",
  );
  await expect(changedCard.getByLabel("Name")).toHaveValue(`${person} Senior`);
  await changedCard.getByRole("button", { name: "Save" }).click();
  // Save replaced the other change with the whole form: the name typed here, the zone it held.
  await expect(page.getByRole("article", { name: `${person} Senior`, exact: true })).toContainText(
    "Time zone: Europe/London. Reminders: 1.",
  );
  await settled(page);
  expect(await keptOnDevice(page, "Uncle Bo")).toBe(false);
  expect(await keptOnDevice(page, "Felt dizzy")).toBe(true); // in the logged dose only
  expect(problems).toEqual([]);
});

test("doses due well before a reminder was set up are neither overdue nor missed", async ({ page }, testInfo) => {
  // The real clock: the backend stamps the reminder with its own time.
  const problems = watchConsole(page);
  trackApi(page);
  await signIn(page, "caregiver");
  await heading(page, "Your health companion");
  const person = unique("Cousin", testInfo);
  const medicine = unique("Levothyroxine", testInfo);
  await addPerson(page, person, "Pink");
  await openForm(page);
  await fillForm(page, { person, medicine, strength: "50 mcg", times: ["00:00", "12:00"] });
  const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString("en-CA", { timeZone: "Europe/London" });
  await page.locator("#rf-schedule-start").fill(yesterday);
  const londonHour = () => Number(new Date().toLocaleString("en-GB", { timeZone: "Europe/London", hour: "2-digit", hourCycle: "h23" }));
  const hourBefore = londonHour();
  await save(page);
  const hourAfter = londonHour();
  // Whatever the time of day: today's doses are later, due now, or before the set-up; none is overdue.
  const section = personToday(page, person);
  await expect(section).toBeVisible();
  await expect(section.locator(".status-badge", { hasText: /^(Overdue|Missed)$/ })).toHaveCount(0);
  // Those left out are said: the 00:00 dose from 01:00, the 12:00 one too from 13:00.
  if (hourBefore === hourAfter) {
    const leftOut = section.locator("p.muted").filter({ hasText: "came before" });
    if (hourBefore >= 13) {
      await expect(leftOut).toHaveText("2 earlier doses today came before their reminder was set up, so they are not counted.");
    } else if (hourBefore >= 1) {
      await expect(leftOut).toHaveText("Today's earlier dose came before this reminder was set up, so it is not counted.");
    } else {
      await expect(leftOut).toHaveCount(0);
    }
  }
  await page.getByRole("navigation", { name: "Reminders" }).getByRole("link", { name: "History" }).click();
  await heading(page, "History");
  await upToDate(page);
  const whose = page.getByLabel("Whose history");
  if (await whose.isVisible()) await whose.selectOption({ label: person });
  // Yesterday's two doses were before the reminder existed.
  await expect(page.locator(".adherence-figure").first()).toHaveText("Last 7 days: no doses were due yet.");
  expect(problems).toEqual([]);
});

test("a reminder that keeps home time for someone abroad says whose clock its times are on", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Uncle", testInfo);
  const medicine = unique("Losartan", testInfo);
  const headers = { Origin: new URL(page.url()).origin };
  const added = await page.request.post("/api/v1/people", {
    data: { name: person, colour: "blue", zone: "America/New_York" },
    headers,
  });
  expect(added.status()).toBe(201);
  const created = await page.request.post("/api/v1/reminders", {
    data: {
      personId: (await added.json()).id,
      medicine,
      strength: "50 mg",
      doseAmount: "1",
      doseUnit: "tablet",
      schedule: { zone: "Europe/London", start: "2026-11-23", pattern: { kind: "daily", times: ["20:00"] }, travel: "homeZone" },
    },
    headers: { ...headers, "Idempotency-Key": crypto.randomUUID() },
  });
  expect(created.status()).toBe(201);
  await page.goto("/reminders");
  await settled(page);
  const section = personToday(page, person);
  // The section speaks of the person's clock; this card keeps London's, and says so.
  await expect(section.locator(".zone-note")).toContainText("Times are New York time");
  const card = doseCard(section, "8:00 PM London time", `${medicine} 50 mg`);
  await expect(card.locator(".dose-zone")).toHaveText("London time");
  expect(problems).toEqual([]);
});

test("an interval too long is refused in the unit the person typed", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Aunt", testInfo);
  await addPerson(page, person, "Teal");
  await openForm(page);
  await page.locator("#rf-personId").selectOption({ label: person });
  await page.locator("#rf-medicine").fill(unique("Prednisolone", testInfo));
  await page.getByRole("radio", { name: "Every few hours", exact: true }).check();
  await page.locator("#rf-schedule-pattern").fill("30");
  await page.getByRole("button", { name: "Save reminder" }).click();
  const summary = page.locator("#reminder-errors");
  await expect(summary).toBeFocused();
  await expect(summary.getByRole("link", { name: "At most every 24 hours. For a longer gap, choose Every few days." })).toBeVisible();
  await page.getByRole("radio", { name: "Every few days", exact: true }).check();
  await page.locator("#rf-schedule-pattern").fill("400");
  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(summary.getByRole("link", { name: "At most every 365 days." })).toBeVisible();
  expect(problems).toEqual([]);
});

test("a dose another caregiver logs shows on an open Today within a minute, before it is given twice", async ({ page, browser }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Grandad", testInfo);
  const medicine = unique("Codeine", testInfo);
  await addPerson(page, person, "Orange");
  await openForm(page);
  await fillForm(page, { person, medicine, strength: "30 mg", asNeeded: { max: "4", gapHours: "4" } });
  await save(page);
  const card = personToday(page, person).locator("article.as-needed").filter({ hasText: medicine });
  await expect(card).toContainText("None taken today.");
  await settled(page);

  const other = await browser.newContext();
  try {
    const phone = await other.newPage();
    await startAt(phone, "2026-11-23T08:06:00Z");
    await phone.goto("/reminders");
    await upToDate(phone);
    await personToday(phone, person).locator("article.as-needed").filter({ hasText: medicine })
      .getByRole("button", { name: /^Log a dose now/ }).click();
    await upToDate(phone);
  } finally {
    await other.close();
  }
  // Nothing was done on this phone: a minute or so on, it has fetched what the other one logged.
  // The clock moves half a minute at a time, and only while no request is on its way (a jump
  // during one would time it out).
  await expect(async () => {
    await quiet(page);
    await page.clock.fastForward("00:31");
    await expect(card).toContainText("Taken today at 8:06 AM.", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(card.locator(".field-error")).toHaveText(/^The last dose was too recent\./);
  expect(problems).toEqual([]);
});

test("Taken on a dose still hours away asks first; one due is logged at once", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Uncle", testInfo);
  const medicine = unique("Metformin", testInfo);
  await addPerson(page, person, "Teal");
  await openForm(page);
  await fillForm(page, { person, medicine, strength: "500 mg", times: ["08:00", "20:00"] });
  await save(page);
  const section = personToday(page, person);
  const evening = doseCard(section, "8:00 PM", `${medicine} 500 mg`);
  await evening.getByRole("button", { name: /^Taken, / }).click();
  const check = evening.getByRole("alert");
  await expect(check).toContainText("This dose is not due until 8:00 PM. Log it as taken now?");
  await expect(check).toBeFocused();
  await check.getByRole("button", { name: "Cancel" }).click();
  await expect(check).toHaveCount(0);
  await expect(badge(evening)).toHaveText("Later");
  await expect(evening).toBeFocused();
  const morning = doseCard(section, "8:00 AM", `${medicine} 500 mg`);
  await morning.getByRole("button", { name: /^Taken, / }).click();
  await expect(morning.locator(".dose-status")).toHaveText("Taken at 8:05 AM");
  // Asked and confirmed, the evening one is logged too.
  await evening.getByRole("button", { name: /^Taken, / }).click();
  await evening.getByRole("button", { name: /^Yes, taken now, / }).click();
  await expect(evening.locator(".dose-status")).toHaveText(/^Taken at 8:0\d AM$/);
  expect(problems).toEqual([]);
});

test("times and dates typed digit by digit on the keyboard are kept as typed", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Niece", testInfo);
  await addPerson(page, person, "Teal");
  await openForm(page);
  await page.locator("#rf-personId").selectOption({ label: person });
  await page.locator("#rf-medicine").fill(unique("Levothyroxine", testInfo));
  // Each digit is a keystroke, as a person types: the field must not be reset between them.
  const time = page.locator("#rf-schedule-pattern-times-0");
  await time.focus();
  await page.keyboard.type("0930");
  await expect(time).toBeFocused();
  await expect(time).toHaveValue("09:30");
  await expect(page.locator(".reminder-preview .preview-words")).toHaveText("Every day at 9:30 AM");
  const end = page.locator("#rf-schedule-end");
  await end.focus();
  await page.keyboard.type("12252026");
  await expect(end).toBeFocused();
  await expect(end).toHaveValue("2026-12-25");
  expect(problems).toEqual([]);
});

test("as-needed limits that cannot be met say how many doses fit", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Cousin", testInfo);
  await addPerson(page, person, "Teal");
  await openForm(page);
  await fillForm(page, { person, medicine: unique("Ibuprofen", testInfo), asNeeded: { max: "4", gapHours: "8" } });
  await page.getByRole("button", { name: "Save reminder" }).click();
  const summary = page.locator("#reminder-errors");
  await expect(summary).toBeFocused();
  const message = "With doses at least 8 hours apart, at most 3 fit in 24 hours. Check the label.";
  await summary.getByRole("link", { name: message }).click();
  // The link leads to the gap, which says the same.
  await expect(page.getByLabel("Least hours between doses")).toBeFocused();
  const gapError = page.locator("#rf-schedule-pattern-minGapMinutes-error");
  await expect(gapError).toHaveText(message);
  // Retyping does not rewrite the message under the person's fingers: it speaks of what was checked.
  await page.getByLabel("Least hours between doses").fill("2");
  await expect(gapError).toHaveText(message);
  await page.getByLabel("Most doses in 24 hours").fill("30");
  await page.getByLabel("Least hours between doses").fill("1");
  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(summary.getByRole("link", { name: "With doses at least 1 hour apart, at most 24 fit in 24 hours. Check the label." })).toBeVisible();
  await page.getByLabel("Least hours between doses").fill("1.5");
  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(summary.getByRole("link", { name: "With doses at least 1 h 30 min apart, at most 16 fit in 24 hours. Check the label." })).toBeVisible();
  await page.getByLabel("Most doses in 24 hours").fill("2");
  await page.getByLabel("Least hours between doses").fill("24");
  await page.getByRole("button", { name: "Save reminder" }).click();
  await expect(summary.getByRole("link", { name: "With doses at least 24 hours apart, only 1 fits in 24 hours. Check the label." })).toBeVisible();
  expect(problems).toEqual([]);
});

test.describe("in British English", () => {
  test.use({ locale: "en-GB" });

  test("times are on the 24-hour clock and days are written day first", async ({ page }, testInfo) => {
    const problems = watchConsole(page);
    await startAt(page);
    const person = unique("Gran", testInfo);
    const medicine = unique("Amlodipine", testInfo);
    await addPerson(page, person, "Teal");
    await addReminder(page, { person, medicine, strength: "5 mg", times: ["07:45", "20:00"] });
    const section = personToday(page, person);
    await expect(badge(doseCard(section, "07:45", `${medicine} 5 mg`))).toHaveText("Due now");
    await expect(badge(doseCard(section, "20:00", `${medicine} 5 mg`))).toHaveText("Later");
    await expect(page.locator(".today-date")).toHaveText(/^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+$/);
    await page.goto("/reminders/people");
    await expect(page.getByRole("article", { name: person, exact: true }).getByRole("listitem")).toContainText(
      `${medicine} 5 mg: Every day at 07:45 and 20:00`,
    );
    expect(problems).toEqual([]);
  });
});

// The caregiver looks after several people, so the alert, which stands above everyone's doses,
// names the person.
test("refill: taking a dose that brings the pack down to the refill level shows the alert", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await startAt(page);
  const person = unique("Nan", testInfo);
  const medicine = unique("Warfarin", testInfo);
  await addPerson(page, person, "Red");
  await addReminder(page, { person, medicine, strength: "1 mg", times: ["08:00", "20:00"], stock: "2", refillAt: "1" });
  const alert = page.locator(".refill").filter({ hasText: medicine });
  await expect(alert).toHaveCount(0);

  const section = personToday(page, person);
  // A reason half-typed on another card of the same medicine survives the count-down, which
  // gives the reminder a new version when the dose reaches the backend.
  const evening = doseCard(section, "8:00 PM", `${medicine} 1 mg`);
  await evening.getByRole("button", { name: "Skip" }).click();
  await evening.getByLabel("Why (optional)").fill("Visiting friends");
  await doseCard(section, "8:00 AM", `${medicine} 1 mg`).getByRole("button", { name: /^Taken, / }).click();
  await expect(alert).toHaveText(`${medicine} 1 mg for ${person}: only 1 dose left. Time to get more.`);
  await upToDate(page);
  await expect.poll(async () => (await reminderNamed(page, medicine)).stock).toBe(1);
  await expect(alert).toHaveText(`${medicine} 1 mg for ${person}: only 1 dose left. Time to get more.`);
  await expect(evening.getByLabel("Why (optional)")).toHaveValue("Visiting friends");
  expect((await reminderNamed(page, medicine)).stock).toBe(1);
  await page.reload();
  await upToDate(page);
  await expect(alert).toHaveText(`${medicine} 1 mg for ${person}: only 1 dose left. Time to get more.`);

  // The last one taken: "none left", not "only 0 doses left".
  await evening.getByRole("button", { name: /^Taken, / }).click();
  await evening.getByRole("button", { name: /^Yes, taken now, / }).click();
  await expect(alert).toHaveText(`${medicine} 1 mg for ${person}: none left. Time to get more.`);
  expect(problems).toEqual([]);
});
