import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { createRoom, registerUser } from '../integration/chat-fixtures.js';
import { launchBrowser, screenshot, until } from './browser-fixtures.js';

/** Runs inside the page (serialized by playwright); this file compiles without the DOM library. */
declare const requestAnimationFrame: (callback: () => void) => number;
/** The scroller as the in-page code uses it. */
interface Scroller {
  scrollTop: number;
  clientHeight: number;
  scrollHeight: number;
  querySelectorAll(selector: string): { length: number };
}

/** The budget for the first load: JavaScript, gzipped. */
const FIRST_LOAD_JS_GZIP_MAX_BYTES = 200 * 1024;
const ROOM_MESSAGES = 5000;
/** Rows a virtualized list may keep in the DOM, whatever the room's length (view + overscan). */
const DOM_ROWS_MAX = 80;
/**
 * The 95th-percentile frame while scrolling at wheel speed: loose enough for a shared 2-core machine with no GPU
 * (60 fps is 16.7 ms), and relative to the same page's idle frames when the machine is loaded,
 * so the test measures the list, not the neighbours. A list that rendered every row would take
 * far longer per frame. Figures go to test-results/performance.json (docs/performance.md).
 */
const P95_FRAME_MS_MAX = 100;

const distDir = join(process.cwd(), 'web', 'dist');
const resultsDir = join(process.cwd(), 'test-results');

/** Scripts index.html loads at once (entry and modulepreloads); lazy chunks (charts) are not first load. */
export function firstLoadScripts(indexHtml: string): string[] {
  const srcs = [...indexHtml.matchAll(/<script[^>]+src="([^"]+)"/g), ...indexHtml.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set(srcs)];
}

describe('web client performance', { timeout: 180_000 }, () => {
  let srv: TestServer;
  let browser: Browser;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    [srv, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'performance.json'), JSON.stringify(figures, null, 2));
  });

  it(`loads at most ${FIRST_LOAD_JS_GZIP_MAX_BYTES / 1024} KB of JavaScript gzipped at first`, () => {
    const scripts = firstLoadScripts(readFileSync(join(distDir, 'index.html'), 'utf8'));
    expect(scripts.length).toBeGreaterThan(0);
    const gz = scripts.map((s) => gzipSync(readFileSync(join(distDir, s))).length).reduce((a, b) => a + b, 0);
    figures['firstLoadJsGzipBytes'] = gz;
    expect(gz).toBeLessThanOrEqual(FIRST_LOAD_JS_GZIP_MAX_BYTES);
  });

  it(`scrolls a room of ${ROOM_MESSAGES} messages with a bounded DOM and smooth frames`, async () => {
    const owner = await registerUser(srv, 'perf');
    const room = await createRoom(owner, 'public', 'Long room');
    const t0 = Date.now();
    for (let i = 0; i < ROOM_MESSAGES; i++) {
      await srv.ctx.stores.messages.create({
        id: srv.ctx.newId(), roomId: room.id, authorId: owner.id, clientMessageId: `perf-${i}`, kind: 'text',
        body: i % 7 === 0 ? `message ${i}: a longer line that wraps onto a second row in the list, as real chat does now and then` : `message ${i}`,
        fileId: null, createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      });
    }
    figures['seedMs'] = Date.now() - t0;
    console.log(`[web perf] seeded in ${figures['seedMs']} ms`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`localStorage.setItem('tc.session', ${JSON.stringify(JSON.stringify({ token: owner.token, user: { id: owner.id, username: owner.username } }))})`);
    const page = await context.newPage();
    await page.goto(`${srv.url}/rooms/${room.id}`);
    await page.getByText(`message ${ROOM_MESSAGES - 1}`, { exact: true }).waitFor();

    // Scroll up page after page (each near-top scroll loads the previous 100) to the beginning.
    const scroller = page.getByTestId('message-scroller');
    const loadStart = Date.now();
    await until(async () => {
      await scroller.evaluate((el) => {
        (el as unknown as Scroller).scrollTop = 0;
      });
      return page.getByText('Beginning of the room').isVisible();
    }, 'every page of history loaded by scrolling up', 60_000);
    figures['loadAllPagesByScrollingMs'] = Date.now() - loadStart;
    console.log(`[web perf] all pages in ${figures['loadAllPagesByScrollingMs']} ms`);
    // Loading a page keeps the reader's place; back at the very top, the first message is there.
    await until(async () => {
      await scroller.evaluate((el) => {
        (el as unknown as Scroller).scrollTop = 0;
      });
      return (await page.getByText(/^message 0: /).count()) === 1;
    }, 'the first message of the room is reached');

    // First the same page's frames while nothing happens: what this machine's load alone costs.
    const idle = await page.evaluate(async () => {
      const frames: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 60; i++) {
        await new Promise<void>((r) => requestAnimationFrame(() => r()));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      return frames;
    });
    // Then scroll, one step per frame, timing every frame: at wheel speed (120 px a frame, about
    // 7,000 px/s) over the first 300 frames, then as a fling (1,500 px a frame) for 150 frames.
    const scrollRun = (step: number, framesMax: number) =>
      scroller.evaluate(
        async (node, { step, framesMax }) => {
          const el = node as unknown as Scroller;
          const frames: number[] = [];
          const rows: number[] = [];
          el.scrollTop = 0;
          await new Promise<void>((r) => requestAnimationFrame(() => r()));
          let last = performance.now();
          while (frames.length < framesMax && el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
            el.scrollTop += step;
            await new Promise<void>((r) => requestAnimationFrame(() => r()));
            const now = performance.now();
            frames.push(now - last);
            rows.push(el.querySelectorAll('.vrow').length);
            last = now;
          }
          return { frames, rowsMax: Math.max(...rows), scrollHeight: el.scrollHeight };
        },
        { step, framesMax },
      );
    const wheel = await scrollRun(120, 300);
    const run = await scrollRun(1500, 150);
    const pctOf = (frames: number[], p: number): number => {
      const sorted = [...frames].sort((a, b) => a - b);
      return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 10) / 10;
    };
    const idleP95 = pctOf(idle, 0.95);
    const wheelP95 = pctOf(wheel.frames, 0.95);
    Object.assign(figures, {
      // The machine's 1-minute load average during the run: frame times mean little without it.
      loadAverage1m: Math.round(loadavg()[0]! * 10) / 10,
      messages: ROOM_MESSAGES,
      idleFrameMsMedian: pctOf(idle, 0.5),
      idleFrameMsP95: idleP95,
      wheelFrames: wheel.frames.length,
      wheelFrameMsMedian: pctOf(wheel.frames, 0.5),
      wheelFrameMsP95: wheelP95,
      wheelFramesOver50ms: wheel.frames.filter((f) => f > 50).length,
      flingFrames: run.frames.length,
      flingFrameMsMedian: pctOf(run.frames, 0.5),
      flingFrameMsP95: pctOf(run.frames, 0.95),
      flingFrameMsMax: pctOf(run.frames, 1),
      domRowsMax: Math.max(run.rowsMax, wheel.rowsMax),
      scrollHeightPx: run.scrollHeight,
    });
    await screenshot(page, '13-long-room');
    console.log(`[web perf] ${JSON.stringify(figures)}`);
    expect(Math.max(run.rowsMax, wheel.rowsMax)).toBeLessThanOrEqual(DOM_ROWS_MAX);
    // On a quiet machine the bound is P95_FRAME_MS_MAX; on a loaded one, three idle frames of it.
    expect(wheelP95).toBeLessThanOrEqual(Math.max(P95_FRAME_MS_MAX, 3 * idleP95));
    await context.close();
  });
});
