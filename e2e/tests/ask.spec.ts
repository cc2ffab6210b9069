import { test, expect, type Page, type Browser } from "./fixtures";
import { accounts, expectNoAxeViolations, heading, signIn, watchConsole } from "./helpers";

const medicalInformation = { email: "mia@example.com", password: "medinfo-demo" };

type StaffInquiry = {
  reference: string;
  receivedAt: string;
  status: string;
  inquiry: { question: string; hadSafetyEvent: boolean; safety: { whatHappened: string } };
  answer?: string;
};

/** A question no other test sends, so counting copies on the backend is exact. */
function uniqueQuestion(label: string): string {
  return `Can I keep my inhaler in a warm car? (${label} ${Date.now()}-${Math.random().toString(36).slice(2, 8)})`;
}

function stepHeading(page: Page, name: string) {
  return expect(page.locator("#ask-step-heading")).toHaveText(name);
}

async function next(page: Page) {
  await page.getByRole("button", { name: "Continue" }).click();
}

/** Fills every step with valid answers, checking the step headings on the way, up to the review. */
async function fillToReview(page: Page, question: string, options: { safety?: boolean; signedIn?: boolean } = {}) {
  await stepHeading(page, "Who is asking");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);

  await stepHeading(page, "Medicine and topic");
  await page.getByLabel("Find your medicine").fill("brel");
  await page.getByRole("radio", { name: /^Brelora/ }).check();
  await page.getByRole("radio", { name: "How to store it" }).check();
  await next(page);

  await stepHeading(page, "Your question");
  await page.getByLabel("Your question").fill(question);
  await next(page);

  await stepHeading(page, "Side effects and problems");
  if (options.safety) {
    await page.getByRole("radio", { name: "Yes" }).check();
    await page.getByRole("checkbox", { name: "An unwanted effect (a side effect)" }).check();
    await page.getByLabel("What happened?").fill("An itchy red rash on both arms");
    await page.getByLabel("When did it happen?").fill("Two days after I started");
    await page.getByLabel(/^Age in years/).fill("54");
    await page.getByRole("radio", { name: "Getting better" }).check();
  } else {
    await page.getByRole("radio", { name: "No" }).check();
  }
  await next(page);

  await stepHeading(page, "How we reply");
  await page.getByRole("radio", { name: "By email" }).check();
  if (!options.signedIn) {
    await page.getByLabel("Your name").fill("Sam Example");
    await page.getByLabel("Your email address").fill("sam@example.com");
  }
  await page.getByLabel("Country you live in").selectOption("GB");
  await page.getByLabel("Language for our reply").selectOption("en");
  await page.getByRole("checkbox", { name: /may contact me about this question/ }).check();
  if (options.safety) {
    await page.getByRole("checkbox", { name: /drug safety team may also contact me/ }).check();
  }
  await next(page);
  await stepHeading(page, "Check and send");
  await expect(page.locator(".review")).toContainText(question);
}

/** Runs `work` in a separate browser signed in as the Medical Information team. */
async function asMedicalInformation<T>(browser: Browser, work: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto("/account/sign-in");
    await heading(page, "Sign in");
    await page.getByLabel("Email").fill(medicalInformation.email);
    await page.getByLabel("Password").fill(medicalInformation.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, "Your health companion");
    return await work(page);
  } finally {
    await context.close();
  }
}

/** Every inquiry the backend holds, as the Medical Information team sees them. */
async function staffInquiries(browser: Browser, safetyOnly = false): Promise<StaffInquiry[]> {
  return asMedicalInformation(browser, (page) =>
    page.evaluate(async (safety) => {
      const res = await fetch(`/api/v1/medical-information/inquiries${safety ? "?safety=true" : ""}`, {
        headers: { Accept: "application/json" },
      });
      return (await res.json()) as StaffInquiry[];
    }, safetyOnly),
  );
}

async function copiesOf(browser: Browser, question: string): Promise<number> {
  return (await staffInquiries(browser)).filter((i) => i.inquiry.question === question).length;
}

