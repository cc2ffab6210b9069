import { test, expect, type Page } from "./fixtures";
import { appShown, expectNoAxeViolations, heading, signIn, watchConsole } from "./helpers";

const editor = { email: "eddie@example.com", password: "editor-demo" };

test("the library shows featured guides and shelves, and passes axe", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/learn");
  await heading(page, "Learn");
  await expect(page.getByRole("heading", { name: "Start here" })).toBeVisible();
  for (const shelf of ["Conditions", "Medicines", "Everyday life", "Newest"]) {
    await expect(page.getByRole("heading", { name: shelf, exact: true })).toBeVisible();
  }
  await expect(page.getByRole("link", { name: "Using your inhaler the right way" }).or(page.getByRole("link", { name: /inhaler/i })).first()).toBeVisible();
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
});

test.describe("in a language with no guides yet", () => {
  test.use({ locale: "fr-FR" });

  test("Learn says so and offers the team, or the guides in English, instead of empty shelves", async ({ page }) => {
    await page.goto("/learn");
    await heading(page, "S’informer");
    await expect(page.getByText("Il n’y a pas encore de guide dans cette langue.")).toBeVisible();
    await expect(page.locator("main").getByRole("link", { name: "Posez votre question à notre équipe d’information médicale" })).toBeVisible();
    await expect(page.locator("#shelf-newest")).toHaveCount(0);
    // Or the guides in English, the whole interface switching with them.
    await expect(page.getByText("Vous pouvez les lire en anglais :")).toBeVisible();
    await page.getByRole("button", { name: "English" }).click();
    await heading(page, "Learn");
    await expect(page.locator("#shelf-newest")).toBeVisible();
  });
});

test("search as you type tolerates typos, highlights why, and says so when nothing matches", async ({ page }) => {
  await page.goto("/learn");
  await heading(page, "Learn");
  const search = page.getByLabel("Search the guides");
  await search.fill("inhlaer");
  const results = page.locator(".results .result");
  await expect(results.first()).toBeVisible();
  await expect(page.locator(".results mark").first()).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Guides found/ })).toBeVisible();
  await search.fill("blood presure");
  await expect(results.first()).toContainText(/blood pressure/i);
  await search.fill("qqqzzzxxy");
  await expect(page.getByText("No guide matches your words.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask our Medical Information team" })).toBeVisible();
  await expectNoAxeViolations(page);
  await search.fill("");
  await expect(page.getByRole("heading", { name: "Start here" })).toBeVisible();
});

test("an article renders safely with its meta, callouts, table of contents and feedback", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/learn/inhaler-technique");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/inhaler/i);
  await expect(page.locator(".article-meta")).toContainText("min read");
  await expect(page.locator(".article-approval")).toContainText("Approval reference: PP-");
  await expect(page.locator(".callout-doctor").first()).toBeVisible();
  await expect(page.locator(".article-body img").first()).toHaveAttribute("alt", /.+/);
  // Links to other sites open safely and say so.
  for (const link of await page.locator(".article-body a.external").all()) {
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(link).toHaveAttribute("rel", /noopener/);
  }
  await expectNoAxeViolations(page);

  await page.getByRole("radio", { name: "Yes" }).check();
  // A note that tells of a side effect is pointed to Ask: these notes never reach drug safety.
  const note = page.getByLabel(/What could we do better/);
  await note.fill("Since taking it my heart races");
  const pointer = page.getByRole("status").filter({ hasText: "This sounds like something that happened with a medicine." });
  await expect(pointer).toBeVisible();
  await expect(pointer.getByRole("link", { name: "Ask a question" })).toHaveAttribute("href", "/ask");
  await note.fill("The pictures helped.");
  await expect(pointer).toHaveCount(0);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Thank you. Your answer helps us make these pages clearer.")).toBeVisible();
  // Keyboard users keep their place: the thanks takes the focus of the Send button it replaced.
  await expect(page.getByText("Thank you. Your answer helps us make these pages clearer.")).toBeFocused();
  expect(problems).toEqual([]);
});

