import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import { uname, PASSWORD } from '../integration/chat-fixtures.js';
import type { TestServer } from '../support/server.js';

/** Debian's Chromium; no tool downloads a browser of its own. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Screenshots of each main screen, for people to look at (git-ignored). */
export const SCREENS_DIR = join(process.cwd(), 'test-results', 'screens');

export function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface BrowserUser {
  username: string;
  id: string;
  context: BrowserContext;
  page: Page;
}

/** Server errors and failed requests a page met, so a test can say what went wrong. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

/**
 * A new browser context (its own storage: a different person) that signs up through the UI by
 * the accessible names the issue fixes ("Username", "Password", "Sign up").
 */
export async function signUp(browser: Browser, srv: TestServer, prefix: string, opts: { username?: string; reduceMotion?: boolean; beforeSignUp?: (page: Page) => Promise<void> } = {}): Promise<BrowserUser> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: opts.reduceMotion ? 'reduce' : 'no-preference' });
  const page = await context.newPage();
  await page.goto(srv.url);
  const username = opts.username ?? uname(prefix);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await opts.beforeSignUp?.(page);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Log out' }).isVisible(), { timeout: 10_000 }).toBe(true);
  // A string expression: this file compiles without the DOM library.
  const stored = (await page.evaluate("localStorage.getItem('tc.session')")) as string | null;
  const id = (JSON.parse(stored ?? '{}') as { user?: { id?: string } }).user?.id ?? '';
  return { username, id, context, page };
}

/** The number in the element labelled "Balance" (null while it still loads). */
export async function balanceOn(page: Page): Promise<number | null> {
  const text = (await page.getByLabel('Balance').textContent()) ?? '';
  const n = Number(text.replace(/[^\d]/g, ''));
  return text.includes('…') || text.trim() === '' ? null : n;
}

/** Waits until `cond` holds on the page (polled on the page's own frames, never a fixed sleep). */
export async function until(fn: () => Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  await expect.poll(fn, { timeout, message: what }).toBe(true);
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${screen}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`) });
}

/** A switch on a person's Socket.IO traffic: while `online` is false, new connections are refused. */
export interface ConnectionSwitch {
  online: boolean;
  /** Connection attempts refused so far. */
  refused: number;
}

/**
 * Routes the context's Socket.IO connections (WebSocket and polling) through a switch the test
 * controls, so a test can take a person offline and back without touching the server.
 */
export async function connectionSwitch(context: BrowserContext): Promise<ConnectionSwitch> {
  const sw: ConnectionSwitch = { online: true, refused: 0 };
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (sw.online) return void ws.connectToServer();
    sw.refused += 1;
    void ws.close();
  });
  await context.route(/\/socket\.io\//, (route) => (sw.online ? route.continue() : route.abort()));
  return sw;
}