test("the whole form on a phone: every step checked, Back keeps answers, axe-clean, one copy stored", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  const question = uniqueQuestion("flow");
  await page.goto("/ask");
  await heading(page, "Ask a question");
  await stepHeading(page, "Who is asking");

  // The emergency notice comes before any field.
  const order = await page.evaluate(() => {
    const notice = document.querySelector(".notice-urgent");
    const form = document.querySelector(".ask-form");
    return notice && form ? notice.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
  });
  expect(order).toBeTruthy();

  // Each step explains what is missing, next to the field and in a focused summary.
  await stepHeading(page, "Who is asking");
  await expect(page.getByText("Step 1 of 6")).toBeVisible();
  await expectNoAxeViolations(page);
  await next(page);
  await expect(page.locator(".error-summary")).toBeFocused();
  await expect(page.locator("#ask-asker-error")).toHaveText("Choose who is asking.");
  await expectNoAxeViolations(page);
  await page.getByRole("radio", { name: "I am a healthcare professional" }).check();
  await next(page);
  await expect(page.locator("#ask-profession-error")).toHaveText("Enter your profession.");
  await page.getByLabel("Your profession").fill("Pharmacist");
  await next(page);

  await stepHeading(page, "Medicine and topic");
  await expectNoAxeViolations(page);
  await page.getByLabel("Find your medicine").fill("zzz");
  await expect(page.getByText("No medicine in our list matches.")).toBeVisible();
  await page.getByLabel("Find your medicine").fill("");
  await next(page);
  await expect(page.locator("#ask-productId-error")).toHaveText('Choose the medicine, or choose "Other or not sure".');
  await expect(page.locator("#ask-topic-error")).toHaveText("Choose what your question is about.");

  // Back keeps everything typed.
  await page.getByRole("button", { name: "Back" }).click();
  await stepHeading(page, "Who is asking");
  await expect(page.getByRole("radio", { name: "I am a healthcare professional" })).toBeChecked();
  await expect(page.getByLabel("Your profession")).toHaveValue("Pharmacist");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);

  await page.getByRole("radio", { name: /^Brelora/ }).check();
  await page.getByRole("radio", { name: "How to store it" }).check();
  await next(page);

  await stepHeading(page, "Your question");
  await next(page);
  await expect(page.locator("#ask-question-error")).toHaveText("Type your question.");
  await page.getByLabel("Your question").fill("x".repeat(2001));
  await expect(page.getByText("2001 of 2000 characters")).toBeVisible();
  await next(page);
  await expect(page.locator("#ask-question-error")).toHaveText("This is too long. Use at most 2000 characters.");
  await page.getByLabel("Your question").fill(question);
  await expect(page.getByText(`${question.length} of 2000 characters`)).toBeVisible();
  await expectNoAxeViolations(page);
  await next(page);

  await stepHeading(page, "Side effects and problems");
  await next(page);
  await expect(page.locator("#ask-hadSafetyEvent-error")).toHaveText("Choose yes or no.");
  await page.getByRole("radio", { name: "No" }).check();
  await expectNoAxeViolations(page);
  await next(page);

  await stepHeading(page, "How we reply");
  await next(page);
  await expect(page.locator(".error-summary li")).toHaveText([
    "Choose how you would like us to reply.",
    "Enter your name.",
    "Choose the country you live in.",
    "Choose the language for our reply.",
    "Tick the box to let us contact you. We cannot answer without it.",
  ]);
  await page.getByRole("radio", { name: "By email" }).check();
  await page.getByLabel("Your name").fill("Sam Example");
  await page.getByLabel("Your email address").fill("sam@");
  await page.getByLabel("Country you live in").selectOption("GB");
  await page.getByLabel("Language for our reply").selectOption("en");
  await page.getByRole("checkbox", { name: /may contact me about this question/ }).check();
  await next(page);
  await expect(page.locator("#ask-email-error")).toHaveText("Enter an email address like name@example.com.");
  // Choosing another way to reply takes the hidden field's message with it.
  await page.getByRole("radio", { name: "By phone" }).check();
  await expect(page.locator(".error-summary li")).toHaveCount(0);
  await page.getByRole("radio", { name: "By email" }).check();
  await page.getByLabel("Your email address").fill("sam@example.com");
  await expectNoAxeViolations(page);
  await next(page);

  await stepHeading(page, "Check and send");
  await expect(page.locator(".review")).toContainText(question);
  await expect(page.locator(".review")).toContainText("sam@example.com");
  await expectNoAxeViolations(page);
  // "Change" goes back to that step with the answer still there.
  await page.getByRole("button", { name: /^Change\W+Your question$/ }).click();
  await expect(page.getByLabel("Your question")).toHaveValue(question);
  // Continue goes straight back to the check.
  await next(page);
  await stepHeading(page, "Check and send");
  await page.getByRole("button", { name: "Send my question" }).click();

  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  await expect(page.locator(".reference")).toHaveText(/^MI-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  await expect(page.getByText("The Medical Information team will reply by email within 2 working days.")).toBeVisible();
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);

  // A reload keeps the number to keep on screen (this tab only), not the question.
  const reference = (await page.locator(".reference").textContent())?.trim() ?? "";
  await expect(page).toHaveURL(new RegExp(`/ask\\?sent=${reference}$`));
  await page.reload();
  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  await expect(page.locator(".reference")).toHaveText(reference);
  await expect(page.getByText("The Medical Information team will reply by email within 2 working days.")).toBeVisible();
  // Another question starts afresh, and nothing of the sent one is left on the device.
  await page.getByRole("button", { name: "Ask another question" }).click();
  await stepHeading(page, "Who is asking");
  await page.reload();
  await heading(page, "Ask a question");
  await stepHeading(page, "Who is asking");
  await expect(page.getByRole("radio", { name: "I am the patient" })).not.toBeChecked();
  expect(await copiesOf(browser, question)).toBe(1);
});

