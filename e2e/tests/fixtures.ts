/**
 * The `test` every spec uses: Playwright's, with a `page` that fails the test when the page breaks
 * the Content Security Policy (or Trusted Types), sends a request to any host but the app's own, or
 * throws an uncaught error (a panic in the wasm app is one: it stops the whole app).
 * Specs import everything from here instead of "@playwright/test"; the rest is re-exported as is.
 */
import { test as base, expect, type Page } from "@playwright/test";

export * from "@playwright/test";

declare global {
  interface Window {
    __portalCspViolation?: (text: string) => void;
  }
}

/** Origins a page may talk to besides the app's own: none. `data:` and `blob:` URLs are local. */
function isForeign(url: string, appOrigin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (parsed.protocol === "data:" || parsed.protocol === "blob:" || parsed.protocol === "about:") return false;
  return parsed.origin !== appOrigin;
}

/** Watches `page` for CSP violations and foreign requests; the returned lists fill as it runs. */
export async function watchSecurity(page: Page, appOrigin: string) {
  const violations: string[] = [];
  const foreignRequests: string[] = [];
  const uncaught: string[] = [];
  // The binding and the init script are installed through the DevTools protocol, which the page's
  // CSP does not apply to, and they survive navigations.
  await page.exposeFunction("__portalCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__portalCspViolation?.(
        `${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}` +
          (e.sample ? ` sample: ${e.sample}` : ""),
      );
    });
  });
  page.on("console", (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Trusted ?Types?|TrustedHTML|TrustedScript/i.test(text)) violations.push(`console: ${text}`);
  });
  page.on("pageerror", (err) => {
    if (/Content Security Policy|Trusted ?Types?|TrustedHTML|TrustedScript/i.test(err.message)) violations.push(`uncaught: ${err.message}`);
    else uncaught.push(`${err.name}: ${err.message}`);
  });
  page.on("request", (request) => {
    if (isForeign(request.url(), appOrigin)) foreignRequests.push(`${request.method()} ${request.url()}`);
  });
  return { violations, foreignRequests, uncaught };
}

export const test = base.extend({
  page: async ({ page, baseURL }, use) => {
    if (!baseURL) throw new Error("baseURL is not set in playwright.config.ts");
    const watched = await watchSecurity(page, new URL(baseURL).origin);
    await use(page);
    expect(watched.violations, "Content Security Policy violations").toEqual([]);
    expect(watched.foreignRequests, "requests to hosts other than the app's own").toEqual([]);
    expect(watched.uncaught, "uncaught errors in the page").toEqual([]);
  },
});
