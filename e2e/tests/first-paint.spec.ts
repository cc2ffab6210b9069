// Public pages arrive written out by the backend, in the reader's language, so they can be read
// before the app has loaded (and without script at all); the app then takes the page over.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import { accounts, heading, navLink, writtenHeading } from "./helpers";

/** Holds the app's requests to `url` (of `method`, if given) until `release()`, counting them. */
async function holdRequests(page: Page, url: RegExp, method?: string) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = { count: 0, release: () => release() };
  await page.route(url, async (route) => {
    if (method && route.request().method() !== method) return route.continue();
    held.count += 1;
    await released;
    await route.continue().catch(() => {});
  });
  return held;
}

test.describe("without script", () => {
  test.use({ javaScriptEnabled: false, locale: "de-DE" });

  test("Learn and an article can be read, in the browser's language", async ({ page }) => {
    await page.goto("/learn");
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await writtenHeading(page, "Wissen");
    await expect(page).toHaveTitle("Wissen – Patientenportal");
    await expect(page.getByText(/^Ohne JavaScript können Sie die Ratgeber lesen/)).toBeVisible();
    const article = page.locator("main").getByRole("link", { name: "So wenden Sie Ihr Spray richtig an" }).first();
    await article.click();
    await expect(page).toHaveURL(/\/learn\/inhaler-technique$/);
    await writtenHeading(page, "So wenden Sie Ihr Spray richtig an");
    await expect(page.locator(".article-body p").first()).toBeVisible();
    await page.getByRole("navigation", { name: "Hauptmenü" }).getByRole("link", { name: "Fragen" }).click();
    await writtenHeading(page, "Eine Frage stellen");
  });
});

test.describe("searching without script", () => {
  test.use({ javaScriptEnabled: false });

  test("Learn's search box sends the search and the results arrive written", async ({ page }) => {
    await page.goto("/learn");
    await writtenHeading(page, "Learn");
    const box = page.getByLabel("Search the guides");
    await box.fill("inhaler");
    await box.press("Enter");
    await expect(page).toHaveURL(/\/learn\?q=inhaler$/);
    await expect(page.getByLabel("Search the guides")).toHaveValue("inhaler");
    await expect(page.getByRole("status")).toHaveText(/Guides found: [1-9]/);
    const result = page.locator(".results .result-title a").first();
    await expect(result.locator("mark").first()).toHaveText(/inhaler/i);
    await result.click();
    await expect(page).toHaveURL(/\/learn\/[a-z0-9-]+$/);
    await page.goBack();
    await page.getByLabel("Search the guides").fill("zzqx");
    await page.getByLabel("Search the guides").press("Enter");
    await expect(page.getByRole("status")).toHaveText("No guides found.");
    await expect(page.locator("main").getByRole("link", { name: "Ask our Medical Information team" })).toBeVisible();
  });
});

test.describe("choosing a language without script", () => {
  test.use({ javaScriptEnabled: false });

  test("the language list sends the choice, and the next pages arrive in it", async ({ page, context }) => {
    await page.goto("/learn?q=inhaler");
    await writtenHeading(page, "Learn");
    await page.getByLabel("Language").selectOption("de");
    await page.getByRole("button", { name: "Change language" }).click();
    // Back on the same page and search, without the choice in the address.
    await expect(page).toHaveURL(/\/learn\?q=inhaler$/);
    await writtenHeading(page, "Wissen");
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByLabel("In den Ratgebern suchen")).toHaveValue("inhaler");
    expect((await context.cookies()).find((c) => c.name === "portal_language")?.value).toBe("de");
    await page.getByRole("navigation", { name: "Hauptmenü" }).getByRole("link", { name: "Fragen" }).click();
    await writtenHeading(page, "Eine Frage stellen");
    await expect(page.getByLabel("Sprache")).toHaveValue("de");
  });
});

test("a language picked in the written page before the app takes over is the one the app shows", async ({ page }) => {
  const held = await holdRequests(page, /\/api\/v1\/articles\?/);
  await page.goto("/learn");
  await writtenHeading(page, "Learn");
  // With script, the list needs no button: the app switches as soon as it takes over.
  await expect(page.getByRole("button", { name: "Change language" })).toHaveCount(0);
  await page.locator("#boot-shell").getByLabel("Language").selectOption("fr");
  held.release();
  await expect(page.locator("#boot-shell")).toHaveCount(0);
  await heading(page, "S’informer");
  await expect(page.locator("#language-select")).toHaveValue("fr");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
});