test("a question open in two tabs: the tab used last never loses what was typed in the other", async ({ page, context }) => {
  const question = uniqueQuestion("two tabs");
  await page.goto("/ask");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await page.getByRole("radio", { name: "Other or not sure" }).check();
  await page.getByLabel("Name of the medicine, if you know it").fill("Blue pills");
  await page.getByRole("radio", { name: "Something else" }).check();
  await next(page);
  await stepHeading(page, "Your question");

  // A second tab opens the same question and goes on with it.
  const other = await context.newPage();
  await other.goto("/ask");
  await stepHeading(other, "Your question");
  await other.getByLabel("Your question").fill(question);
  await other.getByRole("button", { name: "Back" }).click();
  await other.getByLabel("Name of the medicine, if you know it").fill("Blue pills from my chemist");
  await expect(other.getByRole("status").filter({ hasText: "another tab" })).toHaveCount(0);

  // Back in the first tab (headless tabs never lose focus, so the browser's focus event is
  // sent by hand): it shows the second tab's words before anything is typed over them.
  // It opens on the step the other tab was at, with a note under the heading until it moves on.
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await stepHeading(page, "Medicine and topic");
  const note = page.getByRole("status").filter({ hasText: "This question now shows what you typed in another tab or window." });
  await expect(note).toBeVisible();
  await expect(page.getByLabel("Name of the medicine, if you know it")).toHaveValue("Blue pills from my chemist");
  await next(page);
  await expect(note).toHaveCount(0);
  await expect(page.getByLabel("Your question")).toHaveValue(question);
  await page.getByLabel("Your question").fill(`${question} And in winter?`);
  await page.getByRole("button", { name: "Back" }).click();

  // And the other way round; a reload of either tab then has everything.
  await other.evaluate(() => window.dispatchEvent(new Event("focus")));
  await other.getByRole("button", { name: "Continue" }).click();
  await expect(other.getByLabel("Your question")).toHaveValue(`${question} And in winter?`);
  await other.reload();
  await stepHeading(other, "Your question");
  await expect(other.getByLabel("Your question")).toHaveValue(`${question} And in winter?`);

  // Deleted (or sent) in one tab: the other does not keep a copy that could be sent again.
  other.once("dialog", (dialog) => dialog.accept());
  await other.getByRole("button", { name: "Delete this question" }).click();
  await stepHeading(other, "Who is asking");
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(page.getByRole("status").filter({ hasText: "This question was sent or deleted in another tab or window" })).toBeVisible();
  await stepHeading(page, "Who is asking");
  await expect(page.getByRole("radio", { name: "I am the patient" })).not.toBeChecked();
  await other.close();
});

test("a reload in the middle keeps the step and every word typed", async ({ page }) => {
  const question = uniqueQuestion("reload");
  await page.goto("/ask");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await page.getByRole("radio", { name: "Other or not sure" }).check();
  await page.getByLabel("Name of the medicine, if you know it").fill("Blue pills from my chemist");
  await page.getByRole("radio", { name: "Something else" }).check();
  await next(page);
  await page.getByLabel("Your question").fill(question);
  await page.reload();
  await heading(page, "Ask a question");
  await stepHeading(page, "Your question");
  await expect(page.getByLabel("Your question")).toHaveValue(question);
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByLabel("Name of the medicine, if you know it")).toHaveValue("Blue pills from my chemist");

  // On a shared phone, the writer can delete it: asked first, then gone from the device too.
  page.once("dialog", (dialog) => dialog.dismiss());
  await page.getByRole("button", { name: "Delete this question" }).click();
  await expect(page.getByLabel("Name of the medicine, if you know it")).toHaveValue("Blue pills from my chemist");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete this question" }).click();
  await stepHeading(page, "Who is asking");
  await expect(page.locator("#ask-step-heading")).toBeFocused();
  await expect(page.getByRole("radio", { name: "I am the patient" })).not.toBeChecked();
  await expect(page.getByRole("button", { name: "Delete this question" })).toHaveCount(0);
  await page.reload();
  await stepHeading(page, "Who is asking");
  await expect(page.getByRole("radio", { name: "I am the patient" })).not.toBeChecked();
});

