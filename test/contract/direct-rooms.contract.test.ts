import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { contractBackends } from '../support/backends.js';
import type { Backend } from '../../server/stores/backend.js';
import { createRecordStores } from '../../server/stores/records.js';
import { newId } from '../../server/lib/ids.js';
import { DIRECT_ROOM_OWNER, isDirectRoom, type RecordStores, type RoomRecord, type RoomStore } from '../../server/stores/ports.js';
import { useStoreRacer } from '../support/store-racer.js';

/**
 * RoomStore's direct rooms and room management (issue 10): one behaviour on SQLite and, when a
 * replica set is reachable, on MongoDB, each time over a fresh backend.
 */
const backends = await contractBackends('direct-rooms');
const T0 = new Date('2026-01-05T12:00:00.123Z');

const user = (s: RecordStores) =>
  s.users.create({ id: newId(), username: `u_${randomBytes(4).toString('hex')}`, passwordHash: 'h', publicKey: null, inviteCode: randomBytes(6).toString('hex'), invitedBy: null, registrationIp: null, createdAt: T0 }).then((u) => u!.id);

const directRoom = (): RoomRecord => ({ id: newId(), name: '', description: '', visibility: 'private', ownerId: DIRECT_ROOM_OWNER, createdAt: T0 });
const room = (ownerId: string, name = 'general'): RoomRecord => ({ id: newId(), name, description: 'd', visibility: 'public', ownerId, createdAt: T0 });

