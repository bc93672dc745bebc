/**
 * Finds a Chromium (or Chrome) binary for headless use — the lab's report test opens the HTML
 * report in one, and `headroom doctor` reports whether there is one. Looked for, in order: the
 * `CHROME_PATH` variable (the name chrome-launcher and Lighthouse use), the usual system paths,
 * then browsers installed by Playwright (`npx playwright-core install chromium`) in its cache
 * (`PLAYWRIGHT_BROWSERS_PATH`, else `~/.cache/ms-playwright` or `~/Library/Caches/ms-playwright`).
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a system-wide Chromium or Chrome usually lives. */
export const SYSTEM_CHROMIUM_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** How to get one, in one line. */
export const CHROMIUM_INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install chromium; any OS: npx playwright-core install chromium) or set CHROME_PATH to a Chromium or Chrome binary';

/** Where {@link findChromium} looks; every field defaults to this machine's. */
export interface ChromiumSearch {
  /** Environment (CHROME_PATH, PLAYWRIGHT_BROWSERS_PATH, XDG_CACHE_HOME); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Home folder (for Playwright's default cache); default `os.homedir()`. */
  readonly home?: string;
  /** System paths to try; default {@link SYSTEM_CHROMIUM_PATHS}. */
  readonly systemPaths?: readonly string[];
}

/** A found binary and where it was found, or why none was. */
export type ChromiumLookup =
  { readonly path: string; readonly source: 'CHROME_PATH' | 'system' | 'playwright' } | { readonly path: null; readonly problem: string };

/**
 * Looks for a Chromium binary (see the file comment). A `CHROME_PATH` that names no executable
 * file is reported as such rather than silently passed over.
 */
export function findChromium(search: ChromiumSearch = {}): ChromiumLookup {
  const env = search.env ?? process.env;
  const chromePath = env['CHROME_PATH'];
  if (chromePath !== undefined && chromePath !== '') {
    return executable(chromePath)
      ? { path: chromePath, source: 'CHROME_PATH' }
      : { path: null, problem: `CHROME_PATH=${chromePath} is not an executable file; ${CHROMIUM_INSTALL_HINT}` };
  }
  for (const path of search.systemPaths ?? SYSTEM_CHROMIUM_PATHS) if (executable(path)) return { path, source: 'system' };
  const cache = playwrightCache(env, search.home ?? homedir());
  const fromPlaywright = cache === null ? null : newestPlaywrightChromium(cache);
  if (fromPlaywright !== null) return { path: fromPlaywright, source: 'playwright' };
  return {
    path: null,
    problem: `no Chromium found (CHROME_PATH unset, none at ${(search.systemPaths ?? SYSTEM_CHROMIUM_PATHS)[0] ?? 'the system paths'} or the usual system paths, none in ${cache ?? "Playwright's cache"}); ${CHROMIUM_INSTALL_HINT}`,
  };
}

function playwrightCache(env: NodeJS.ProcessEnv, home: string): string | null {
  const configured = env['PLAYWRIGHT_BROWSERS_PATH'];
  // "0" means "inside node_modules/playwright-core/.local-browsers" (hermetic install).
  if (configured === '0') return null;
  if (configured !== undefined && configured !== '') return configured;
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'ms-playwright');
  return join(env['XDG_CACHE_HOME'] || join(home, '.cache'), 'ms-playwright');
}

/** The binary of the newest `chromium-<revision>` Playwright installed, e.g. `chromium-1255/chrome-linux64/chrome`. */
function newestPlaywrightChromium(cache: string): string | null {
  let dirs: string[];
  try {
    dirs = readdirSync(cache).filter((d) => /^chromium-\d+$/.test(d));
  } catch {
    return null;
  }
  dirs.sort((a, b) => Number(b.slice('chromium-'.length)) - Number(a.slice('chromium-'.length)));
  const binaries = [
    'chrome-linux64/chrome',
    'chrome-linux/chrome',
    'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
    'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
  ];
  for (const dir of dirs) {
    for (const binary of binaries) {
      const path = join(cache, dir, binary);
      if (executable(path)) return path;
    }
  }
  return null;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