test("the browser's Back and Forward buttons move between steps and keep every answer", async ({ page }) => {
  await page.goto("/learn");
  await heading(page, "Learn");
  await page.goto("/ask");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await stepHeading(page, "Medicine and topic");
  await page.getByRole("radio", { name: "Other or not sure" }).check();
  await page.getByLabel("Name of the medicine, if you know it").fill("Blue pills from my chemist");
  await page.getByRole("radio", { name: "Something else" }).check();
  await next(page);
  await stepHeading(page, "Your question");
  await page.getByLabel("Your question").fill("Can I take them with grapefruit juice?");

  await page.goBack();
  await stepHeading(page, "Medicine and topic");
  await expect(page.locator("#ask-step-heading")).toBeFocused();
  await expect(page.getByLabel("Name of the medicine, if you know it")).toHaveValue("Blue pills from my chemist");
  await page.goBack();
  await stepHeading(page, "Who is asking");
  await expect(page.getByRole("radio", { name: "I am the patient" })).toBeChecked();
  await page.goForward();
  await page.goForward();
  await stepHeading(page, "Your question");
  await expect(page.getByLabel("Your question")).toHaveValue("Can I take them with grapefruit juice?");
  // Back from the first step leaves the form, which keeps the draft for later.
  await page.goBack();
  await page.goBack();
  await page.goBack();
  await heading(page, "Learn");
  await page.goForward();
  await heading(page, "Ask a question");
  await expect(page.getByRole("radio", { name: "I am the patient" })).toBeChecked();
});

test("the form's own Back button goes back in history, so the browser's Back then leaves the form", async ({ page }) => {
  await page.goto("/learn");
  await heading(page, "Learn");
  await page.goto("/ask");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await page.getByRole("radio", { name: "Other or not sure" }).check();
  await page.getByRole("radio", { name: "Something else" }).check();
  await next(page);
  await stepHeading(page, "Your question");
  await page.getByRole("button", { name: "Back" }).click();
  await stepHeading(page, "Medicine and topic");
  await expect(page.locator("#ask-step-heading")).toBeFocused();
  await expect(page).toHaveURL(/\?step=2$/);
  await page.getByRole("button", { name: "Back" }).click();
  await stepHeading(page, "Who is asking");
  await expect(page).toHaveURL(/\?step=1$/);
  // Not forward through the steps again: straight out, to where the person came from.
  await page.goBack();
  await heading(page, "Learn");
  // Forward comes back to the steps as they were walked.
  await page.goForward();
  await stepHeading(page, "Who is asking");
  await page.goForward();
  await stepHeading(page, "Medicine and topic");
});

test("a side effect is asked about in plain words and reaches drug safety with its Day 0", async ({ page, browser }) => {
  const problems = watchConsole(page);
  const question = uniqueQuestion("safety");
  await page.goto("/ask");
  await fillToReview(page, question, { safety: true });
  await expect(page.getByText("we will also pass this to our drug safety team")).toBeVisible();
  // The review shows every safety detail given, the person's age too, so it can be checked.
  await expect(page.getByText(/An unwanted effect \(a side effect\) · Age in years: 54 · An itchy red rash/)).toBeVisible();
  await page.getByRole("button", { name: "Send my question" }).click();
  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  await expect(page.getByText("We will pass this to our drug safety team within one working day.")).toBeVisible();
  expect(problems).toEqual([]);

  const safety = await staffInquiries(browser, true);
  const mine = safety.filter((i) => i.inquiry.question === question);
  expect(mine).toHaveLength(1);
  expect(mine[0].inquiry.hadSafetyEvent).toBe(true);
  expect(mine[0].inquiry.safety.whatHappened).toBe("An itchy red rash on both arms");
  expect(Date.parse(mine[0].receivedAt)).toBeGreaterThan(Date.now() - 5 * 60_000);
});

