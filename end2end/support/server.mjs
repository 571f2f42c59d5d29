// Starts the portal's server binary for the browser tests, on a free port with a
// throw-away SQLite database, and stops it again.
//
// Environment:
//   PORTAL_E2E_URL     use this running portal instead of starting one
//   PORTAL_SERVER_BIN  the server binary (default <repo>/target/debug/server)
//   PORTAL_SITE_ROOT   the built site with pkg/ (default <repo>/target/site)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const READY_LINE = /Postal savings portal is running at (https?:\/\/\S+)/;

/**
 * Starts the server (or uses PORTAL_E2E_URL). Resolves to
 * `{ url, stop(), output() }`; `url` ends with a slash. `env` adds settings
 * (e.g. a short idle timeout).
 */
export async function startServer(env = {}) {
  const external = process.env.PORTAL_E2E_URL;
  if (external) {
    return { url: external.endsWith('/') ? external : `${external}/`, stop: async () => {}, output: () => '' };
  }

  const bin = path.resolve(process.env.PORTAL_SERVER_BIN || path.join(REPO_ROOT, 'target', 'debug', 'server'));
  const siteRoot = path.resolve(process.env.PORTAL_SITE_ROOT || path.join(REPO_ROOT, 'target', 'site'));
  if (!existsSync(bin)) {
    throw new Error(`server binary not found at ${bin} (build it, or set PORTAL_SERVER_BIN / PORTAL_E2E_URL)`);
  }
  if (!existsSync(path.join(siteRoot, 'pkg'))) {
    throw new Error(`site root ${siteRoot} has no pkg/ (build the site, or set PORTAL_SITE_ROOT)`);
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'portal-e2e-'));
  const child = spawn(bin, [], {
    cwd: dir,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${path.join(dir, 'e2e.db')}`,
      PORTAL_BIND: '127.0.0.1:0',
      PORTAL_SITE_ROOT: siteRoot,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Keep draining both pipes for the server's whole life, or it blocks on a full pipe.
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`server did not report its address within ${START_TIMEOUT_MS / 1000} s\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, START_TIMEOUT_MS);
      const onData = () => {
        const match = READY_LINE.exec(stdout);
        if (match) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve(match[1].endsWith('/') ? match[1] : `${match[1]}/`);
        }
      };
      child.stdout.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${err.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})\nstderr:\n${stderr}\nstdout:\n${stdout}`));
      });
    });
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    cleanup();
    throw err;
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer;
      const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS); });
      if ((await Promise.race([exited, timedOut])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    }
    cleanup();
  }

  return { url, stop, output: () => `stdout:\n${stdout}\nstderr:\n${stderr}` };
}
