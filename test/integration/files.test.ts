import { readdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import type { TierUploadLimits } from '../../server/files/limits.js';
import { request } from '../support/http.js';
import { collect, emitAck, waitFor } from '../support/socket.js';
import { chatRoom, createRoom, registerUser, settle, socketPool, type TestUser } from './chat-fixtures.js';
import { fence } from '../support/fence.js';

let srv: TestServer;
const sockets = socketPool();
const UPLOAD_MAX = 4096;
/** The server's tier limits stand in for the economy's: none, unless a test sets one. */
const noTierLimit = { fileBytesMax: UPLOAD_MAX, quotaBytes: null };
let tierLimits: TierUploadLimits = async () => noTierLimit;
const UNKNOWN_ID = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
/** The first bytes of a real PNG: enough for a signature sniffer. */
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.alloc(64, 7),
]);

beforeAll(async () => {
  srv = await startTestServer({ env: { UPLOAD_MAX_BYTES: String(UPLOAD_MAX) }, replace: { uploadTierLimits: (userId) => tierLimits(userId) } });
});
afterEach(() => sockets.closeAll());
afterAll(async () => {
  await srv.stop();
});

function form(bytes: Buffer, name: string, type = 'application/octet-stream', field = 'file'): FormData {
  const fd = new FormData();
  fd.append(field, new Blob([bytes], { type }), name);
  return fd;
}

async function upload(user: TestUser, bytes: Buffer, name = 'a.bin', type?: string) {
  return request(srv.url, 'POST', '/api/files', { token: user.token, rawBody: form(bytes, name, type) });
}

const storedFiles = () => readdirSync(join(srv.dataDir, 'files'));