test("a side effect told in the question reaches drug safety even after No, and the form says so first", async ({
  page,
  browser,
}) => {
  const problems = watchConsole(page);
  const question = `After taking it I got a bad rash and felt sick. Is that normal? (${Date.now()})`;
  await page.goto("/ask");
  await fillToReview(page, question);
  await expect(page.getByText("Because of what your question says, our drug safety team will also read it.")).toBeVisible();

  await page.getByRole("button", { name: /^Change\W+Side effects and problems$/ }).click();
  await stepHeading(page, "Side effects and problems");
  await expect(page.locator("#ask-step-heading")).toBeFocused();
  const secondLook = page.getByRole("status").filter({ hasText: "Your question speaks of something our drug safety team needs to know about" });
  await expect(secondLook).toBeVisible();
  await page.getByRole("radio", { name: "Yes" }).check();
  await expect(secondLook).toHaveCount(0);
  await page.getByRole("radio", { name: "No", exact: true }).check();
  await expect(secondLook).toBeVisible();
  await next(page);
  // Continue goes back to the check the change came from.
  await stepHeading(page, "Check and send");
  // Back shows the step before with its heading focused, as Continue does.
  await page.getByRole("button", { name: "Back" }).click();
  await stepHeading(page, "How we reply");
  await expect(page.locator("#ask-step-heading")).toBeFocused();
  await next(page);
  await stepHeading(page, "Check and send");
  await page.getByRole("button", { name: "Send my question" }).click();
  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  await expect(
    page.getByText("Your question speaks of a side effect, a problem with a medicine or a special situation."),
  ).toBeVisible();
  expect(problems).toEqual([]);

  const mine = (await staffInquiries(browser, true)).filter((i) => i.inquiry.question === question);
  expect(mine).toHaveLength(1);
  expect(mine[0].inquiry.hadSafetyEvent).toBe(false);
});

test("a topic about side effects answered No is questioned once, in words", async ({ page }) => {
  await page.goto("/ask");
  await stepHeading(page, "Who is asking");
  await page.getByRole("radio", { name: "I look after the patient" }).check();
  await next(page);
  await page.getByLabel("Find your medicine").fill("brel");
  await page.getByRole("radio", { name: /^Brelora/ }).check();
  await page.getByRole("radio", { name: "Side effects" }).check();
  await next(page);
  await page.getByLabel("Your question").fill("Which ones are common?");
  await next(page);
  await stepHeading(page, "Side effects and problems");
  await page.getByRole("radio", { name: "No" }).check();
  await expect(page.getByRole("status").filter({ hasText: "You chose the topic “Side effects”." })).toBeVisible();
});

test("the safety details are required once the answer is yes", async ({ page }) => {
  await page.goto("/ask");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await page.getByRole("radio", { name: "Other or not sure" }).check();
  await page.getByRole("radio", { name: "Side effects" }).check();
  await next(page);
  await page.getByLabel("Your question").fill("Is a rash normal?");
  await next(page);
  await page.getByRole("radio", { name: "Yes" }).check();
  await next(page);
  await expect(page.locator(".error-summary li")).toHaveText([
    "Choose at least one thing that happened.",
    "Tell us what happened.",
    "Tell us when it happened. A rough time is fine.",
    "Choose how the person is now.",
  ]);
  await page.getByLabel(/^Age in years/).fill("three hundred");
  await page.getByLabel(/^Initials/).fill("Patricia Lee Johnson");
  await page.getByRole("checkbox", { name: "Too much of the medicine was taken" }).check();
  await next(page);
  await expect(page.locator("#ask-safety-age-error")).toHaveText("Enter the age as a whole number of years from 0 to 130, like 45.");
  await expect(page.locator("#ask-safety-initials-error")).toHaveText(/at most 10 characters/);
  // Each message under its own field only.
  await expect(page.getByText(/at most 10 characters/)).toHaveCount(2); // the field and the summary
  await expect(page.locator("#ask-safety-sex-error")).toHaveCount(0);
  await expect(page.getByRole("group", { name: "Sex" })).not.toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);
});

/** Presses Tab until the element matching `selector` has focus. */
async function tabTo(page: Page, selector: string) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