test("an article about a medicine leads to the Ask form with the medicine chosen", async ({ page }) => {
  await page.goto("/learn/inhaler-technique");
  await page.getByRole("link", { name: "Ask a question about this medicine" }).click();
  await heading(page, "Ask a question");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("radio", { name: /^Brelora/ })).toBeChecked();
});

test("an untranslated article says so and offers its languages instead of mixing them", async ({ page }) => {
  await page.goto("/learn/cholesterol-and-your-heart");
  await appShown(page);
  await expect(page.locator(".article")).toBeVisible();
  const title = await page.getByRole("heading", { level: 1 }).textContent();
  await page.locator("#language-select").selectOption("de");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText(title ?? "");
  const english = page.locator(".language-options button[lang=en]");
  await expect(english).toHaveText("English");
  await expectNoAxeViolations(page);
  await english.click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title ?? "");

  // A translated one switches with the interface.
  await page.goto("/learn/storing-medicines");
  await appShown(page);
  await expect(page.locator(".article")).toBeVisible();
  const englishTitle = await page.getByRole("heading", { level: 1 }).textContent();
  await page.locator("#language-select").selectOption("de");
  await expect(page.locator(".article")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText(englishTitle ?? "");
  await page.locator("#language-select").selectOption("en");
});

test("an article read before can be read again without a network", async ({ page, context }) => {
  await page.goto("/learn/storing-medicines");
  await appShown(page);
  await expect(page.locator(".article")).toBeVisible();
  const title = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
  await page.getByRole("button", { name: "Keep for reading offline" }).click();
  await expect(page.getByRole("button", { name: "Kept for reading offline" })).toHaveAttribute("aria-pressed", "true");
  await page.goto("/learn");
  await expect(page.getByRole("heading", { name: "Kept on this device" })).toBeVisible();
  await context.setOffline(true);
  await page.getByRole("link", { name: title }).first().click();
  await expect(page.getByText("You are offline. This is the copy kept on this device.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await context.setOffline(false);
});

test("drafts never reach patients or signed-out people, by any address", async ({ page, request }) => {
  for (const path of ["/api/v1/articles/sleep-and-your-medicines?lang=en", "/api/v1/studio/articles/sleep-and-your-medicines/en"]) {
    const res = await request.get(path);
    expect([401, 404]).toContain(res.status());
  }
  const list = await (await request.get("/api/v1/articles?lang=en")).text();
  expect(list).not.toContain("sleep-and-your-medicines");
  await page.goto("/learn/sleep-and-your-medicines");
  await heading(page, "We cannot find that guide");

  await signIn(page, "patient");
  await heading(page, "Your health companion");
  await page.goto("/studio/preview/sleep-and-your-medicines/en");
  await heading(page, "This page is not for your account");
  const status = await page.evaluate(async () => (await fetch("/api/v1/studio/articles/sleep-and-your-medicines/en")).status);
  expect(status).toBe(403);
});

async function signInAsEditor(page: Page) {
  await page.goto("/account/sign-in");
  await page.getByLabel("Email").fill(editor.email);
  await page.getByLabel("Password").fill(editor.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(page, "Your health companion");
}

test("Studio: live preview, checks, autosave that survives a reload, publish and unpublish", async ({ page, browser, isMobile }) => {
  test.skip(isMobile, "Studio is a desktop tool");
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  await signInAsEditor(page);
  await page.goto("/studio");
  await heading(page, "Studio");
  await expect(page.getByRole("table")).toContainText("Draft");
  await expectNoAxeViolations(page);

  await page.goto("/studio/edit/exercise-with-asthma/en");
  await expect(page.getByText("Preview – not published").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Checks" })).toBeVisible();
  await expect(page.locator(".scores")).toContainText("Grade (Flesch-Kincaid)");
  await expectNoAxeViolations(page);

  // The preview follows the text as it is typed, and the checks find problems at once.
  const marker = `Warm up slowly for ten minutes ${Date.now()}. Responsibility matters.`;
  const body = page.getByLabel("Text", { exact: true });
  await body.press("End");
  await body.pressSequentially(`\n\n${marker}\n\n[click here](/learn)\n`, { delay: 5 });
  await expect(page.locator(".preview-frame")).toContainText(marker);
  await expect(page.locator(".findings")).toContainText("Link text does not say where it goes");
  await expect(page.locator(".preview-frame mark.check-mark", { hasText: "Responsibility" }).first()).toBeVisible();
  await expect(page.getByText("All changes saved.")).toBeVisible({ timeout: 10_000 });

  // Widths
  await page.getByLabel("Tablet 768 px").check();
  await expect(page.locator(".preview-frame")).toHaveAttribute("style", /768px/);

  // Nothing is lost on a reload.
  await page.reload();
  await expect(page.locator(".preview-frame")).toContainText(marker);

  // Publishing needs the approval code; then patients see it at once.
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText("Enter the approval code before publishing.")).toBeVisible();
  page.once("dialog", (d) => d.accept());
  await page.getByLabel("Approval code of this text").fill("PP-UK-0999 11/2026");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText(/Published with approval code PP-UK-0999 11\/2026/)).toBeVisible();
  // Now the preview says patients see the version last published, not the draft.
  await expect(page.getByText("Preview of the draft – patients see the version last published").first()).toBeVisible();

  const reader = await browser.newPage();
  await reader.goto("/learn/exercise-with-asthma");
  await appShown(reader);
  await expect(reader.locator(".article-body")).toContainText(marker);
  await expect(reader.locator(".article-approval")).toContainText("PP-UK-0999 11/2026");

  // Unpublishing asks first; saying no leaves the guide with patients. (Publishing asked only if
  // the text read above the target: its handler may still be waiting.)
  page.removeAllListeners("dialog");
  const question = new Promise<string>((resolve) =>
    page.once("dialog", (d) => {
      resolve(d.message());
      void d.dismiss();
    }),
  );
  await page.getByRole("button", { name: "Unpublish" }).click();
  expect(await question).toBe("Take this guide away from patients? They cannot read it again until it is published again.");
  await expect(page.getByText(/Published with approval code/)).toBeVisible();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Unpublish" }).click();
  await expect(page.getByText("Draft: patients do not see this article.")).toBeVisible();
  await reader.reload();
  await heading(reader, "We cannot find that guide");
  await reader.close();
  expect(problems).toEqual([]);
});

test("Studio: an edit made while the server is unreachable is kept and saved later", async ({ page, isMobile }) => {
  test.skip(isMobile, "Studio is a desktop tool");
  await signInAsEditor(page);
  await page.goto("/studio/edit/questions-to-ask-your-pharmacist/en");
  await expect(page.getByRole("heading", { name: "Checks" })).toBeVisible();
  await page.route("**/api/v1/studio/articles/**", (route) =>
    route.request().method() === "PUT" ? route.abort("connectionrefused") : route.continue(),
  );
  const title = page.getByLabel("Title", { exact: true });
  const newTitle = `Questions for your pharmacist ${Date.now()}`;
  await title.fill(newTitle);
  await expect(page.getByText("Not saved yet: the server cannot be reached.")).toBeVisible({ timeout: 10_000 });
  await page.unroute("**/api/v1/studio/articles/**");
  const savedAgain = page.waitForResponse(
    (r) => r.url().includes("/api/v1/studio/articles/") && r.request().method() === "PUT" && r.ok(),
  );
  await page.reload();
  await expect(page.getByText("Your changes that were not saved yet have been restored.")).toBeVisible();
  await expect(title).toHaveValue(newTitle);
  // Restored edits are saved at once, without waiting for another keystroke.
  expect((await (await savedAgain).json()).article.title).toBe(newTitle);
  await expect(page.getByText("All changes saved.")).toBeVisible({ timeout: 10_000 });
  // The note stays until the next edit is saved.
  await title.press("End");
  await title.press("Space");
  await expect(page.getByText("All changes saved.")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByText("Your changes that were not saved yet have been restored.")).toHaveCount(0);
});

test("Studio preview links work for other editors only", async ({ page, isMobile }) => {
  test.skip(isMobile, "Studio is a desktop tool");
  await signInAsEditor(page);
  await page.goto("/studio/preview/sleep-and-your-medicines/en");
  await expect(page.getByText("Preview – not published")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).not.toBeEmpty();
  await expectNoAxeViolations(page);
});
