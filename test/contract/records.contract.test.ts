import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { contractBackends } from '../support/backends.js';
import { useStoreRacer } from '../support/store-racer.js';
import type { Backend } from '../../server/stores/backend.js';
import { createRecordStores } from '../../server/stores/records.js';
import { newId } from '../../server/lib/ids.js';
import type { FileRecord, MessageRecord, NewUser, RecordStores, RoomRecord } from '../../server/stores/ports.js';

/**
 * One behaviour, two adapters: every test here runs on SQLite and, when a replica set is
 * reachable, on MongoDB, each time over a fresh, empty backend.
 */
const backends = await contractBackends('records');

const T0 = Date.parse('2026-01-05T12:00:00.000Z');
/** A fixed instant `s` seconds after T0 (with milliseconds, to prove they survive a round trip). */
const at = (s: number): Date => new Date(T0 + s * 1000 + 123);

const newUser = (overrides: Partial<NewUser> = {}): NewUser => ({
  id: newId(),
  username: `u_${randomBytes(4).toString('hex')}`,
  passwordHash: 'scrypt$hash',
  publicKey: null,
  inviteCode: randomBytes(6).toString('hex'),
  invitedBy: null,
  registrationIp: null,
  createdAt: at(0),
  ...overrides,
});

const newRoom = (ownerId: string, overrides: Partial<RoomRecord> = {}): RoomRecord => ({
  id: newId(),
  name: 'general',
  description: '',
  visibility: 'public',
  ownerId,
  createdAt: at(1),
  ...overrides,
});

const newMessage = (roomId: string, authorId: string, overrides: Partial<MessageRecord> = {}): MessageRecord => ({
  id: newId(),
  roomId,
  authorId,
  clientMessageId: newId(),
  kind: 'text',
  body: 'hello',
  fileId: null,
  createdAt: at(2),
  // Chat essentials (issue 10): adapters always return these.
  replyTo: null,
  editedAt: null,
  deletedAt: null,
  ...overrides,
});

const newFile = (ownerId: string, overrides: Partial<FileRecord> = {}): FileRecord => ({
  id: newId(),
  ownerId,
  name: 'photo.png',
  size: 1000,
  mime: 'image/png',
  storageKey: `files/${newId()}`,
  createdAt: at(3),
  ...overrides,
});

const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id);