test("the form can be completed with the keyboard alone", async ({ page, browser }) => {
  const question = uniqueQuestion("keyboard");
  await page.goto("/ask");
  await stepHeading(page, "Who is asking");
  await tabTo(page, "#ask-asker");
  await page.keyboard.press("Space");
  await tabTo(page, "button[type=submit]");
  await page.keyboard.press("Enter");

  await stepHeading(page, "Medicine and topic");
  await expect(page.locator("#ask-step-heading")).toBeFocused();
  await tabTo(page, "#ask-product-filter");
  await page.keyboard.type("brelora");
  // Enter in the filter (a phone keyboard's Search key) chooses the only match and goes to it,
  // rather than on to the next step with nothing chosen.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("radio", { name: /^Brelora/ })).toBeChecked();
  await expect(page.getByRole("radio", { name: /^Brelora/ })).toBeFocused();
  await expect(page.locator(".error-summary li")).toHaveCount(0);
  await tabTo(page, "input[name=ask-topic]");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "How to store it" })).toBeChecked();
  await page.keyboard.press("Enter");

  await stepHeading(page, "Your question");
  await tabTo(page, "#ask-question");
  await page.keyboard.type(question);
  await tabTo(page, "button[type=submit]");
  await page.keyboard.press("Enter");

  await stepHeading(page, "Side effects and problems");
  await tabTo(page, "input[name=ask-hadSafetyEvent]");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "No" })).toBeChecked();
  await page.keyboard.press("Enter");

  await stepHeading(page, "How we reply");
  await tabTo(page, "input[name=ask-contactMethod]");
  await page.keyboard.press("Space");
  await tabTo(page, "#ask-name");
  await page.keyboard.type("Kay Board");
  await tabTo(page, "#ask-email");
  await page.keyboard.type("kay@example.com");
  await tabTo(page, "#ask-country");
  await page.keyboard.press("ArrowDown");
  await tabTo(page, "#ask-language");
  await page.keyboard.press("ArrowDown");
  await tabTo(page, "#ask-consentContact");
  await page.keyboard.press("Space");
  await tabTo(page, "button[type=submit]");
  await page.keyboard.press("Enter");

  await stepHeading(page, "Check and send");
  await tabTo(page, "button[type=submit]");
  await page.keyboard.press("Enter");
  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  await expect(page.locator("#ask-done")).toBeFocused();
  expect(await copiesOf(browser, question)).toBe(1);
});

const faults: Array<{ name: string; inject: (page: Page) => Promise<void> }> = [
  {
    name: "the backend is down",
    inject: (page) =>
      page.route("**/api/v1/inquiries", (route) =>
        route.request().method() === "POST" ? route.abort("connectionrefused") : route.continue(),
      ),
  },
  {
    name: "the backend answers 500",
    inject: (page) =>
      page.route("**/api/v1/inquiries", (route) =>
        route.request().method() === "POST"
          ? route.fulfill({
              status: 500,
              contentType: "application/problem+json",
              body: JSON.stringify({ type: "/problems/internal", title: "Internal error", status: 500 }),
            })
          : route.continue(),
      ),
  },
  {
    name: "the backend does not answer in time",
    inject: (page) =>
      page.route("**/api/v1/inquiries", async (route) => {
        if (route.request().method() !== "POST") return route.continue();
        // Longer than the request timeout set below; the backend never sees this request.
        await new Promise((r) => setTimeout(r, 2_500));
        await route.abort("timedout").catch(() => undefined);
      }),
  },
  {
    name: "the answer is lost after the backend saved the inquiry",
    inject: (page) =>
      page.route("**/api/v1/inquiries", async (route) => {
        if (route.request().method() !== "POST") return route.continue();
        await route.fetch();
        await route.abort("connectionreset");
      }),
  },
];

/** Waits until a question waiting on the device is delivered, and returns the notice that says
 * so. A background attempt that set out while a fault lasted may still be failing: "Try to send
 * now" is pressed whenever it is offered, until the question is through. */
async function untilSentLater(page: Page) {
  const sent = page.getByText(/Your saved question has now been sent\. Your reference number is MI-/);
  await expect(async () => {
    const tryNow = page.getByRole("button", { name: "Try to send now" });
    if (await tryNow.isVisible()) await tryNow.click({ timeout: 1_000 }).catch(() => {});
    await expect(sent).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  return sent;
}

for (const fault of faults) {
  test(`when ${fault.name} at submit, the question waits on the device and is sent exactly once`, async ({ page, browser }) => {
    test.setTimeout(60_000);
    const question = uniqueQuestion(fault.name);
    // A short request timeout keeps the timeout case quick.
    await page.route("**/config.json", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), requestTimeoutMs: 1_500 } });
    });
    await page.goto("/ask");
    await fillToReview(page, question);
    await fault.inject(page);
    await page.getByRole("button", { name: "Send my question" }).click();

    await expect(page.locator("#ask-done")).toHaveText("Your question is saved and will be sent");
    await expect(page.getByRole("heading", { name: "Waiting to send (1)" })).toBeVisible();
    await expect(page.locator(".outbox-question")).toHaveText(question.slice(0, 120));
    await expectNoAxeViolations(page);

    // Background retries keep failing while the fault lasts; a reload loses nothing.
    await page.waitForTimeout(2_500);
    await page.reload();
    await heading(page, "Ask a question");
    await expect(page.getByRole("heading", { name: "Waiting to send (1)" })).toBeVisible();

    // The fault clears: the next attempt delivers it, with the same key.
    await page.unroute("**/api/v1/inquiries");
    await untilSentLater(page);
    await expect(page.getByRole("heading", { name: /Waiting to send/ })).toHaveCount(0);
    expect(await copiesOf(browser, question)).toBe(1);
  });
}

