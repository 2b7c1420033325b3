import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import sharp from 'sharp';
import { ERROR_CATALOGUE } from '../../shared/errors.js';
import { awardTokens } from '../../server/ledger/award.js';
import { client } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { PASSWORD, uname } from '../integration/chat-fixtures.js';
import { SCREENS_DIR, expectAccessible, launchBrowser, pageProblems, screenshot, signUp, until, type BrowserUser } from './browser-fixtures.js';

/**
 * Issue 11's last screens, end to end on a real server (temp SQLite) with real browsers: the
 * profile (display name, bio, avatar, an equipped cosmetic) and how others see it, inviting by
 * finding a person, search in a room, a moderator deleting someone else's message, the edit
 * window's refusal in words, the owner's room management (rename, transfer, delete), DM unread
 * badges, and the admin's earnings-over-time chart. Steps build on each other.
 */
describe('web client: profiles, search, room management, DM badges', { timeout: 90_000 }, () => {
  let srv: TestServer;
  let browser: Browser;
  let ann: BrowserUser;
  let ben: BrowserUser;
  let roomUrl = '';
  const adminName = uname('admin');
  const problems: string[] = [];

  beforeAll(async () => {
    // A one-second edit window, so a late edit can be refused without a long wait.
    [srv, browser] = await Promise.all([startTestServer({ env: { ADMIN_USERNAMES: adminName, MESSAGE_EDIT_WINDOW_SECONDS: '1' } }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const row = (u: BrowserUser, text: string) => u.page.locator('article.msg', { hasText: text });
  const send = async (u: BrowserUser, text: string): Promise<number> => {
    await u.page.getByLabel('Message').fill(text);
    await u.page.getByLabel('Message').press('Enter');
    await u.page.locator('article.msg:not(.pending)', { hasText: text }).first().waitFor();
    return Date.now();
  };
  const api = async (username: string) => client(srv.url, (await client(srv.url).post('/api/auth/login', { username, password: PASSWORD })).body.token as string);

  it('profile: display name and bio, avatar refused below silver then uploaded, a cosmetic equipped', async () => {
    [ann, ben] = await Promise.all([signUp(browser, srv, 'ann'), signUp(browser, srv, 'ben')]);
    problems.push(...pageProblems(ann.page), ...pageProblems(ben.page));
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#e11d48' } }).png().toBuffer();
    const avatarFile = { name: 'me.png', mimeType: 'image/png', buffer: png };

    await ann.page.getByRole('link', { name: 'Settings' }).click();
    await ann.page.getByLabel('Display name').fill('Ann Owner');
    await ann.page.getByLabel('Bio').fill('Gardener. Owns the garden room.');
    await ann.page.getByRole('button', { name: 'Save profile' }).click();
    await ann.page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
    // Bronze: the server refuses the avatar, and the refusal is shown in words.
    await ann.page.getByLabel('Upload avatar').setInputFiles(avatarFile);
    await ann.page.getByRole('alert').filter({ hasText: ERROR_CATALOGUE.CUSTOM_AVATAR_NOT_ALLOWED.message }).waitFor();

    // Gold (private rooms and avatars), a PIN, and an avatar frame bought from the shop.
    const gold = srv.ctx.economy.current.tiers.thresholds.gold + 500;
    await awardTokens(srv.ctx, 'test-admin', { userId: ann.id, amount: gold, reason: 'browser test: gold tier', requestId: `gold-${ann.id}` });
    const annApi = await api(ann.username);
    expect((await annApi.post('/api/tokens/pin', { password: PASSWORD, pin: '1234' })).status).toBe(200);
    const bought = await annApi.post('/api/shop/purchase', { itemId: 'custom_avatar_frame', pin: '1234', requestId: `frame-${ann.id}` });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);

    await ann.page.reload();
    await ann.page.getByLabel('Upload avatar').setInputFiles(avatarFile);
    await ann.page.getByRole('status').filter({ hasText: 'Avatar updated.' }).waitFor();
    await ann.page.locator('.settings img.avatar.large').waitFor();
    await ann.page.getByLabel('Avatar frame').selectOption({ label: 'Custom avatar frame' });
    await ann.page.locator('.settings img.avatar.large.framed').waitFor();
    expect(await ann.page.getByLabel('Display name').inputValue()).toBe('Ann Owner');
    await screenshot(ann.page, '30-profile');
    await expectAccessible(ann.page, 'profile');
  });

  it('invites a person found by name to a private room; members and messages show the profile', async () => {
    await ann.page.getByRole('link', { name: 'Chat' }).click();
    await ann.page.getByRole('button', { name: 'New room' }).click();
    await ann.page.getByRole('dialog').getByLabel('Room name').fill('Garden');
    await ann.page.getByRole('dialog').getByText('Private (invite only)').click();
    await ann.page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await ann.page.getByRole('heading', { name: 'Garden' }).waitFor();
    roomUrl = ann.page.url();

    const members = ann.page.getByRole('complementary', { name: 'Members' });
    await members.getByText('Invite someone').click();
    await members.getByLabel('Find a person to invite').fill(ben.username);
    await members.getByRole('button', { name: 'Search', exact: true }).click();
    await members.getByRole('button', { name: `Invite ${ben.username}` }).click();
    await ann.page.getByText(`Invitation sent to ${ben.username}`).waitFor();

    await ben.page.goto(roomUrl);
    await ben.page.getByRole('heading', { name: 'Garden' }).waitFor();
    const annLine = ben.page.getByRole('complementary', { name: 'Members' }).getByRole('listitem').filter({ hasText: 'Ann Owner' });
    await annLine.getByText(`@${ann.username}`).waitFor();
    await annLine.locator('img.avatar.framed').waitFor();
    await send(ann, 'tulips need water today');
    await row(ben, 'tulips need water today').getByText('Ann Owner').waitFor();
    await row(ben, 'tulips need water today').locator('img.avatar').waitFor();
  });

  it('searches the room’s messages', async () => {
    await send(ben, 'roses are fine');
    await send(ben, 'sunflowers are tall');
    await ben.page.getByLabel('Search this room').fill('tulips');
    await ben.page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    const results = ben.page.getByRole('region', { name: 'Search results' });
    await results.getByText('tulips need water today').waitFor();
    expect(await results.getByText('roses are fine').count()).toBe(0);
    await results.getByRole('status').filter({ hasText: '1 found for “tulips”' }).waitFor();
    await screenshot(ben.page, '31-search');
    await expectAccessible(ben.page, 'search');
    await ben.page.getByLabel('Search this room').fill('orchids');
    await ben.page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await results.getByText('No messages match “orchids”.').waitFor();
    await results.getByRole('button', { name: 'Clear search' }).click();
    expect(await ben.page.getByRole('region', { name: 'Search results' }).count()).toBe(0);
  });

  it('a late edit shows the edit window’s refusal in words', async () => {
    const sentAt = await send(ben, 'a quick note');
    // The server's edit window is one second here: wait until it has passed.
    await until(async () => Date.now() - sentAt > 1500, 'the edit window has passed');
    await row(ben, 'a quick note').getByRole('button', { name: 'Edit' }).click();
    await ben.page.getByLabel('Edit message').fill('a quick note, edited');
    await ben.page.getByLabel('Edit message').press('Enter');
    await row(ben, 'a quick note').getByRole('alert').filter({ hasText: ERROR_CATALOGUE.EDIT_WINDOW_CLOSED.message }).waitFor();
    await screenshot(ben.page, '32-edit-window-closed');
    expect(await row(ann, 'a quick note, edited').count()).toBe(0);
  });

  it('the owner, as a moderator, deletes another member’s message; the author sees the tombstone', async () => {
    await row(ann, 'roses are fine').getByRole('button', { name: 'Delete' }).click();
    await row(ann, 'roses are fine').getByRole('button', { name: 'Yes, delete' }).click();
    await until(async () => (await row(ben, 'roses are fine').count()) === 0, 'the message is gone on the author’s screen');
    await ben.page.getByText('This message was deleted.').first().waitFor();
  });

  it('the owner renames the room, hands it over, and the new owner deletes it', async () => {
    await ann.page.getByRole('button', { name: 'Manage room' }).click();
    const dialog = ann.page.getByRole('dialog', { name: 'Manage room' });
    await dialog.getByLabel('Room name').fill('Rose garden');
    await dialog.getByLabel('Description').fill('Everything that blooms');
    await dialog.getByRole('button', { name: 'Save details' }).click();
    await ben.page.getByRole('heading', { name: 'Rose garden' }).waitFor();
    await ben.page.getByText('Everything that blooms').waitFor();
    await screenshot(ann.page, '33-manage-room');
    await expectAccessible(ann.page, 'manage room');

    await dialog.getByLabel('New owner').selectOption({ label: `${ben.username} (member)` });
    await dialog.getByRole('button', { name: 'Transfer ownership' }).click();
    await ann.page.getByRole('banner').or(ann.page.locator('.room-head')).getByText('moderator', { exact: true }).first().waitFor();
    expect(await ann.page.getByRole('button', { name: 'Manage room' }).count()).toBe(0);
    await ben.page.getByRole('button', { name: 'Manage room' }).click();
    const benDialog = ben.page.getByRole('dialog', { name: 'Manage room' });
    await benDialog.getByRole('button', { name: 'Delete room' }).click();
    await benDialog.getByRole('button', { name: 'Yes, delete' }).click();
    // Both leave the room; it is gone from the list.
    await ann.page.getByText('This room was deleted by its owner').waitFor();
    await until(async () => (await ann.page.getByRole('navigation', { name: 'Rooms' }).getByText('Rose garden').count()) === 0, 'the room left ann’s list');
    await until(async () => (await ben.page.getByRole('navigation', { name: 'Rooms' }).getByText('Rose garden').count()) === 0, 'the room left ben’s list');
  });

  it('DM unread and mention badges count up live and clear when the DM is read', async () => {
    const cat = await signUp(browser, srv, 'cat');
    problems.push(...pageProblems(cat.page));
    await ann.page.getByRole('link', { name: 'Chat' }).click();
    await cat.page.getByRole('button', { name: 'New message' }).click();
    const dialog = cat.page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel('Search people').fill(ann.username);
    await dialog.getByRole('button', { name: 'Search', exact: true }).click();
    await dialog.getByRole('button', { name: `Message ${ann.username}` }).click();
    await cat.page.getByRole('heading', { name: 'Ann Owner' }).waitFor();
    await send(cat, 'hello there');
    await send(cat, `@${ann.username} are you coming?`);
    const dms = ann.page.getByTestId('dm-list');
    await dms.getByText('1 mention').waitFor();
    await dms.getByText('2 unread').waitFor();
    await screenshot(ann.page, '34-dm-unread');
    await expectAccessible(ann.page, 'dm unread');
    // A reload reads the counts from GET /api/dms.
    await ann.page.reload();
    await dms.getByText('2 unread').waitFor();
    await dms.getByRole('link', { name: new RegExp(cat.username) }).click();
    await row(ann, 'are you coming?').waitFor();
    await until(async () => (await dms.getByTestId('unread-count').count()) === 0, 'the DM badge clears once read');
    await cat.context.close();
  });

  it('the admin dashboard charts earning by activity over time', async () => {
    const admin = await signUp(browser, srv, 'admin', { username: adminName });
    await admin.page.getByRole('link', { name: 'Admin' }).click();
    const card = admin.page.getByRole('region', { name: 'Earning by activity over time' });
    await card.locator('[data-testid=chart] canvas').waitFor();
    // The same numbers as a table: today's registrations are in it.
    const table = card.getByRole('table', { name: /Tokens earned per day/ });
    await table.getByRole('columnheader', { name: 'registration' }).waitFor();
    await card.getByLabel('Span').selectOption({ label: 'last 30 days' });
    await until(async () => (await table.getByRole('row').count()) === 31, 'thirty days and the header');
    await screenshot(admin.page, '13-admin-earnings');
    // The whole dashboard, to look at every chart's labels.
    await admin.page.screenshot({ path: join(SCREENS_DIR, '14-admin-full.png'), fullPage: true });
    await expectAccessible(admin.page, 'admin earnings');
    await admin.context.close();
  });

  it('no page error in any session', () => {
    expect(problems).toEqual([]);
  });
});