describe.each(backends)('direct rooms and room management on $name', (factory) => {
  let backend: Backend;
  let s: RecordStores;

  beforeEach(async () => {
    backend = await factory.open();
    s = await createRecordStores(backend);
  });
  afterEach(async () => factory.dispose(backend));
  // Races run half here, half in a second process on the same data (a second connection on
  // MongoDB): on synchronous SQLite, calls inside one process cannot interleave.
  const other = useStoreRacer(() => factory.racerTarget(backend));

  describe('openDirect', () => {
    it('creates one ownerless room with both users as plain members', async () => {
      const [a, b] = [await user(s), await user(s)];
      const candidate = directRoom();
      const { room: opened, created } = await s.rooms.openDirect(candidate, [a, b]);
      expect(created).toBe(true);
      expect(opened).toEqual(candidate);
      const stored = await s.rooms.findById(candidate.id);
      expect(stored).toEqual(candidate);
      expect(isDirectRoom(stored!)).toBe(true);
      const members = await s.rooms.listMembers(candidate.id);
      expect(members.map((m) => [m.userId, m.role]).sort()).toEqual([[a, 'member'], [b, 'member']].sort());
      expect(members.every((m) => m.joinedAt.getTime() === T0.getTime())).toBe(true);
      expect(await s.rooms.countOwnedBy(a)).toBe(0);
      expect(await s.rooms.listRoomIdsOfUser(b)).toEqual([candidate.id]);
    });

    it('returns the existing room for the pair, in either order, and writes nothing', async () => {
      const [a, b] = [await user(s), await user(s)];
      const first = await s.rooms.openDirect(directRoom(), [a, b]);
      const other = directRoom();
      const again = await s.rooms.openDirect(other, [b, a]);
      expect(again).toEqual({ room: first.room, created: false });
      expect(await s.rooms.findById(other.id)).toBeNull();
      expect(await s.rooms.listMembers(other.id)).toEqual([]);
    });

    it('yields one room under concurrent calls from both sides, raced from two processes', async () => {
      const [a, b] = [await user(s), await user(s)];
      const racer = await other<RoomStore>('rooms');
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? racer : s.rooms).openDirect(directRoom(), i % 2 ? [a, b] : [b, a])));
      expect(new Set(results.map((r) => r.room.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await s.rooms.listDirectOf(a, { limit: 10 })).items).toHaveLength(1);
    });
  });

  describe('listDirectOf', () => {
    it('lists the user’s direct rooms newest first with the peer, paged, and keeps them off listVisibleTo', async () => {
      const [a, b, c, d] = [await user(s), await user(s), await user(s), await user(s)];
      const ab = (await s.rooms.openDirect(directRoom(), [a, b])).room;
      const ca = (await s.rooms.openDirect(directRoom(), [c, a])).room;
      await s.rooms.openDirect(directRoom(), [b, c]);
      const ad = (await s.rooms.openDirect(directRoom(), [a, d])).room;
      const first = await s.rooms.listDirectOf(a, { limit: 2 });
      expect(first.items.map((r) => [r.id, r.peerId])).toEqual([
        [ad.id, d],
        [ca.id, c],
      ]);
      expect(first.nextCursor).toBe(ca.id);
      const second = await s.rooms.listDirectOf(a, { limit: 2, before: first.nextCursor! });
      expect(second).toEqual({ items: [{ ...ab, peerId: b }], nextCursor: null });
      expect((await s.rooms.listVisibleTo(a, { limit: 50 })).items).toEqual([]);
      expect(await s.rooms.listDirectOf(await user(s), { limit: 5 })).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('unread counts of direct rooms (GET /api/dms)', () => {
    it('counts each side’s unread messages and mentions in the pair’s room, per reader, after the marker', async () => {
      const [a, b] = [await user(s), await user(s)];
      const dm = (await s.rooms.openDirect(directRoom(), [a, b])).room;
      const send = async (authorId: string, body: string) =>
        (
          await s.messages.create({ id: newId(), roomId: dm.id, authorId, clientMessageId: newId(), kind: 'text', body, fileId: null, createdAt: T0, replyTo: null, editedAt: null, deletedAt: null })
        ).message;
      const fromB1 = await send(b, 'hi');
      await send(a, 'hello');
      const fromB2 = await send(b, '@a there?');
      await s.messages.addMentions({ messageId: fromB2.id, roomId: dm.id, userIds: [a] });
      const listed = (await s.rooms.listDirectOf(a, { limit: 10 })).items.map((r) => r.id);
      expect((await s.messages.readStates(a, listed, 100)).get(dm.id)).toEqual({ lastReadId: null, unread: 2, mentions: 1 });
      expect((await s.messages.readStates(b, [dm.id], 100)).get(dm.id)).toEqual({ lastReadId: null, unread: 1, mentions: 0 });
      await s.messages.setReadMarker({ roomId: dm.id, userId: a, messageId: fromB1.id, at: T0 });
      expect((await s.messages.readStates(a, [dm.id], 100)).get(dm.id)).toEqual({ lastReadId: fromB1.id, unread: 1, mentions: 1 });
      await s.messages.setReadMarker({ roomId: dm.id, userId: a, messageId: fromB2.id, at: T0 });
      expect((await s.messages.readStates(a, [dm.id], 100)).get(dm.id)).toEqual({ lastReadId: fromB2.id, unread: 0, mentions: 0 });
    });
  });

  describe('updateDetails', () => {
    it('changes name and/or description and returns the room; null for no room', async () => {
      const owner = await user(s);
      const r = room(owner);
      await s.rooms.create(r);
      expect(await s.rooms.updateDetails(r.id, { name: 'renamed' })).toEqual({ ...r, name: 'renamed' });
      expect(await s.rooms.updateDetails(r.id, { description: '' })).toEqual({ ...r, name: 'renamed', description: '' });
      expect(await s.rooms.findById(r.id)).toEqual({ ...r, name: 'renamed', description: '' });
      expect(await s.rooms.updateDetails(newId(), { name: 'x' })).toBeNull();
    });
  });

  describe('transferOwnership', () => {
    it('moves ownership to a member and makes the old owner a moderator', async () => {
      const [owner, member] = [await user(s), await user(s)];
      const r = room(owner);
      await s.rooms.create(r);
      await s.rooms.addMember({ roomId: r.id, userId: member, role: 'member', joinedAt: T0 });
      expect(await s.rooms.transferOwnership(r.id, owner, member)).toBe(true);
      expect((await s.rooms.findById(r.id))!.ownerId).toBe(member);
      expect((await s.rooms.getMembership(r.id, member))!.role).toBe('owner');
      expect((await s.rooms.getMembership(r.id, owner))!.role).toBe('moderator');
      expect(await s.rooms.countOwnedBy(owner)).toBe(0);
      expect(await s.rooms.countOwnedBy(member)).toBe(1);
      // The old owner's membership is an ordinary one now: it can be removed.
      expect(await s.rooms.removeMember(r.id, owner)).toBe(true);
    });

    it('writes nothing when the caller no longer owns the room or the target is not a member', async () => {
      const [owner, member, outsider] = [await user(s), await user(s), await user(s)];
      const r = room(owner);
      await s.rooms.create(r);
      await s.rooms.addMember({ roomId: r.id, userId: member, role: 'member', joinedAt: T0 });
      expect(await s.rooms.transferOwnership(r.id, owner, outsider)).toBe(false);
      expect(await s.rooms.transferOwnership(r.id, member, owner)).toBe(false);
      expect((await s.rooms.findById(r.id))!.ownerId).toBe(owner);
      expect((await s.rooms.getMembership(r.id, owner))!.role).toBe('owner');
      expect((await s.rooms.getMembership(r.id, member))!.role).toBe('member');
      expect(await s.rooms.getMembership(r.id, outsider)).toBeNull();
    });

    it('lets one of two transfers raced from two processes win', async () => {
      const [owner, m1, m2] = [await user(s), await user(s), await user(s)];
      const r = room(owner);
      await s.rooms.create(r);
      for (const m of [m1, m2]) await s.rooms.addMember({ roomId: r.id, userId: m, role: 'member', joinedAt: T0 });
      const racer = await other<RoomStore>('rooms');
      const results = await Promise.all([s.rooms.transferOwnership(r.id, owner, m1), racer.transferOwnership(r.id, owner, m2)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const owners = (await s.rooms.listMembers(r.id)).filter((m) => m.role === 'owner');
      expect(owners).toHaveLength(1);
      expect((await s.rooms.findById(r.id))!.ownerId).toBe(owners[0]!.userId);
    });
  });

  describe('deleteRoom', () => {
    it('removes the room with its memberships, invites, bans and customization, and returns the former members', async () => {
      const [owner, member, invited, banned] = [await user(s), await user(s), await user(s), await user(s)];
      const r = room(owner);
      const kept = room(owner, 'kept');
      await s.rooms.create(r);
      await s.rooms.create(kept);
      await s.rooms.addMember({ roomId: r.id, userId: member, role: 'member', joinedAt: T0 });
      await s.rooms.addInvite({ roomId: r.id, userId: invited, invitedBy: owner, createdAt: T0 });
      await s.rooms.addBan({ roomId: r.id, userId: banned, bannedBy: owner, createdAt: T0 });
      await s.rooms.setCustomization({ roomId: r.id, color: '#112233', theme: 'dark', purchaseId: 'p1', updatedBy: owner, updatedAt: T0 });
      expect((await s.rooms.deleteRoom(r.id)).sort()).toEqual([owner, member].sort());
      expect(await s.rooms.findById(r.id)).toBeNull();
      expect(await s.rooms.listMembers(r.id)).toEqual([]);
      expect(await s.rooms.hasInvite(r.id, invited)).toBe(false);
      expect(await s.rooms.isBanned(r.id, banned)).toBe(false);
      expect((await s.rooms.customizationsOf([r.id])).size).toBe(0);
      expect(await s.rooms.countOwnedBy(owner)).toBe(1);
      expect(await s.rooms.listRoomIdsOfUser(owner)).toEqual([kept.id]);
      expect(await s.rooms.deleteRoom(r.id)).toEqual([]);
    });
  });
});