test("a question sent later while its page is still open says it has been sent, with its number", async ({ page }) => {
  test.setTimeout(60_000);
  const question = uniqueQuestion("later");
  await page.goto("/ask");
  await fillToReview(page, question);
  await page.route("**/api/v1/inquiries", (route) =>
    route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue(),
  );
  await page.getByRole("button", { name: "Send my question" }).click();
  await expect(page.locator("#ask-done")).toHaveText("Your question is saved and will be sent");
  await page.unroute("**/api/v1/inquiries");
  const sent = await untilSentLater(page);
  // Not "will be sent" under the notice that it has been: the confirmation says so, with the number.
  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  const reference = (await page.locator(".ask-done .reference").textContent())?.trim() ?? "";
  await expect(sent).toContainText(reference);
  await expect(page.locator(".ask-queued")).toHaveCount(0);
});

test("fields the backend refuses on two steps: the earlier step first, its link reaches the field, nothing typed is lost", async ({ page, browser }) => {
  const question = uniqueQuestion("refused");
  await page.goto("/ask");
  await fillToReview(page, question);
  await page.route("**/api/v1/inquiries", (route) =>
    route.request().method() === "POST"
      ? route.fulfill({
          status: 422,
          contentType: "application/problem+json",
          body: JSON.stringify({
            type: "/problems/validation",
            title: "Some fields are not valid",
            status: 422,
            errors: [
              { field: "email", code: "invalid_email", detail: "The address cannot receive mail." },
              { field: "question", code: "invalid", detail: "The question cannot be read." },
            ],
          }),
        })
      : route.continue(),
  );
  await page.getByRole("button", { name: "Send my question" }).click();

  // Only the question's problem is listed here: the email's would link to a field on another step.
  await stepHeading(page, "Your question");
  await expect(page.locator(".error-summary")).toBeFocused();
  await expect(page.locator(".error-summary li")).toHaveCount(1);
  await page.locator(".error-summary a").click();
  await expect(page.getByLabel("Your question")).toBeFocused();
  await expect(page.getByLabel("Your question")).toHaveValue(question);
  await expectNoAxeViolations(page);

  await page.unroute("**/api/v1/inquiries");
  await next(page);
  await stepHeading(page, "Side effects and problems");
  await next(page);
  await stepHeading(page, "How we reply");
  await expect(page.getByLabel("Your email address")).toHaveValue("sam@example.com");
  await next(page);
  await stepHeading(page, "Check and send");
  await page.getByRole("button", { name: "Send my question" }).click();
  await expect(page.locator("#ask-done")).toHaveText("Your question has been sent");
  expect(await copiesOf(browser, question)).toBe(1);
});

test("an inquiry left in the outbox is sent at the next start", async ({ page, browser }) => {
  const question = uniqueQuestion("next start");
  await page.goto("/ask");
  await fillToReview(page, question);
  await page.route("**/api/v1/inquiries", (route) => route.abort("internetdisconnected"));
  await page.getByRole("button", { name: "Send my question" }).click();
  await expect(page.locator("#ask-done")).toHaveText("Your question is saved and will be sent");
  await page.unroute("**/api/v1/inquiries");
  await page.goto("/");
  await page.reload();
  await heading(page, "Your health companion");
  await expect.poll(() => copiesOf(browser, question), { timeout: 15_000 }).toBe(1);
  await page.goto("/ask");
  await expect(page.getByRole("heading", { name: /Waiting to send/ })).toHaveCount(0);
});

