import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The release build (../dist) served by the reference backend on a fresh database for each run.
const port = Number(process.env.PORTAL_E2E_PORT ?? 8181);
process.env.PORTAL_E2E_DB ??= join(mkdtempSync(join(tmpdir(), "portal-e2e-")), "portal.sqlite3");
const backend = process.env.PORTAL_E2E_BACKEND ?? "../target/debug/portal-backend";

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // The network here is closed: Chromium's own background traffic only produces refused connections.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "tests",
  outputDir: process.env.PORTAL_E2E_OUTPUT ?? join(tmpdir(), "portal-e2e-results"),
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromium,
    trace: "off",
    // page.route cannot see requests a service worker answers, and the fault-injection tests rely
    // on it; tests/pwa.spec.ts allows the worker for itself.
    serviceWorkers: "block",
  },
  projects: [
    { name: "phone", use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
    { name: "desktop", use: { viewport: { width: 1280, height: 800 } } },
  ],
  webServer: {
    command: `${backend} --addr 127.0.0.1:${port} --db ${process.env.PORTAL_E2E_DB} --static-dir ${process.env.PORTAL_E2E_DIST ?? "../dist"}`,
    url: `http://127.0.0.1:${port}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
