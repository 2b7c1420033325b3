import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { uname, PASSWORD } from '../integration/chat-fixtures.js';
import { balanceOn, connectionSwitch, expectAccessible, launchBrowser, pageProblems, screenshot, signUp, until, type BrowserUser } from './browser-fixtures.js';

/**
 * The web client end to end: a real server (temp SQLite) serving the built client, one headless
 * Chromium, several browser contexts (people) at once. Steps build on each other (one room,
 * the same people), so the file runs in order.
 */
describe('web client in a browser', { timeout: 60_000 }, () => {
  let srv: TestServer;
  let browser: Browser;
  const adminName = uname('admin');
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let dave: BrowserUser;
  let roomUrl = '';
  const problems: string[] = [];

  beforeAll(async () => {
    [srv, browser] = await Promise.all([startTestServer({ env: { ADMIN_USERNAMES: adminName } }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  /** Tokens from an admin award, so a user can gift and buy (registration pays only a few). */
  async function fund(userId: string, amount: number): Promise<void> {
    const admin = await client(srv.url).post('/api/auth/login', { username: adminName, password: PASSWORD });
    const res = await client(srv.url, admin.body.token).post('/api/tokens/award', { userId, amount, reason: 'browser test funding', requestId: `fund-${uname('f')}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  it('serves the app at / and keeps the API 404 JSON', async () => {
    const page = await fetch(`${srv.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const deep = await fetch(`${srv.url}/rooms/abc`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    const api = await fetch(`${srv.url}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
    const probe = await fetch(`${srv.url}/nothing-here`);
    expect(probe.status).toBe(404);
  });

  it('signs up, creates a room and two users chat both ways', async () => {
    // The admin signs up first so the dashboard step has its account.
    const admin = await signUp(browser, srv, 'admin', { username: adminName, beforeSignUp: async (page) => {
      await screenshot(page, '00-sign-in');
      await expectAccessible(page, 'sign in');
    } });
    await admin.context.close();
    [alice, bob] = await Promise.all([signUp(browser, srv, 'alice'), signUp(browser, srv, 'bob')]);
    problems.push(...pageProblems(alice.page), ...pageProblems(bob.page));
    await screenshot(alice.page, '01-home');

    await alice.page.getByRole('button', { name: 'New room' }).click();
    await alice.page.getByRole('dialog').getByLabel('Room name').fill('Lounge');
    await screenshot(alice.page, '02-new-room-dialog');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await alice.page.getByRole('heading', { name: 'Lounge' }).waitFor();
    roomUrl = alice.page.url();
    expect(roomUrl).toMatch(/\/rooms\/.+/);

    await bob.page.goto(roomUrl);
    await bob.page.getByRole('heading', { name: 'Lounge' }).waitFor();
    await alice.page.getByLabel('Message').fill('hello bob');
    await alice.page.getByRole('button', { name: 'Send' }).click();
    // The sender's "+N" toast, with its reason.
    await alice.page.getByText(/^\+\d+ send message/).first().waitFor();
    await bob.page.getByText('hello bob').waitFor();
    await bob.page.getByLabel('Message').fill('hi alice!');
    await bob.page.keyboard.press('Enter');
    await alice.page.getByText('hi alice!').waitFor();
    await screenshot(alice.page, '03-chat');
    await expectAccessible(alice.page, 'chat');
  });

  it('a gift lands for a member watching while an outsider sees nothing', async () => {
    [carol, dave] = await Promise.all([signUp(browser, srv, 'carol'), signUp(browser, srv, 'dave')]);
    await carol.page.goto(roomUrl);
    await carol.page.getByRole('heading', { name: 'Lounge' }).waitFor();
    await fund(alice.id, 500);
    await until(async () => (await balanceOn(alice.page)) !== null && (await balanceOn(alice.page))! >= 500, 'alice sees her funded balance live');

    // The PIN is set once in Settings.
    await alice.page.getByRole('link', { name: 'Settings' }).click();
    await alice.page.getByLabel('Current password').fill(PASSWORD);
    await alice.page.getByLabel('New PIN').fill('1234');
    await alice.page.getByRole('button', { name: 'Save PIN' }).click();
    await alice.page.getByText('PIN saved.').waitFor();
    await screenshot(alice.page, '04-settings');
    await alice.page.goBack();
    await alice.page.getByRole('heading', { name: 'Lounge' }).waitFor();
    await alice.page.getByRole('complementary', { name: 'Members' }).getByText(bob.username).waitFor();

    const bobBefore = await balanceOn(bob.page);
    await alice.page.getByRole('button', { name: 'Gift' }).click();
    await alice.page.getByRole('dialog').getByLabel('Recipient').selectOption({ label: bob.username });
    await alice.page.getByRole('dialog').getByLabel('Amount').fill('120');
    await alice.page.getByRole('dialog').getByLabel('Note (optional)').fill('for the tunes');
    // A wrong PIN first: the server's refusal is shown in words.
    await alice.page.getByRole('dialog').getByLabel('PIN').fill('9999');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Send gift' }).click();
    await alice.page.getByRole('alert').filter({ hasText: 'Wrong PIN' }).waitFor();
    await alice.page.getByRole('dialog').getByLabel('PIN').fill('1234');
    await screenshot(alice.page, '05-gift-dialog');
    await expectAccessible(alice.page, 'gift dialog');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Send gift' }).click();

    const landed = carol.page.getByTestId('gift-landed');
    await landed.first().waitFor();
    expect(await landed.first().textContent()).toContain(`${alice.username} gave ${bob.username} 120 tokens`);
    await screenshot(carol.page, '06-gift-landing');
    // At least the gift: the economy may add a receive-gift award on top.
    await until(async () => ((await balanceOn(bob.page)) ?? 0) >= (bobBefore ?? 0) + 120, "bob's balance shows the gift live");
    // Dave is signed in but not a member: by the time every member has seen it, he has seen nothing.
    await bob.page.getByTestId('gift-landed').first().waitFor();
    expect(await dave.page.getByTestId('gift-landed').count()).toBe(0);
    expect(await dave.page.getByText('for the tunes').count()).toBe(0);
  });

  it('reduce motion turns the gift animation into a quiet line, with a combo counter', async () => {
    const quiet = await signUp(browser, srv, 'quiet', { reduceMotion: true });
    await quiet.page.goto(roomUrl);
    await quiet.page.getByRole('heading', { name: 'Lounge' }).waitFor();
    await alice.page.getByRole('complementary', { name: 'Members' }).getByText(quiet.username).waitFor();
    for (const amount of [5, 7]) {
      await alice.page.getByRole('button', { name: 'Gift' }).click();
      await alice.page.getByRole('dialog').getByLabel('Recipient').selectOption({ label: bob.username });
      await alice.page.getByRole('dialog').getByLabel('Amount').fill(String(amount));
      await alice.page.getByRole('dialog').getByLabel('PIN').fill('1234');
      await alice.page.getByRole('dialog').getByRole('button', { name: 'Send gift' }).click();
      await alice.page.getByRole('dialog').waitFor({ state: 'hidden' });
    }
    await quiet.page.locator('.gift-line', { hasText: 'combo ×2' }).waitFor();
    expect(await quiet.page.locator('.gift-burst').count()).toBe(0);
    await carol.page.locator('.gift-burst .combo').first().waitFor();
    await quiet.context.close();
  });

  it('a moderator rewards a member and the balance updates live', async () => {
    const before = (await balanceOn(carol.page)) ?? 0;
    await alice.page.getByRole('button', { name: `Reward ${carol.username}` }).click();
    await alice.page.getByText(/Budget left today: \d+/).waitFor();
    await alice.page.getByRole('dialog').getByLabel('Amount').fill('15');
    await alice.page.getByRole('dialog').getByLabel('Reason').fill('great answers');
    await screenshot(alice.page, '07-reward-dialog');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Send reward' }).click();
    await until(async () => (await balanceOn(carol.page)) === before + 15, "carol's balance shows the reward live");
    await alice.page.getByText(/left in today's budget/).waitFor();
  });

  it('a purchase with the PIN, then a refund with its quote shown first', async () => {
    await alice.page.getByRole('link', { name: 'Shop' }).click();
    await alice.page.getByRole('button', { name: 'Buy Boost room visibility' }).click();
    await alice.page.getByRole('dialog').getByLabel('PIN').fill('1234');
    const before = (await balanceOn(alice.page)) ?? 0;
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Confirm purchase' }).click();
    await until(async () => (await balanceOn(alice.page)) === before - 25, 'the purchase is charged');
    await alice.page.getByRole('button', { name: 'Refund Boost room visibility' }).click();
    // Within the first hour a timed item refunds in full: the quote says so before confirming.
    expect(await alice.page.getByTestId('refund-quote').textContent()).toContain('You get back 25 of 25 tokens (100%');
    await screenshot(alice.page, '08-refund-quote');
    await expectAccessible(alice.page, 'refund dialog');
    await alice.page.getByRole('dialog').getByLabel('PIN').fill('1234');
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Confirm refund' }).click();
    await until(async () => (await balanceOn(alice.page)) === before, 'the refund is paid back');
    await alice.page.getByRole('cell', { name: 'refunded' }).waitFor();
    await screenshot(alice.page, '09-shop');
    await alice.page.goto(roomUrl);
  });

  it('a dropped connection is recovered without losing a message either way', async () => {
    // Bob's new connections go through a switch the test controls: while "offline" they are refused.
    const sw = await connectionSwitch(bob.context);
    await bob.page.reload();
    await bob.page.getByRole('heading', { name: 'Lounge' }).waitFor();

    // The drop: the server closes bob's connection under him, as a network failure would.
    sw.online = false;
    const bobSockets = [...srv.io.sockets.sockets.values()].filter((s) => s.data.auth.userId === bob.id);
    expect(bobSockets.length).toBeGreaterThan(0);
    for (const s of bobSockets) s.conn.close();
    await until(async () => sw.refused > 0, 'bob tries to reconnect while offline');
    await alice.page.getByLabel('Message').fill('sent while bob was away');
    await alice.page.getByRole('button', { name: 'Send' }).click();
    await alice.page.locator('.msg:not(.pending)', { hasText: 'sent while bob was away' }).waitFor();
    await bob.page.getByLabel('Message').fill('typed while offline');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await bob.page.locator('.msg.pending', { hasText: 'typed while offline' }).waitFor();

    sw.online = true;
    await until(async () => [...srv.io.sockets.sockets.values()].some((s) => s.data.auth.userId === bob.id), 'bob reconnects by himself', 15_000);
    await bob.page.getByText('sent while bob was away').waitFor({ timeout: 15_000 });
    await alice.page.getByText('typed while offline').waitFor({ timeout: 15_000 });
    await until(async () => (await bob.page.locator('.msg.pending').count()) === 0, "bob's message is confirmed");
    // Exactly once each, despite the resend after reconnecting.
    expect(await alice.page.getByText('typed while offline').count()).toBe(1);
  });

  it('the admin dashboard renders its charts', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(srv.url);
    await page.getByLabel('Username').fill(adminName);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Admin dashboard' }).waitFor();
    await page.getByText('✔ Balanced').waitFor();
    await until(async () => (await page.locator('[data-testid=chart] canvas').count()) === 5, 'five charts are drawn (four bars, earnings over time)');
    await screenshot(page, '10-admin');
    await expectAccessible(page, 'admin');
    await page.getByRole('link', { name: 'Leaderboard' }).click();
    await page.getByRole('cell', { name: new RegExp(alice.username) }).waitFor();
    await screenshot(page, '11-leaderboard');
    await bob.page.getByRole('link', { name: 'Me' }).click();
    await bob.page.getByRole('heading', { name: 'Achievements' }).waitFor();
    // Bob earned (a chart) but spent nothing (no chart, a line saying so).
    await until(async () => (await bob.page.locator('[data-testid=chart] canvas').count()) === 1, "bob's earning chart is drawn");
    await bob.page.getByText('Nothing yet.').waitFor();
    await screenshot(bob.page, '12-me');
    await expectAccessible(bob.page, 'me');
    await context.close();
  });

  it('a password change signs out the other sessions, and logout ends this one', async () => {
    // A second device of bob's, logged in with the current password.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(srv.url);
    await otherPage.getByLabel('Username').fill(bob.username);
    await otherPage.getByLabel('Password').fill(PASSWORD);
    await otherPage.getByRole('button', { name: 'Log in' }).click();
    await otherPage.getByRole('button', { name: 'Log out' }).waitFor();

    await bob.page.getByRole('link', { name: 'Settings' }).click();
    await bob.page.getByLabel('Old password').fill(PASSWORD);
    await bob.page.getByLabel('New password').fill('a brand new passphrase');
    await bob.page.getByRole('button', { name: 'Change password' }).click();
    await otherPage.getByText('Your password was changed: please log in with the new one.').waitFor();
    // This tab goes on with its new token.
    await bob.page.getByText('Password changed; your other sessions were signed out.').waitFor();
    await until(async () => (await balanceOn(bob.page)) !== null, "bob's balance reads with the new token");

    await bob.page.getByRole('button', { name: 'Log out' }).click();
    await bob.page.getByRole('button', { name: 'Log in' }).waitFor();
    await bob.page.reload();
    await bob.page.getByRole('button', { name: 'Log in' }).waitFor();
    await other.close();
  });

  it('no page error in any session', () => {
    expect(problems.filter((p) => !p.includes('Failed to load resource') && !p.includes('WebSocket'))).toEqual([]);
  });
});
