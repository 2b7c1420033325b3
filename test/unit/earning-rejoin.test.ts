import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Server } from 'socket.io';
import { openBackend } from '../../server/stores/backend.js';
import { createRecordStores } from '../../server/stores/records.js';
import { createLedgerStore } from '../../server/stores/ledger.js';
import { createLedgerService, type LedgerService } from '../../server/ledger/ledger-service.js';
import { EconomyConfigHolder } from '../../server/economy/config/holder.js';
import { MemoryCapCounter } from '../../server/caps/memory-cap-counter.js';
import { ManualClock } from '../../server/lib/clock.js';
import { newId } from '../../server/lib/ids.js';
import { createAwardService } from '../../server/earning/award-service.js';
import { awardRoomJoin } from '../../server/earning/inline.js';
import { RoomService } from '../../server/rooms/service.js';
import { createUserSummaryResolver } from '../../server/users/summaries.js';
import type { AppServer } from '../../server/realtime/types.js';
import { socketBroadcaster } from '../../server/realtime/broadcaster.js';
import type { AwardOutcome } from '../../shared/events.js';

const logger = pino({ level: 'silent' });
const WEDNESDAY = '2026-11-25T12:00:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/**
 * The re-join rule end to end below the transport: RoomService over real SQLite record stores,
 * the award pipeline over a real SQLite ledger and in-process caps, a ManualClock, and the
 * `awardRoomJoin` decision the `room:join` handler runs.
 */
async function rig(overrides: unknown = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tc-rejoin-'));
  const backend = await openBackend({ mongoUrl: undefined, dataDir: dir }, logger);
  const clock = new ManualClock(WEDNESDAY);
  const stores = await createRecordStores(backend);
  const ledger: LedgerService = createLedgerService(await createLedgerStore(backend), { clock, newId, logger });
  const economy = new EconomyConfigHolder({ preset: 'current', overridesFile: 'overrides.json', readFile: () => JSON.stringify(overrides) });
  // No gate (nothing here is abuse) and no streaks: the re-join rule is what is under test.
  const awards = createAwardService({
    config: { economyEnabled: true }, economy, caps: new MemoryCapCounter(), ledger, notifier: { posted: () => undefined }, clock, logger,
    gate: { refusal: async () => null },
    streaks: { streakDays: async () => 0 },
  });
  // Not listening: RoomService only broadcasts to channels, which no socket is in.
  const io: AppServer = new Server();
  const summaries = createUserSummaryResolver(stores.users, { tiers: async () => new Map(), profiles: async () => new Map() });
  // Anyone may create rooms here: the tier rule is tested in test/integration/engagement-tiers.test.ts.
  const rooms = new RoomService({ config: { historyPageMax: 50 }, clock, newId, stores, broadcast: socketBroadcaster(io), summaries, creationPolicy: async () => undefined });
  cleanups.push(async () => {
    await ledger.flush();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const newRoom = async (): Promise<string> => {
    const room = await stores.rooms.create({ id: newId(), name: 'room', description: '', visibility: 'public', ownerId: 'owner', createdAt: clock.now() });
    return room.id;
  };
  const joinAndAward = async (userId: string, roomId: string): Promise<AwardOutcome | null> => {
    const { joined, firstJoin } = await rooms.join(userId, roomId);
    return awardRoomJoin(awards, logger, { userId, roomId, joined, firstJoin });
  };
  return { clock, ledger, rooms, newRoom, joinAndAward };
}

describe('join_room pays only the first join of a room, ever', () => {
  it('join, leave, re-join the next day: nothing; joining while a member: NOT_ELIGIBLE', async () => {
    const r = await rig();
    const roomId = await r.newRoom();
    expect(await r.joinAndAward('u', roomId)).toEqual({ activity: 'join_room', granted: 5 });
    expect(await r.joinAndAward('u', roomId)).toEqual({ activity: 'join_room', granted: 0, reason: 'NOT_ELIGIBLE' });
    await r.rooms.leave('u', roomId);
    r.clock.advance(DAY_MS);
    expect(await r.joinAndAward('u', roomId)).toEqual({ activity: 'join_room', granted: 0, reason: 'ALREADY_REWARDED' });
    expect((await r.ledger.account('u')).balance).toBe(5);
  });

  it('a first join refused by the daily cap still counts: leave and re-join the next day earns nothing', async () => {
    const r = await rig({ caps: { activityDailyEvents: { join_room: 1 } } });
    const paid = await r.newRoom();
    const capped = await r.newRoom();
    expect(await r.joinAndAward('u', paid)).toEqual({ activity: 'join_room', granted: 5 });
    expect(await r.joinAndAward('u', capped)).toEqual({ activity: 'join_room', granted: 0, reason: 'ACTIVITY_CAP' });
    expect(await r.ledger.findByIdempotencyKey(`earn:join_room:u:${capped}`)).toBeNull();
    await r.rooms.leave('u', capped);
    r.clock.advance(DAY_MS);
    expect(await r.joinAndAward('u', capped)).toEqual({ activity: 'join_room', granted: 0, reason: 'ALREADY_REWARDED' });
    // The new day's cap is free, so the refusal above is the rule's, not the cap's.
    expect(await r.joinAndAward('u', await r.newRoom())).toEqual({ activity: 'join_room', granted: 5 });
    expect((await r.ledger.account('u')).balance).toBe(10);
  });

  it('another user\'s first join of the same room still pays', async () => {
    const r = await rig();
    const roomId = await r.newRoom();
    expect(await r.joinAndAward('a', roomId)).toEqual({ activity: 'join_room', granted: 5 });
    expect(await r.joinAndAward('b', roomId)).toEqual({ activity: 'join_room', granted: 5 });
  });
});