describe.each(backends)('record stores on $name', (factory) => {
  let backend: Backend;
  let s: RecordStores;

  beforeEach(async () => {
    backend = await factory.open();
    s = await createRecordStores(backend);
  });

  afterEach(async () => {
    await factory.dispose(backend);
  });

  // Races run half here, half in a second process on the same data (a second connection on MongoDB).
  const other = useStoreRacer(() => factory.racerTarget(backend));

  describe('setup', () => {
    it('reports its backend and answers ping', async () => {
      expect(s.backend).toBe(factory.name);
      await expect(s.ping()).resolves.toBeUndefined();
    });

    it('can be built twice over one backend and both see the same records', async () => {
      const user = await s.users.create(newUser({ username: 'twice' }));
      const again = await createRecordStores(backend);
      expect(await again.users.findByUsername('twice')).toEqual(user);
    });
  });

  describe('users', () => {
    it('creates a user with defaults and reads every field back exactly', async () => {
      const draft = newUser({ username: 'Alice', publicKey: 'pk', invitedBy: 'someone', registrationIp: '10.0.0.1' });
      const created = await s.users.create(draft);
      const expected = {
        id: draft.id,
        username: 'Alice',
        passwordHash: draft.passwordHash,
        publicKey: 'pk',
        role: 'user',
        pinHash: null,
        inviteCode: draft.inviteCode,
        invitedBy: 'someone',
        registrationIp: '10.0.0.1',
        bannedAt: null,
        createdAt: at(0),
      };
      expect(created).toEqual(expected);
      expect(await s.users.findById(draft.id)).toEqual(expected);
    });

    it('keeps an explicit admin role', async () => {
      const u = await s.users.create(newUser({ role: 'admin' }));
      expect(u?.role).toBe('admin');
      expect((await s.users.findById(u!.id))?.role).toBe('admin');
    });

    it('refuses a username taken in another case, storing nothing', async () => {
      const first = await s.users.create(newUser({ username: 'Alice' }));
      const clash = newUser({ username: 'aLICE' });
      expect(await s.users.create(clash)).toBeNull();
      expect(await s.users.findById(clash.id)).toBeNull();
      expect((await s.users.findByUsername('alice'))?.id).toBe(first!.id);
    });

    it('lets exactly one of many concurrent same-name registrations win', async () => {
      const drafts = ['bob', 'Bob', 'BOB', 'bOb', 'boB', 'BoB', 'bob', 'BOb'].map((username) => newUser({ username }));
      const theirs = await other<RecordStores['users']>('users');
      const results = await Promise.all(drafts.map((d, i) => (i % 2 === 0 ? s.users : theirs).create(d)));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await s.users.findByUsername('BOB'))?.id).toBe(winners[0]!.id);
    });

    it('finds by username case-insensitively and keeps the name as typed', async () => {
      await s.users.create(newUser({ username: 'CamelCase_1' }));
      expect((await s.users.findByUsername('camelcase_1'))?.username).toBe('CamelCase_1');
      expect((await s.users.findByUsername('CAMELCASE_1'))?.username).toBe('CamelCase_1');
      expect(await s.users.findByUsername('camelcase_2')).toBeNull();
    });

    it('finds by invite code (exact) and returns null for an unknown id or code', async () => {
      const u = await s.users.create(newUser({ inviteCode: 'INV123' }));
      expect((await s.users.findByInviteCode('INV123'))?.id).toBe(u!.id);
      expect(await s.users.findByInviteCode('NOPE')).toBeNull();
      expect(await s.users.findById(newId())).toBeNull();
    });

    it('finds many by ids in id order, skipping unknown ids', async () => {
      const a = await s.users.create(newUser());
      const b = await s.users.create(newUser());
      await s.users.create(newUser());
      const found = await s.users.findManyByIds([b!.id, newId(), a!.id, b!.id]);
      expect(ids(found)).toEqual([a!.id, b!.id]);
      expect(await s.users.findManyByIds([])).toEqual([]);
    });

    it('sets role, PIN hash and ban (and lifts the ban)', async () => {
      const u = await s.users.create(newUser());
      await s.users.setRole(u!.id, 'admin');
      await s.users.setPinHash(u!.id, 'pin$hash');
      await s.users.setBanned(u!.id, at(10));
      expect(await s.users.findById(u!.id)).toMatchObject({ role: 'admin', pinHash: 'pin$hash', bannedAt: at(10) });
      await s.users.setBanned(u!.id, null);
      await s.users.setRole(u!.id, 'user');
      expect(await s.users.findById(u!.id)).toMatchObject({ role: 'user', pinHash: 'pin$hash', bannedAt: null });
    });

    it('changes nothing when updating an unknown user', async () => {
      const ghost = newId();
      await s.users.setRole(ghost, 'admin');
      await s.users.setBanned(ghost, at(1));
      expect(await s.users.findById(ghost)).toBeNull();
    });
  });

  describe('rooms', () => {
    it('creates a room with its owner as member, atomically', async () => {
      const room = newRoom('owner1', { description: 'about', visibility: 'private' });
      expect(await s.rooms.create(room)).toEqual(room);
      expect(await s.rooms.findById(room.id)).toEqual(room);
      expect(await s.rooms.getMembership(room.id, 'owner1')).toEqual({ roomId: room.id, userId: 'owner1', role: 'owner', joinedAt: room.createdAt });
      expect(await s.rooms.countOwnedBy('owner1')).toBe(1);
      expect(await s.rooms.countOwnedBy('nobody')).toBe(0);
      expect(await s.rooms.findById(newId())).toBeNull();
    });

    it('leaves no membership behind when the room insert fails', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await expect(s.rooms.create(newRoom('intruder', { id: room.id }))).rejects.toThrow();
      expect(await s.rooms.getMembership(room.id, 'intruder')).toBeNull();
      expect((await s.rooms.findById(room.id))?.ownerId).toBe('owner1');
      expect(await s.rooms.countOwnedBy('intruder')).toBe(0);
    });

    it('lists public rooms and my private rooms, not others\' private rooms', async () => {
      const pub = await s.rooms.create(newRoom('other', { visibility: 'public' }));
      const othersPrivate = await s.rooms.create(newRoom('other', { visibility: 'private' }));
      const myPrivate = await s.rooms.create(newRoom('me', { visibility: 'private' }));
      const joinedPrivate = await s.rooms.create(newRoom('other', { visibility: 'private' }));
      await s.rooms.addMember({ roomId: joinedPrivate.id, userId: 'me', role: 'member', joinedAt: at(5) });
      const mine = await s.rooms.listVisibleTo('me', { limit: 10 });
      expect(ids(mine.items)).toEqual([joinedPrivate.id, myPrivate.id, pub.id]);
      expect(mine.nextCursor).toBeNull();
      const stranger = await s.rooms.listVisibleTo('stranger', { limit: 10 });
      expect(ids(stranger.items)).toEqual([pub.id]);
      expect(ids(stranger.items)).not.toContain(othersPrivate.id);
    });

    it('pages visible rooms newest first with an exclusive cursor', async () => {
      const created: string[] = [];
      for (let i = 0; i < 5; i++) created.push((await s.rooms.create(newRoom(`o${i}`))).id);
      const newest = [...created].reverse();
      const p1 = await s.rooms.listVisibleTo('me', { limit: 2 });
      expect(ids(p1.items)).toEqual(newest.slice(0, 2));
      expect(p1.nextCursor).toBe(newest[1]);
      const p2 = await s.rooms.listVisibleTo('me', { limit: 2, before: p1.nextCursor! });
      expect(ids(p2.items)).toEqual(newest.slice(2, 4));
      expect(p2.nextCursor).toBe(newest[3]);
      const p3 = await s.rooms.listVisibleTo('me', { limit: 2, before: p2.nextCursor! });
      expect(ids(p3.items)).toEqual(newest.slice(4));
      expect(p3.nextCursor).toBeNull();
    });

    it('adds a member once; a second add returns the first membership unchanged', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      const m = { roomId: room.id, userId: 'u1', role: 'member' as const, joinedAt: at(10) };
      expect(await s.rooms.addMember(m)).toEqual({ membership: m, created: true });
      const again = await s.rooms.addMember({ ...m, role: 'moderator', joinedAt: at(20) });
      expect(again).toEqual({ membership: m, created: false });
      expect(await s.rooms.getMembership(room.id, 'u1')).toEqual(m);
    });

    it('creates exactly one membership under concurrent joins', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(10 + i) })),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const stored = await s.rooms.getMembership(room.id, 'u1');
      for (const r of results) expect(r.membership).toEqual(stored);
      expect(await s.rooms.listMemberIds(room.id)).toEqual(['owner1', 'u1'].sort());
    });

    it('lists members with roles in join order, and member ids in id order', async () => {
      const room = await s.rooms.create(newRoom('zed'));
      await s.rooms.addMember({ roomId: room.id, userId: 'bea', role: 'moderator', joinedAt: at(20) });
      await s.rooms.addMember({ roomId: room.id, userId: 'amy', role: 'member', joinedAt: at(30) });
      await s.rooms.addMember({ roomId: newId(), userId: 'elsewhere', role: 'member', joinedAt: at(30) });
      expect((await s.rooms.listMembers(room.id)).map((m) => [m.userId, m.role])).toEqual([
        ['zed', 'owner'],
        ['bea', 'moderator'],
        ['amy', 'member'],
      ]);
      expect(await s.rooms.listMemberIds(room.id)).toEqual(['amy', 'bea', 'zed']);
      expect(await s.rooms.listMembers(newId())).toEqual([]);
    });

    it('removes a member once and never removes the owner', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(10) });
      expect(await s.rooms.removeMember(room.id, 'u1')).toBe(true);
      expect(await s.rooms.removeMember(room.id, 'u1')).toBe(false);
      expect(await s.rooms.getMembership(room.id, 'u1')).toBeNull();
      expect(await s.rooms.removeMember(room.id, 'owner1')).toBe(false);
      expect((await s.rooms.getMembership(room.id, 'owner1'))?.role).toBe('owner');
    });

    it('records a user\'s first join of a room once, forever: leaving does not erase it, other rooms and users are apart', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(10) });
      expect(await s.rooms.recordFirstJoin(room.id, 'u1', at(10))).toBe(true);
      expect(await s.rooms.recordFirstJoin(room.id, 'u1', at(11))).toBe(false);
      expect(await s.rooms.removeMember(room.id, 'u1')).toBe(true);
      await s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(20) });
      expect(await s.rooms.recordFirstJoin(room.id, 'u1', at(20))).toBe(false);
      expect(await s.rooms.recordFirstJoin(room.id, 'u2', at(20))).toBe(true);
      expect(await s.rooms.recordFirstJoin(newId(), 'u1', at(20))).toBe(true);
    });

    it('answers true to exactly one of many concurrent first joins', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => s.rooms.recordFirstJoin(room.id, 'u1', at(10 + i))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('changes a member\'s role and returns null for a non-member', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(10) });
      expect(await s.rooms.setMemberRole(room.id, 'u1', 'moderator')).toEqual({ roomId: room.id, userId: 'u1', role: 'moderator', joinedAt: at(10) });
      expect((await s.rooms.getMembership(room.id, 'u1'))?.role).toBe('moderator');
      expect(await s.rooms.setMemberRole(room.id, 'u1', 'member')).toMatchObject({ role: 'member' });
      expect(await s.rooms.setMemberRole(room.id, 'stranger', 'moderator')).toBeNull();
      expect(await s.rooms.getMembership(room.id, 'stranger')).toBeNull();
    });

    // Room authority (issue 9): who banned, and ban/join decided atomically.
    it('keeps who banned; banMember reports the removed membership; a banned user is never added', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(10) });
      expect(await s.rooms.banMember({ roomId: room.id, userId: 'u1', bannedBy: 'owner1', createdAt: at(11) })).toEqual({ removedMember: true });
      expect(await s.rooms.banMember({ roomId: room.id, userId: 'u1', bannedBy: 'mod1', createdAt: at(12) })).toEqual({ removedMember: false });
      expect(await s.rooms.getBan(room.id, 'u1')).toEqual({ roomId: room.id, userId: 'u1', bannedBy: 'owner1', createdAt: at(11) });
      expect(await s.rooms.getBan(room.id, 'u2')).toBeNull();
      expect(await s.rooms.addMemberUnlessBanned({ roomId: room.id, userId: 'u1', role: 'member', joinedAt: at(13) })).toEqual({ banned: true });
      expect(await s.rooms.getMembership(room.id, 'u1')).toBeNull();
      const m = { roomId: room.id, userId: 'u2', role: 'member' as const, joinedAt: at(14) };
      expect(await s.rooms.addMemberUnlessBanned(m)).toEqual({ banned: false, membership: m, created: true });
      expect(await s.rooms.addMemberUnlessBanned({ ...m, joinedAt: at(15) })).toEqual({ banned: false, membership: m, created: false });
    });

    it('a burst of concurrent joins and a ban never ends banned and a member', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      for (let i = 0; i < 10; i++) {
        const userId = `racer${i}`;
        const join = () => s.rooms.addMemberUnlessBanned({ roomId: room.id, userId, role: 'member', joinedAt: at(20) });
        await Promise.all([join(), join(), s.rooms.banMember({ roomId: room.id, userId, bannedBy: 'owner1', createdAt: at(20) }), join()]);
        expect(await s.rooms.isBanned(room.id, userId)).toBe(true);
        expect(await s.rooms.getMembership(room.id, userId)).toBeNull();
      }
    });

    it('records invites per room and user, idempotently', async () => {
      const room = await s.rooms.create(newRoom('owner1', { visibility: 'private' }));
      expect(await s.rooms.hasInvite(room.id, 'u1')).toBe(false);
      const invite = { roomId: room.id, userId: 'u1', invitedBy: 'owner1', createdAt: at(10) };
      await s.rooms.addInvite(invite);
      await s.rooms.addInvite({ ...invite, createdAt: at(11) });
      await Promise.all([s.rooms.addInvite({ ...invite, userId: 'u2' }), s.rooms.addInvite({ ...invite, userId: 'u2' })]);
      expect(await s.rooms.hasInvite(room.id, 'u1')).toBe(true);
      expect(await s.rooms.hasInvite(room.id, 'u2')).toBe(true);
      expect(await s.rooms.hasInvite(room.id, 'u3')).toBe(false);
      expect(await s.rooms.hasInvite(newId(), 'u1')).toBe(false);
    });

    it('bans remove the membership until lifted; banning twice is harmless', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await s.rooms.addMember({ roomId: room.id, userId: 'u1', role: 'moderator', joinedAt: at(10) });
      const ban = { roomId: room.id, userId: 'u1', bannedBy: 'owner1', createdAt: at(20) };
      await s.rooms.addBan(ban);
      await s.rooms.addBan({ ...ban, createdAt: at(21) });
      expect(await s.rooms.isBanned(room.id, 'u1')).toBe(true);
      expect(await s.rooms.getMembership(room.id, 'u1')).toBeNull();
      expect(await s.rooms.isBanned(room.id, 'u2')).toBe(false);
      expect(await s.rooms.removeBan(room.id, 'u1')).toBe(true);
      expect(await s.rooms.removeBan(room.id, 'u1')).toBe(false);
      expect(await s.rooms.isBanned(room.id, 'u1')).toBe(false);
    });

    it('a ban never removes the owner\'s membership', async () => {
      const room = await s.rooms.create(newRoom('owner1'));
      await s.rooms.addBan({ roomId: room.id, userId: 'owner1', bannedBy: 'admin', createdAt: at(20) });
      expect((await s.rooms.getMembership(room.id, 'owner1'))?.role).toBe('owner');
    });

    it('lists the rooms of a user, private ones included, sorted by id', async () => {
      const owned = await s.rooms.create(newRoom('me', { visibility: 'private' }));
      const joinedPublic = await s.rooms.create(newRoom('other'));
      const joinedPrivate = await s.rooms.create(newRoom('other', { visibility: 'private' }));
      const notMine = await s.rooms.create(newRoom('other', { visibility: 'private' }));
      const notJoinedPublic = await s.rooms.create(newRoom('other'));
      await s.rooms.addMember({ roomId: joinedPublic.id, userId: 'me', role: 'member', joinedAt: at(10) });
      await s.rooms.addMember({ roomId: joinedPrivate.id, userId: 'me', role: 'moderator', joinedAt: at(11) });
      const mine = await s.rooms.listRoomIdsOfUser('me');
      expect(mine).toEqual([owned.id, joinedPublic.id, joinedPrivate.id].sort());
      expect(mine).not.toContain(notMine.id);
      expect(mine).not.toContain(notJoinedPublic.id);
      expect(await s.rooms.listRoomIdsOfUser('other')).toEqual([joinedPublic.id, joinedPrivate.id, notMine.id, notJoinedPublic.id].sort());
    });

    it('drops a room from a user\'s list after leave, kick or ban, and lists [] for a user in no room', async () => {
      const rooms = [await s.rooms.create(newRoom('owner1')), await s.rooms.create(newRoom('owner1', { visibility: 'private' })), await s.rooms.create(newRoom('owner1'))];
      const kept = await s.rooms.create(newRoom('owner1', { visibility: 'private' }));
      for (const r of [...rooms, kept]) await s.rooms.addMember({ roomId: r.id, userId: 'u1', role: 'member', joinedAt: at(10) });
      expect(await s.rooms.listRoomIdsOfUser('u1')).toEqual([...ids(rooms), kept.id].sort());
      const [left, kicked, banned] = rooms as [RoomRecord, RoomRecord, RoomRecord];
      // At the store, leaving and kicking are both a removed membership.
      await s.rooms.removeMember(left.id, 'u1');
      expect(await s.rooms.listRoomIdsOfUser('u1')).toEqual([kicked.id, banned.id, kept.id].sort());
      await s.rooms.removeMember(kicked.id, 'u1');
      await s.rooms.addBan({ roomId: banned.id, userId: 'u1', bannedBy: 'owner1', createdAt: at(20) });
      expect(await s.rooms.listRoomIdsOfUser('u1')).toEqual([kept.id]);
      expect(await s.rooms.listRoomIdsOfUser('nobody')).toEqual([]);
      expect(await s.rooms.listRoomIdsOfUser('owner1')).toEqual([...ids(rooms), kept.id].sort());
    });

    it('keeps one customization per room: a later set changes the theme and keeps the first purchase', async () => {
      const a = await s.rooms.create(newRoom('owner1'));
      const b = await s.rooms.create(newRoom('owner1'));
      expect((await s.rooms.customizationsOf([a.id, b.id])).size).toBe(0);
      expect((await s.rooms.customizationsOf([])).size).toBe(0);
      await s.rooms.setCustomization({ roomId: a.id, color: '#112233', theme: 'dark', purchaseId: 'p1', updatedBy: 'owner1', updatedAt: at(30) });
      await s.rooms.setCustomization({ roomId: a.id, color: '#445566', theme: 'forest', purchaseId: 'p2', updatedBy: 'mod1', updatedAt: at(31) });
      const got = await s.rooms.customizationsOf([a.id, b.id, 'unknown']);
      expect([...got.keys()]).toEqual([a.id]);
      expect(got.get(a.id)).toEqual({ roomId: a.id, color: '#445566', theme: 'forest', purchaseId: 'p1', updatedBy: 'mod1', updatedAt: at(31) });
    });
  });

  describe('messages', () => {
    it('stores a message and reads it back exactly', async () => {
      const m = newMessage('r1', 'a1', { body: 'ciphertext:AAAA', kind: 'file', fileId: 'f1' });
      expect(await s.messages.create(m)).toEqual({ message: m, created: true });
      expect(await s.messages.findById(m.id)).toEqual(m);
      expect(await s.messages.findById(newId())).toBeNull();
    });

    it('keeps an empty body (a file shared without caption)', async () => {
      const m = newMessage('r1', 'a1', { body: '', kind: 'file', fileId: 'f1' });
      await s.messages.create(m);
      expect((await s.messages.findById(m.id))?.body).toBe('');
    });

    it('stores a retry with the same clientMessageId once and returns the first message', async () => {
      const first = newMessage('r1', 'a1', { clientMessageId: 'c-1', body: 'first' });
      await s.messages.create(first);
      const retry = newMessage('r1', 'a1', { clientMessageId: 'c-1', body: 'second' });
      expect(await s.messages.create(retry)).toEqual({ message: first, created: false });
      expect(await s.messages.findById(retry.id)).toBeNull();
      expect(await s.messages.countByAuthor('a1')).toBe(1);
    });

    it('scopes clientMessageId to its author', async () => {
      const a = await s.messages.create(newMessage('r1', 'a1', { clientMessageId: 'same' }));
      const b = await s.messages.create(newMessage('r1', 'a2', { clientMessageId: 'same' }));
      expect(a.created && b.created).toBe(true);
    });

    it('stores exactly one of 20 concurrent sends with one clientMessageId', async () => {
      const drafts = Array.from({ length: 20 }, (_, i) => newMessage('r1', 'a1', { clientMessageId: 'burst', body: `try ${i}` }));
      const results = await Promise.all(drafts.map((d) => s.messages.create(d)));
      const created = results.filter((r) => r.created);
      expect(created).toHaveLength(1);
      for (const r of results) expect(r.message).toEqual(created[0]!.message);
      expect(ids((await s.messages.listByRoom('r1', { limit: 50 })).items)).toEqual([created[0]!.message.id]);
      expect(await s.messages.countByAuthor('a1')).toBe(1);
    });

    it('pages a room newest first; the cursor is exclusive and null on the last page', async () => {
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) sent.push((await s.messages.create(newMessage('r1', 'a1'))).message.id);
      await s.messages.create(newMessage('r2', 'a1'));
      const newest = [...sent].reverse();
      const p1 = await s.messages.listByRoom('r1', { limit: 3 });
      expect(ids(p1.items)).toEqual(newest.slice(0, 3));
      expect(p1.nextCursor).toBe(newest[2]);
      const p2 = await s.messages.listByRoom('r1', { limit: 3, before: p1.nextCursor! });
      expect(ids(p2.items)).toEqual(newest.slice(3));
      expect(p2.nextCursor).toBeNull();
      // A full last page has no cursor either: there is nothing older.
      const exact = await s.messages.listByRoom('r1', { limit: 2, before: newest[2]! });
      expect(ids(exact.items)).toEqual(newest.slice(3));
      expect(exact.nextCursor).toBeNull();
      expect(await s.messages.listByRoom('r1', { limit: 3, before: sent[0]! })).toEqual({ items: [], nextCursor: null });
      expect(await s.messages.listByRoom('empty', { limit: 3 })).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a page limit outside 1..1000', async () => {
      await expect(s.messages.listByRoom('r1', { limit: 0 })).rejects.toThrow(RangeError);
      await expect(s.rooms.listVisibleTo('u', { limit: 1001 })).rejects.toThrow(RangeError);
      await expect(s.notifications.list('u', { unreadOnly: false, limit: 1.5 })).rejects.toThrow(RangeError);
    });

    it('adds and removes reactions idempotently with exact counts and distinct reactors', async () => {
      const { message } = await s.messages.create(newMessage('r1', 'a1'));
      const react = (userId: string, emoji: string, on: boolean) => s.messages.setReaction({ messageId: message.id, userId, emoji, on, at: at(30) });
      expect(await react('u1', '👍', true)).toEqual({ counts: { '👍': 1 }, distinctReactors: 1 });
      expect(await react('u1', '👍', true)).toEqual({ counts: { '👍': 1 }, distinctReactors: 1 });
      expect(await react('u2', '👍', true)).toEqual({ counts: { '👍': 2 }, distinctReactors: 2 });
      expect(await react('u2', '❤️', true)).toEqual({ counts: { '👍': 2, '❤️': 1 }, distinctReactors: 2 });
      expect(await react('u1', '👍', false)).toEqual({ counts: { '👍': 1, '❤️': 1 }, distinctReactors: 1 });
      expect(await react('u1', '👍', false)).toEqual({ counts: { '👍': 1, '❤️': 1 }, distinctReactors: 1 });
      expect(await react('u2', '👍', false)).toEqual({ counts: { '❤️': 1 }, distinctReactors: 1 });
      expect(await react('u2', '❤️', false)).toEqual({ counts: {}, distinctReactors: 0 });
    });

    it('leaves the author out of distinct reactors while counting their reaction per emoji', async () => {
      const { message } = await s.messages.create(newMessage('r1', 'a1'));
      const react = (userId: string, emoji: string, on: boolean) => s.messages.setReaction({ messageId: message.id, userId, emoji, on, at: at(30) });
      expect(await react('a1', '👍', true)).toEqual({ counts: { '👍': 1 }, distinctReactors: 0 });
      expect(await react('u1', '👍', true)).toEqual({ counts: { '👍': 2 }, distinctReactors: 1 });
      expect(await react('a1', '❤️', true)).toEqual({ counts: { '👍': 2, '❤️': 1 }, distinctReactors: 1 });
      expect(await react('u2', '❤️', true)).toEqual({ counts: { '👍': 2, '❤️': 2 }, distinctReactors: 2 });
      expect(await react('u1', '👍', false)).toEqual({ counts: { '👍': 1, '❤️': 2 }, distinctReactors: 1 });
      // Another message by someone else: a1 is an ordinary reactor there.
      const other = (await s.messages.create(newMessage('r1', 'a2'))).message;
      expect(await s.messages.setReaction({ messageId: other.id, userId: 'a1', emoji: '👍', on: true, at: at(30) })).toEqual({ counts: { '👍': 1 }, distinctReactors: 1 });
    });

    it('counts one reaction under concurrent identical adds', async () => {
      const { message } = await s.messages.create(newMessage('r1', 'a1'));
      await Promise.all(Array.from({ length: 10 }, () => s.messages.setReaction({ messageId: message.id, userId: 'u1', emoji: '🔥', on: true, at: at(30) })));
      expect(await s.messages.reactionCounts([message.id])).toEqual({ [message.id]: { '🔥': 1 } });
    });

    it('reports counts for many messages, with {} for a message without reactions', async () => {
      const a = (await s.messages.create(newMessage('r1', 'a1'))).message;
      const b = (await s.messages.create(newMessage('r1', 'a1'))).message;
      const c = (await s.messages.create(newMessage('r1', 'a1'))).message;
      await s.messages.setReaction({ messageId: a.id, userId: 'u1', emoji: '👍', on: true, at: at(30) });
      await s.messages.setReaction({ messageId: a.id, userId: 'u2', emoji: '👍', on: true, at: at(30) });
      await s.messages.setReaction({ messageId: b.id, userId: 'u1', emoji: '😂', on: true, at: at(30) });
      await s.messages.setReaction({ messageId: c.id, userId: 'u1', emoji: '😂', on: true, at: at(30) });
      expect(await s.messages.reactionCounts([a.id, b.id, 'no-reactions'])).toEqual({
        [a.id]: { '👍': 2 },
        [b.id]: { '😂': 1 },
        'no-reactions': {},
      });
      expect(await s.messages.reactionCounts([])).toEqual({});
    });

    it('counts messages by author', async () => {
      await s.messages.create(newMessage('r1', 'a1'));
      await s.messages.create(newMessage('r2', 'a1'));
      await s.messages.create(newMessage('r1', 'a2'));
      expect(await s.messages.countByAuthor('a1')).toBe(2);
      expect(await s.messages.countByAuthor('nobody')).toBe(0);
    });

    it('records a helpful vote once per voter, also under concurrency', async () => {
      const { message } = await s.messages.create(newMessage('r1', 'a1'));
      expect(await s.messages.addHelpfulVote({ messageId: message.id, voterId: 'v1', at: at(40) })).toBe(true);
      expect(await s.messages.addHelpfulVote({ messageId: message.id, voterId: 'v1', at: at(41) })).toBe(false);
      expect(await s.messages.addHelpfulVote({ messageId: message.id, voterId: 'v2', at: at(41) })).toBe(true);
      const burst = await Promise.all(Array.from({ length: 10 }, () => s.messages.addHelpfulVote({ messageId: message.id, voterId: 'v3', at: at(42) })));
      expect(burst.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('files', () => {
    it('stores file metadata and reads it back exactly', async () => {
      const f = newFile('o1', { name: 'report.pdf', mime: 'application/pdf', size: 12345 });
      expect(await s.files.create(f)).toEqual(f);
      expect(await s.files.findById(f.id)).toEqual(f);
      expect(await s.files.findById(newId())).toBeNull();
    });

    it('sums used bytes and counts files per owner', async () => {
      expect(await s.files.usedBytes('o1')).toBe(0);
      expect(await s.files.countByOwner('o1')).toBe(0);
      await s.files.create(newFile('o1', { size: 1000 }));
      await s.files.create(newFile('o1', { size: 2500 }));
      await s.files.create(newFile('o1', { size: 0 }));
      await s.files.create(newFile('o2', { size: 7 }));
      expect(await s.files.usedBytes('o1')).toBe(3500);
      expect(await s.files.countByOwner('o1')).toBe(3);
      expect(await s.files.usedBytes('o2')).toBe(7);
    });

    it('records shares once per room and lists the rooms', async () => {
      const f = await s.files.create(newFile('o1'));
      expect(await s.files.sharedRoomIds(f.id)).toEqual([]);
      await s.files.addShare({ fileId: f.id, roomId: 'room-b', messageId: 'm1', sharedBy: 'o1', at: at(50) });
      await s.files.addShare({ fileId: f.id, roomId: 'room-b', messageId: 'm2', sharedBy: 'o1', at: at(51) });
      await Promise.all([
        s.files.addShare({ fileId: f.id, roomId: 'room-a', messageId: 'm3', sharedBy: 'o1', at: at(52) }),
        s.files.addShare({ fileId: f.id, roomId: 'room-a', messageId: 'm4', sharedBy: 'o1', at: at(52) }),
      ]);
      expect(await s.files.sharedRoomIds(f.id)).toEqual(['room-a', 'room-b']);
    });

    it('counts each viewer once', async () => {
      const f = await s.files.create(newFile('o1'));
      expect(await s.files.addViewer({ fileId: f.id, userId: 'v1', at: at(60) })).toEqual({ distinctViewers: 1, added: true });
      expect(await s.files.addViewer({ fileId: f.id, userId: 'v1', at: at(61) })).toEqual({ distinctViewers: 1, added: false });
      expect(await s.files.addViewer({ fileId: f.id, userId: 'v2', at: at(62) })).toEqual({ distinctViewers: 2, added: true });
    });

    it('counts distinct viewers exactly under concurrent views', async () => {
      const f = await s.files.create(newFile('o1'));
      const views = [...Array.from({ length: 15 }, (_, i) => `v${i}`), ...Array.from({ length: 10 }, () => 'same')];
      const results = await Promise.all(views.map((userId) => s.files.addViewer({ fileId: f.id, userId, at: at(60) })));
      expect(results.filter((r) => r.added)).toHaveLength(16);
      expect((await s.files.addViewer({ fileId: f.id, userId: 'same', at: at(61) })).distinctViewers).toBe(16);
    });
  });

  // Economy integrity (issue 9): who reacted/viewed (independent peers) and what a size item produced (refunds).
  describe('peer and refund reads', () => {
    it('lists reactors other than the author once each, first reaction first, up to the limit', async () => {
      const { message } = await s.messages.create(newMessage('r1', 'a1'));
      const react = (userId: string, emoji: string, s2: number, on = true) => s.messages.setReaction({ messageId: message.id, userId, emoji, on, at: at(s2) });
      expect(await s.messages.reactorIds(message.id, 10)).toEqual([]);
      await react('u2', '👍', 31);
      await react('a1', '👍', 30);
      await react('u1', '❤️', 32);
      await react('u2', '❤️', 33);
      await react('u3', '👍', 34);
      expect(await s.messages.reactorIds(message.id, 10)).toEqual(['u2', 'u1', 'u3']);
      expect(await s.messages.reactorIds(message.id, 2)).toEqual(['u2', 'u1']);
      await react('u1', '❤️', 35, false);
      expect(await s.messages.reactorIds(message.id, 10)).toEqual(['u2', 'u3']);
    });

    it('lists viewers by first view, up to the limit', async () => {
      const f = await s.files.create(newFile('o1'));
      await s.files.addViewer({ fileId: f.id, userId: 'v2', at: at(60) });
      await s.files.addViewer({ fileId: f.id, userId: 'v1', at: at(61) });
      await s.files.addViewer({ fileId: f.id, userId: 'v2', at: at(62) });
      expect(await s.files.viewerIds(f.id, 10)).toEqual(['v2', 'v1']);
      expect(await s.files.viewerIds(f.id, 1)).toEqual(['v2']);
      expect(await s.files.viewerIds('no-such-file', 5)).toEqual([]);
    });

    it("answers the size of the owner's largest file since an instant", async () => {
      await s.files.create(newFile('o1', { size: 9000, createdAt: at(10) }));
      await s.files.create(newFile('o1', { size: 300, createdAt: at(20) }));
      await s.files.create(newFile('o1', { size: 700, createdAt: at(30) }));
      await s.files.create(newFile('o2', { size: 99_999, createdAt: at(30) }));
      expect(await s.files.largestSince('o1', at(20))).toBe(700);
      expect(await s.files.largestSince('o1', at(0))).toBe(9000);
      expect(await s.files.largestSince('o1', at(31))).toBe(0);
    });
  });

  describe('notifications', () => {
    const note = (userId: string, overrides: { type?: string; data?: Record<string, unknown> } = {}) => ({
      id: newId(),
      userId,
      type: overrides.type ?? 'gift',
      data: overrides.data ?? { amount: 5 },
      readAt: null,
      createdAt: at(70),
    });

    it('stores notifications and lists only the user\'s own, newest first, with data intact', async () => {
      const a = note('u1', { type: 'gift', data: { amount: 5, from: { id: 'x', name: 'X' }, tags: ['a', 'b'] } });
      const b = note('u1', { type: 'tier', data: {} });
      await s.notifications.create(a);
      await s.notifications.create(b);
      await s.notifications.create(note('u2'));
      const page = await s.notifications.list('u1', { unreadOnly: false, limit: 10 });
      expect(page).toEqual({ items: [b, a], nextCursor: null });
    });

    it('marks only the user\'s own unread notifications read and reports how many changed', async () => {
      const mine1 = note('u1');
      const mine2 = note('u1');
      const theirs = note('u2');
      for (const n of [mine1, mine2, theirs]) await s.notifications.create(n);
      expect(await s.notifications.markRead('u1', [mine1.id, theirs.id, newId()], at(80))).toBe(1);
      expect(await s.notifications.markRead('u1', [mine1.id], at(81))).toBe(1 - 1);
      expect(await s.notifications.markRead('u1', [], at(81))).toBe(0);
      const theirsNow = await s.notifications.list('u2', { unreadOnly: true, limit: 10 });
      expect(ids(theirsNow.items)).toEqual([theirs.id]);
      const all = await s.notifications.list('u1', { unreadOnly: false, limit: 10 });
      expect(all.items.map((n) => [n.id, n.readAt])).toEqual([
        [mine2.id, null],
        [mine1.id, at(80)],
      ]);
      const unread = await s.notifications.list('u1', { unreadOnly: true, limit: 10 });
      expect(ids(unread.items)).toEqual([mine2.id]);
    });

    it('pages unread notifications newest first', async () => {
      const made = [];
      for (let i = 0; i < 5; i++) {
        const n = note('u1');
        await s.notifications.create(n);
        made.push(n.id);
      }
      await s.notifications.markRead('u1', [made[3]!], at(80));
      const unreadNewest = [made[4], made[2], made[1], made[0]];
      const p1 = await s.notifications.list('u1', { unreadOnly: true, limit: 2 });
      expect(ids(p1.items)).toEqual(unreadNewest.slice(0, 2));
      expect(p1.nextCursor).toBe(made[2]);
      const p2 = await s.notifications.list('u1', { unreadOnly: true, limit: 2, before: p1.nextCursor! });
      expect(ids(p2.items)).toEqual(unreadNewest.slice(2));
      expect(p2.nextCursor).toBeNull();
    });
  });
});