test("a language named in the address is the one the app shows, and stays chosen", async ({ page, context }) => {
  // The backend takes `lang` from a page it writes (and sets the cookie)...
  await page.goto("/learn?lang=de");
  await expect(page).toHaveURL(/\/learn$/);
  await heading(page, "Wissen");
  await expect(page.locator("#language-select")).toHaveValue("de");
  // ...and the app from any other page, or when its service worker answers instead.
  await page.goto("/privacy?lang=es#top");
  await expect(page).toHaveURL(/\/privacy#top$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.locator("#language-select")).toHaveValue("es");
  expect((await context.cookies()).find((c) => c.name === "portal_language")?.value).toBe("es");
  await page.goto("/learn");
  await heading(page, "Aprender");
});

test("a search is kept in the address: a reload shows the same results", async ({ page }) => {
  await page.goto("/learn");
  await heading(page, "Learn");
  await page.getByLabel("Search the guides").fill("inhaler technique");
  await expect(page.getByRole("status").filter({ hasText: /Guides found: [1-9]/ })).toBeVisible();
  await expect(page).toHaveURL(/\/learn\?q=inhaler%20technique$/);
  await page.reload();
  await heading(page, "Learn");
  await expect(page.locator("#boot-shell")).toHaveCount(0);
  await expect(page.getByLabel("Search the guides")).toHaveValue("inhaler technique");
  await expect(page.getByRole("status").filter({ hasText: /Guides found: [1-9]/ })).toBeVisible();
  // Emptying the box is plain Learn again.
  await page.getByLabel("Search the guides").fill("");
  await expect(page).toHaveURL(/\/learn$/);
  await expect(page.locator("#shelf-featured")).toBeVisible();
});

test("what is typed in the written search box before the app takes over is kept", async ({ page }) => {
  const held = await holdRequests(page, /\/api\/v1\/articles\?/);
  await page.goto("/learn");
  await writtenHeading(page, "Learn");
  const written = page.locator("#boot-shell").getByLabel("Search the guides");
  await written.click();
  await page.keyboard.type("inhal");
  held.release();
  await expect(page.locator("#boot-shell")).toHaveCount(0);
  const box = page.locator("#portal-app").getByLabel("Search the guides");
  await expect(box).toBeFocused();
  await expect(box).toHaveValue("inhal");
  await page.keyboard.type("er");
  await expect(box).toHaveValue("inhaler");
  await expect(page.getByRole("status").filter({ hasText: /Guides found: [1-9]/ })).toBeVisible();
});

test("the app takes over the written page once its own copy is complete", async ({ page }) => {
  const held = await holdRequests(page, /\/api\/v1\/articles\/inhaler-technique/);
  await page.goto("/learn/inhaler-technique");
  await expect.poll(() => held.count, { message: "the app asked for the article" }).toBeGreaterThan(0);
  // While the app waits, the written page stays: no "Loading" in between.
  await writtenHeading(page, "Using your inhaler the right way");
  await expect(page.locator("#boot-shell")).toBeVisible();
  await expect(page.getByText("Loading…")).toBeHidden();
  held.release();
  await expect(page.locator("#boot-shell")).toHaveCount(0);
  await expect(page.locator("#portal-app")).toBeVisible();
  await heading(page, "Using your inhaler the right way");
  // The app's own controls now work: printing and saving are there, and the app navigates.
  await expect(page.getByRole("button", { name: "Print" })).toBeVisible();
  await navLink(page, "Learn").click();
  await heading(page, "Learn");
  await page.getByLabel("Search the guides").fill("inhaler");
  await expect(page.getByRole("status").filter({ hasText: /Guides found: [1-9]/ })).toBeVisible();
});

test("a language chosen in the app is the one the next written page arrives in", async ({ page, context }) => {
  await page.goto("/");
  await expect(page.locator("#boot-shell")).toHaveCount(0);
  await page.locator("#language-select").selectOption("fr");
  await heading(page, /Votre/);
  await expect.poll(async () => (await context.cookies()).find((c) => c.name === "portal_language")?.value).toBe("fr");
  const written = await (await page.request.get("/learn")).text();
  expect(written).toContain('<html lang="fr">');
  await page.locator("#language-select").selectOption("en");
  await expect.poll(async () => (await context.cookies()).find((c) => c.name === "portal_language")?.value).toBe("en");
});

test("keyboard focus stays on the same link when the app takes over", async ({ page }) => {
  const held = await holdRequests(page, /\/api\/v1\/articles\?/);
  await page.goto("/learn");
  await writtenHeading(page, "Learn");
  // Skip link first, then the brand, then the first section link.
  await page.keyboard.press("Tab");
  await expect(page.locator("#boot-shell .skip-link")).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.locator("#boot-shell nav a[href='/learn']")).toBeFocused();
  held.release();
  await expect(page.locator("#boot-shell")).toHaveCount(0);
  await expect(page.locator("#portal-app nav a[href='/learn']")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.locator("#portal-app nav a[href='/reminders']")).toBeFocused();
});

test("Ask's written page says how to reach the team before the form has loaded", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/ask");
  await writtenHeading(page, "Ask a question");
  await expect(page.getByRole("heading", { name: "Not for emergencies" })).toBeVisible();
  await expect(page.locator(".contact-list a[href^='tel:']")).toBeVisible();
  await expect(page.locator(".contact-list a[href^='mailto:']")).toBeVisible();
  await context.close();
});

test("Today arrives with the caregiver's name and stays until the app knows who is signed in", async ({ page }) => {
  const signedIn = await page.request.post("/api/v1/session", {
    data: { email: accounts.caregiver.email, password: accounts.caregiver.password },
  });
  expect(signedIn.status()).toBe(200);
  const held = await holdRequests(page, /\/api\/v1\/session$/, "GET");
  await page.goto("/reminders");
  await expect.poll(() => held.count, { message: "the app asked who is signed in" }).toBeGreaterThan(0);
  await writtenHeading(page, "Reminders");
  await expect(page.locator("#boot-shell .lead")).toHaveText(/Hello Cara Jones\./);
  await expect(page.getByText("Checking if you are signed in…")).toBeHidden();
  held.release();
  await heading(page, "Reminders");
  await expect(page.locator(".today-heading")).toBeVisible();
  await page.unroute(/\/api\/v1\/session$/);
});

test("signed out, Today is not written out: the app sends the person to sign in", async ({ page }) => {
  await page.goto("/reminders");
  await heading(page, "Sign in");
  await expect(page).toHaveURL(/\/account\/sign-in\?next=%2Freminders|\/account\/sign-in\?next=\/reminders/);
});
