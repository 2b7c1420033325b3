import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { connectMongo, redactMongoUrl } from '../../server/stores/mongo/connection.js';

const { BSON } = mongoose.mongo;
interface FakeMongo {
  port: number;
  close(): Promise<void>;
}

const running: FakeMongo[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const HEADER_BYTES = 16;

/**
 * A TCP server that speaks just enough of the MongoDB wire protocol for a driver to connect:
 * it answers the handshake and `hello`/`isMaster` with `hello(port)` and every other command
 * with `{ ok: 1 }`. It stands in for a standalone server or a replica set member, which is all
 * connectMongo looks at, where no real MongoDB can be installed.
 */
async function fakeMongo(hello: (port: number) => Record<string, unknown>): Promise<FakeMongo> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        answer(socket, pending.subarray(0, length), hello(port));
        pending = pending.subarray(length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  running.push({
    port,
    close: () => {
      // Open driver sockets would keep `server.close` waiting; a test that failed may leave some.
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  });
  return running[running.length - 1]!;
}

function answer(socket: Socket, message: Buffer, helloReply: Record<string, unknown>): void {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  let offset: number;
  if (opCode === OP_QUERY) {
    // flags, then the collection name (a C string), then numberToSkip and numberToReturn.
    offset = message.indexOf(0, HEADER_BYTES + 4) + 1 + 8;
  } else if (opCode === OP_MSG) {
    // flagBits, then one section of kind 0 holding the command.
    offset = HEADER_BYTES + 4 + 1;
  } else {
    return;
  }
  const command = BSON.deserialize(message.subarray(offset, offset + message.readInt32LE(offset)));
  const name = Object.keys(command)[0]?.toLowerCase() ?? '';
  const reply = BSON.serialize(name === 'hello' || name === 'ismaster' ? { ...helloReply, localTime: new Date(), ok: 1 } : { ok: 1 });
  const body =
    opCode === OP_QUERY
      ? Buffer.concat([Buffer.alloc(20), reply]) // responseFlags, cursorID, startingFrom, numberReturned
      : Buffer.concat([Buffer.alloc(5), reply]); // flagBits, section kind 0
  if (opCode === OP_QUERY) body.writeInt32LE(1, 16);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeInt32LE(HEADER_BYTES + body.length, 0);
  header.writeInt32LE(requestId + 1, 4);
  header.writeInt32LE(requestId, 8);
  header.writeInt32LE(opCode === OP_QUERY ? OP_REPLY : OP_MSG, 12);
  socket.write(Buffer.concat([header, body]));
}

const SERVER_LIMITS = {
  helloOk: true,
  isWritablePrimary: true,
  ismaster: true,
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  logicalSessionTimeoutMinutes: 30,
  connectionId: 1,
  minWireVersion: 0,
  maxWireVersion: 21,
  readOnly: false,
};

const silent = pino({ level: 'silent' });

describe('connectMongo', () => {
  it('refuses a standalone server, saying transactions need a replica set', async () => {
    const { port } = await fakeMongo(() => SERVER_LIMITS);
    const url = `mongodb://127.0.0.1:${port}/chat?serverSelectionTimeoutMS=2000`;
    await expect(connectMongo(url, silent)).rejects.toThrow(/MONGO_URL: the MongoDB server at .* is not a replica set member.*--replSet.*rs\.initiate\(\)/s);
  });

  it('accepts a replica set member and returns its own (not the default) connection', async () => {
    const { port } = await fakeMongo((p) => ({
      ...SERVER_LIMITS,
      setName: 'rs0',
      setVersion: 1,
      hosts: [`127.0.0.1:${p}`],
      primary: `127.0.0.1:${p}`,
      me: `127.0.0.1:${p}`,
    }));
    const connection = await connectMongo(`mongodb://127.0.0.1:${port}/chat?serverSelectionTimeoutMS=2000`, silent);
    try {
      expect(connection.name).toBe('chat');
      expect(connection.readyState).toBe(1);
      expect(connection).not.toBe(mongoose.connection);
    } finally {
      await connection.close(true);
    }
  });

  it('fails to connect with a message naming MONGO_URL and the redacted address', async () => {
    // Port 1 on loopback refuses at once; the short timeout in the URL keeps the test fast.
    const failure = connectMongo('mongodb://app:s3cret@127.0.0.1:1/chat?serverSelectionTimeoutMS=300', silent);
    await expect(failure).rejects.toThrow(/^MONGO_URL: cannot connect to MongoDB at mongodb:\/\/app:\*\*\*@127\.0\.0\.1:1\/chat/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it('hides the password of a connection string', () => {
    expect(redactMongoUrl('mongodb://app:s3cret@db1:27017,db2:27017/chat?replicaSet=rs0')).toBe('mongodb://app:***@db1:27017,db2:27017/chat?replicaSet=rs0');
    expect(redactMongoUrl('mongodb+srv://app:s3cret@cluster.example/chat')).toBe('mongodb+srv://app:***@cluster.example/chat');
    expect(redactMongoUrl('mongodb://127.0.0.1:27017/chat')).toBe('mongodb://127.0.0.1:27017/chat');
  });
});
