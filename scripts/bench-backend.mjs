// What the benchmark scripts share: the reference backend on a fresh database, serving dist/.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

/** Starts the backend on `port` (PORTAL_BENCH_BACKEND overrides the binary); resolves once it answers. */
export async function startBackend(port) {
  const base = `http://127.0.0.1:${port}`;
  const binary = process.env.PORTAL_BENCH_BACKEND ?? join(root, "target/debug/portal-backend");
  const db = join(mkdtempSync(join(tmpdir(), "portal-bench-")), "bench.sqlite3");
  const server = spawn(binary, ["--addr", `127.0.0.1:${port}`, "--db", db, "--static-dir", join(root, "dist")], {
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) return { base, stop: () => server.kill() };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error("backend did not start");
}

export function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
