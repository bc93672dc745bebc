/**
 * Opens an HTML report of the command in a headless Chromium, offline, and waits until its chart
 * script says every chart was drawn or failed. Shared by the lab, sim and scale report tests.
 */
import assert from 'node:assert/strict';
import { chromium, type Page } from 'playwright-core';
import { findChromium } from '../src/chromium.js';

/** A report open in the browser: the page, what it tried to fetch off the file, its script errors. */
export interface OpenReport {
  readonly page: Page;
  /** URLs requested that were not `file:` ones (a report must need no network). */
  readonly requests: string[];
  /** Uncaught errors of the page's scripts. */
  readonly pageErrors: string[];
  /** Closes the browser. */
  close(): Promise<void>;
}

/**
 * Opens `reportPath` and waits (15 s at most) until `window[chartsGlobal]` has rendered or failed
 * every expected chart. Fails the test with one line when no Chromium is installed.
 * @param what - the report, for that line ("the lab's HTML report")
 */
export async function openReport(reportPath: string, chartsGlobal: string, what: string): Promise<OpenReport> {
  // CHROME_PATH, the system paths, then Playwright's cache; none: one line saying how to install one.
  const found = findChromium();
  if (found.path === null) assert.fail(`this test opens ${what} in a headless Chromium: ${found.problem}`);
  const browser = await chromium.launch({
    executablePath: found.path,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext();
    const requests: string[] = [];
    context.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`file://${reportPath}`);
    // Browser-side code as a string: this project's TypeScript has no DOM types.
    const g = `window.${chartsGlobal}`;
    await page.waitForFunction(`${g} !== undefined && ${g}.rendered + ${g}.errors.length === ${g}.expected`, undefined, {
      timeout: 15_000,
    });
    return { page, requests, pageErrors, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
