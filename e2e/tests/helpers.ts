import { expect, type Page, type ConsoleMessage } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const accounts = {
  patient: { email: "pat@example.com", password: "patient-demo", name: "Pat Lee" },
  caregiver: { email: "cara@example.com", password: "caregiver-demo", name: "Cara Jones" },
  editor: { email: "eddie@example.com", password: "editor-demo", name: "Eddie Novak" },
} as const;

/** Collects console errors and uncaught exceptions. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() !== "error") return;
    problems.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  return problems;
}

/** The app has replaced the page the backend wrote out (see first-paint.spec.ts); until then a
 * selector can match both the written page and the app's copy rendering out of sight. */
export async function appShown(page: Page) {
  await expect(page.locator("#boot-shell[data-first-paint]")).toHaveCount(0);
}

/** The page's heading once the app has rendered it. The heading first, so that after a navigation
 * the check is about the new page, then again once the app shows it. */
export async function heading(page: Page, text: string | RegExp) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text);
  await appShown(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text);
}

/** The page's heading, whoever wrote it. */
export async function writtenHeading(page: Page, text: string | RegExp) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(text);
}

export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

export async function signIn(page: Page, who: keyof typeof accounts, from = "/account/sign-in") {
  await page.goto(from);
  await heading(page, "Sign in");
  await page.getByLabel("Email").fill(accounts[who].email);
  await page.getByLabel("Password").fill(accounts[who].password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The main navigation link with this name (the tab bar on phones, the top bar on desktops). */
export function navLink(page: Page, name: string | RegExp) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });
}