describe('upload', () => {
  it('sniffs the type from the bytes, ignoring the claimed type, and tracks storage used', async () => {
    const u = await registerUser(srv);
    const res = await upload(u, PNG, 'holiday.txt', 'text/plain');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ file: { id: expect.any(String), name: 'holiday.txt', size: PNG.length, mime: 'image/png' } });
    const stored = await srv.ctx.stores.files.findById(res.body.file.id);
    expect(stored).toMatchObject({ ownerId: u.id, mime: 'image/png', size: PNG.length });
    expect(storedFiles()).toContain(stored!.storageKey);
    const text = await upload(u, Buffer.from('plain words, ünïcödé\n'), 'notes.png', 'image/png');
    expect(text.body.file.mime).toBe('text/plain');
    const binary = await upload(u, Buffer.from([0x80, 0x81, 0x82, 0x00, 0xc3, 0x28, 0x11, 0x12]), 'blob');
    expect(binary.body.file.mime).toBe('application/octet-stream');
    expect(await srv.ctx.stores.files.usedBytes(u.id)).toBe(PNG.length + text.body.file.size + binary.body.file.size);
  });

  it('keeps a safe display name', async () => {
    const u = await registerUser(srv);
    const res = await upload(u, Buffer.from('x'), '../../etc/pässwd.txt');
    expect(res.body.file.name).toBe('pässwd.txt');
  });

  it('refuses an oversize file and leaves neither bytes nor record', async () => {
    const u = await registerUser(srv);
    const before = storedFiles();
    const res = await upload(u, Buffer.alloc(UPLOAD_MAX + 1, 1));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: UPLOAD_MAX } });
    expect(storedFiles()).toEqual(before);
    expect(await srv.ctx.stores.files.countByOwner(u.id)).toBe(0);
    expect(await srv.ctx.stores.files.usedBytes(u.id)).toBe(0);
    const exact = await upload(u, Buffer.alloc(UPLOAD_MAX, 1));
    expect(exact.status).toBe(201);
  });

  it('applies a per-user limit and storage quota from the tier hook', async () => {
    const u = await registerUser(srv);
    tierLimits = async (userId) => (userId === u.id ? { fileBytesMax: 100, quotaBytes: 150 } : noTierLimit);
    try {
      expect((await upload(u, Buffer.alloc(101, 1))).body.error).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 100 } });
      expect((await upload(u, Buffer.alloc(100, 1))).status).toBe(201);
      const overQuota = await upload(u, Buffer.alloc(51, 1));
      expect(overQuota.status).toBe(413);
      expect(overQuota.body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
      expect((await upload(u, Buffer.alloc(50, 1))).status).toBe(201);
      expect((await upload(u, Buffer.alloc(1, 1))).body.error.code).toBe('STORAGE_QUOTA_EXCEEDED');
      expect(await srv.ctx.stores.files.usedBytes(u.id)).toBe(150);
      expect(await srv.ctx.stores.files.countByOwner(u.id)).toBe(2);
    } finally {
      tierLimits = async () => noTierLimit;
    }
  });

  it('refuses a request without the file field, a JSON body and an anonymous upload', async () => {
    const u = await registerUser(srv);
    const before = storedFiles();
    const wrongField = await request(srv.url, 'POST', '/api/files', { token: u.token, rawBody: form(Buffer.from('x'), 'x.txt', 'text/plain', 'attachment') });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.code).toBe('FILE_MISSING');
    const fieldsOnly = new FormData();
    fieldsOnly.append('note', 'no file here');
    expect((await request(srv.url, 'POST', '/api/files', { token: u.token, rawBody: fieldsOnly })).body.error.code).toBe('FILE_MISSING');
    expect((await request(srv.url, 'POST', '/api/files', { token: u.token, body: { file: 'x' } })).body.error.code).toBe('FILE_MISSING');
    const anon = await request(srv.url, 'POST', '/api/files', { rawBody: form(Buffer.from('x'), 'x.txt') });
    expect(anon.status).toBe(401);
    expect(storedFiles()).toEqual(before);
    expect(await srv.ctx.stores.files.countByOwner(u.id)).toBe(0);
  });

  it('refuses a part header busboy cannot parse', async () => {
    const u = await registerUser(srv);
    const fd = new FormData();
    fd.append('file', new Blob([Buffer.from('x')]), 'bad\u0001name.txt');
    const res = await request(srv.url, 'POST', '/api/files', { token: u.token, rawBody: fd });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(await srv.ctx.stores.files.countByOwner(u.id)).toBe(0);
  });

  it('removes the partial file when the client hangs up mid-upload', async () => {
    const u = await registerUser(srv);
    const before = storedFiles();
    const sock = netConnect(srv.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const head = '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n';
    sock.write(
      `POST /api/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${u.token}\r\n` +
        `Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 100000\r\n\r\n${head}${'a'.repeat(3000)}`,
    );
    const deadline = Date.now() + 3000;
    while (storedFiles().length === before.length && Date.now() < deadline) await settle(10);
    expect(storedFiles().length).toBe(before.length + 1);
    sock.destroy();
    while (storedFiles().length > before.length && Date.now() < deadline) await settle(10);
    expect(storedFiles()).toEqual(before);
    expect(await srv.ctx.stores.files.countByOwner(u.id)).toBe(0);
    expect((await upload(u, Buffer.from('after'))).status).toBe(201);
  });

  it('refuses a truncated multipart body', async () => {
    const u = await registerUser(srv);
    const before = storedFiles();
    const body = '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhalf a fi';
    const res = await request(srv.url, 'POST', '/api/files', { token: u.token, rawBody: body, headers: { 'content-type': 'multipart/form-data; boundary=XYZ' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(storedFiles()).toEqual(before);
    expect(await srv.ctx.stores.files.countByOwner(u.id)).toBe(0);
  });
});

describe('file:share and download', () => {
  async function setup() {
    const { owner, member, room, ownerSock, memberSock } = await chatRoom(srv, sockets);
    const up = await upload(owner, PNG, 'pic.png');
    expect(up.status).toBe(201);
    return { owner, member, room, ownerSock, memberSock, file: up.body.file as { id: string; name: string; size: number; mime: string } };
  }

  it('posts the file into the room once and tells the members with file:shared', async () => {
    const { owner, member, room, ownerSock, memberSock, file } = await setup();
    const told = waitFor(memberSock, 'file:shared');
    const noNew = collect(memberSock, 'message:new');
    const ack = await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId: file.id, caption: 'look' });
    expect(ack).toMatchObject({ ok: true, data: { message: { kind: 'file', body: 'look', file, author: { id: owner.id } }, award: expect.objectContaining({ activity: 'share_file' }) } });
    if (!ack.ok) throw new Error('unreachable');
    expect(await told).toEqual({ roomId: room.id, message: ack.data.message, file });
    const again = await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId: file.id, caption: 'look' });
    expect(again.ok && again.data.message.id).toBe(ack.data.message.id);
    await fence(srv, memberSock);
    expect(noNew).toEqual([]);
    const history = await member.api.get(`/api/rooms/${room.id}/messages`);
    expect(history.body.messages).toEqual([ack.data.message]);
  });

  it('refuses shares by others, into rooms the uploader has not joined, and of unknown files', async () => {
    const { owner, member, room, ownerSock, memberSock, file } = await setup();
    expect(await emitAck(memberSock, 'file:share', { roomId: room.id, fileId: file.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const elsewhere = await createRoom(member);
    expect(await emitAck(ownerSock, 'file:share', { roomId: elsewhere.id, fileId: file.id })).toMatchObject({ ok: false, error: { code: 'NOT_A_MEMBER' } });
    expect(await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId: UNKNOWN_ID })).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
    expect(await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId: file.id, caption: 'x'.repeat(1001) })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const text = await emitAck(ownerSock, 'message:send', { roomId: room.id, clientMessageId: 'taken', body: 'words' });
    expect(await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId: file.id, clientMessageId: 'taken' })).toMatchObject({
      ok: false,
      error: { code: 'IDEMPOTENCY_CONFLICT' },
    });
    expect(await srv.ctx.stores.files.sharedRoomIds(file.id)).toEqual([]);
    expect((await owner.api.get(`/api/rooms/${room.id}/messages`)).body.messages.map((m: { id: string }) => m.id)).toEqual([text.ok && text.data.message.id]);
  });

  it('downloads for the uploader and members of a shared room, counting distinct viewers', async () => {
    const { owner, member, room, ownerSock, file } = await setup();
    const outsider = await registerUser(srv, 'Out');
    const viewers = () =>
      srv.backend.kind === 'sqlite'
        ? (srv.backend.db.prepare('SELECT COUNT(*) AS n FROM file_viewers WHERE file_id = ?').get(file.id) as { n: number }).n
        : -1;

    const own = await fetch(`${srv.url}/api/files/${file.id}`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(own.status).toBe(200);
    expect(Buffer.from(await own.arrayBuffer()).equals(PNG)).toBe(true);
    const beforeShare = await member.api.get(`/api/files/${file.id}`);
    expect(beforeShare.status).toBe(404);
    expect(beforeShare.body.error.code).toBe('FILE_NOT_FOUND');
    expect(viewers()).toBe(0);

    await emitAck(ownerSock, 'file:share', { roomId: room.id, fileId: file.id });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${srv.url}/api/files/${file.id}`, { headers: { authorization: `Bearer ${member.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toContain(`filename="pic.png"`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    }
    expect(viewers()).toBe(1);
    const denied = await outsider.api.get(`/api/files/${file.id}`);
    expect(denied.status).toBe(404);
    expect((await outsider.api.get(`/api/files/${UNKNOWN_ID}`)).body.error.code).toBe('FILE_NOT_FOUND');
    expect((await request(srv.url, 'GET', `/api/files/${file.id}`)).status).toBe(401);
    expect(viewers()).toBe(1);
  });
});