test("signed in: My questions lists the question, then the team's answer", async ({ page, browser }) => {
  const problems = watchConsole(page);
  const question = uniqueQuestion("mine");
  await signIn(page, "patient");
  await heading(page, "Your health companion");
  await page.goto("/ask");
  await fillToReview(page, question, { signedIn: true });
  await expect(page.locator(".review")).toContainText(accounts.patient.email);
  await page.getByRole("button", { name: "Send my question" }).click();
  const reference = (await page.locator(".reference").textContent())?.trim() ?? "";
  expect(reference).toMatch(/^MI-/);
  // At the top of Ask for anyone signed in, and with the confirmation.
  await expect(page.getByRole("link", { name: "See my questions" })).toHaveCount(2);
  await page.getByRole("link", { name: "See my questions" }).last().click();
  await heading(page, "My questions");
  // The link to a new question is not the page being shown.
  await expect(page.getByRole("link", { name: "Ask a new question" })).not.toHaveAttribute("aria-current", "page");
  const card = page.locator(".inquiry").filter({ hasText: reference });
  await expect(card).toContainText("Sent");
  await expect(card).toContainText(question);
  await expectNoAxeViolations(page);

  // The Medical Information team answers through the backend's own endpoint.
  const status = await asMedicalInformation(browser, (staff) =>
    staff.evaluate(async (ref) => {
      const res = await fetch(`/api/v1/medical-information/inquiries/${ref}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          status: "answered",
          answer:
            "# Storage\n\nYes, **below 30 °C**.\n\n- Do not leave it in a hot car in summer.\n- Keep it in its box.\n\n" +
            "More in [the leaflet](/learn).",
        }),
      });
      return res.status;
    }, reference),
  );
  expect(status).toBe(200);

  // Days later the way back is from the account page.
  await page.goto("/account");
  await heading(page, "Your account");
  await page.getByRole("link", { name: "My questions" }).click();
  await heading(page, "My questions");
  await expect(card).toContainText("Answered");
  // Shown as the team wrote it: emphasis, a list and a link, with no Markdown marks left over,
  // and no heading to break the page's outline.
  const answer = card.locator(".answer");
  await expect(answer.locator("strong").first()).toHaveText("Storage");
  await expect(answer.locator("strong").nth(1)).toHaveText("below 30 °C");
  await expect(answer.getByRole("listitem")).toHaveText(["Do not leave it in a hot car in summer.", "Keep it in its box."]);
  await expect(answer.getByRole("link", { name: "the leaflet" })).toHaveAttribute("href", "/learn");
  await expect(answer).not.toContainText("**");
  await expect(answer.getByRole("heading")).toHaveCount(1);
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
});

test("signed out, My questions asks for sign-in first", async ({ page }) => {
  await page.goto("/ask/mine");
  await heading(page, "Sign in");
  await expect(page).toHaveURL(/\/account\/sign-in\?next=\/ask\/mine$/);
});

test("a Learn page can open the form with its medicine chosen", async ({ page }) => {
  await page.goto("/ask?medicine=brelora");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await expect(page.getByRole("radio", { name: /^Brelora/ })).toBeChecked();
});

test("asking about one medicine while a question about another waits: the person chooses", async ({ page }) => {
  await page.goto("/ask?medicine=thromvara");
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await expect(page.getByRole("radio", { name: /^Thromvara/ })).toBeChecked();
  // A Learn page about another medicine: nothing is switched without the person knowing.
  await page.goto("/ask?medicine=brelora");
  const choice = page.getByRole("status").filter({ hasText: "You started a question earlier about Thromvara." });
  await expect(choice).toBeVisible();
  await choice.getByRole("button", { name: "Go on with my earlier question" }).click();
  await expect(choice).toHaveCount(0);
  await expect(page.getByRole("radio", { name: /^Thromvara/ })).toBeChecked();
  // Again, and this time a new question about the medicine asked about.
  await page.goto("/ask?medicine=brelora");
  await page.getByRole("button", { name: "Start a new question" }).click();
  await stepHeading(page, "Who is asking");
  await expect(page.getByRole("radio", { name: "I am the patient" })).not.toBeChecked();
  await page.getByRole("radio", { name: "I am the patient" }).check();
  await next(page);
  await expect(page.getByRole("radio", { name: /^Brelora/ })).toBeChecked();
});

test("the list of what to fix follows a change of language", async ({ page }) => {
  await page.goto("/ask");
  await stepHeading(page, "Who is asking");
  await next(page);
  await expect(page.locator(".error-summary li")).toHaveText(["Choose who is asking."]);
  await page.getByLabel("Language").selectOption("fr");
  await expect(page.locator(".error-summary h3")).toHaveText("Veuillez vérifier les points suivants");
  await expect(page.locator(".error-summary li")).toHaveText(["Choisissez qui pose la question."]);
  await expect(page.locator("#ask-asker-error")).toHaveText("Choisissez qui pose la question.");
});

test("medicines are named in the reader's language, and found by their English name too", async ({ page }) => {
  await page.goto("/ask");
  await page.getByLabel("Language").selectOption("de");
  await page.getByRole("radio", { name: "Ich bin die Patientin oder der Patient" }).check();
  await page.getByRole("button", { name: "Weiter" }).click();
  await expect(page.getByRole("radio", { name: "Brelora Salbutamol-Inhalator" })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Corvessa Amlodipin-Tabletten" })).toBeVisible();
  await page.getByLabel("Ihr Arzneimittel finden").fill("inhaler");
  await expect(page.getByRole("radio", { name: "Brelora Salbutamol-Inhalator" })).toBeVisible();
  await expect(page.getByRole("radio", { name: /^Corvessa/ })).toHaveCount(0);
  await page.getByLabel("Sprache").selectOption("es");
  await expect(page.getByRole("radio", { name: "Brelora inhalador de salbutamol" })).toBeVisible();
});
