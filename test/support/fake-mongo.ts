import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { connectMongo } from '../../server/stores/mongo/connection.js';

const { BSON } = mongoose.mongo;
const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const HEADER_BYTES = 16;

export type Command = Record<string, unknown>;

/**
 * A TCP server that speaks just enough of the MongoDB wire protocol (OP_QUERY handshake, OP_MSG
 * commands) for the driver to connect and send commands. It records every command it receives
 * and answers each with `respond(command)`; a pooled driver connection sends one command at a
 * time, so a late answer only holds up its own connection. It is no database: tests use it where no real
 * MongoDB can be installed, to check what connectMongo decides from `hello` and which commands
 * (with which session and transaction fields) the adapters send.
 */
export interface FakeMongo {
  port: number;
  /** Every command received, in arrival order (handshake and monitoring included). */
  commands: Command[];
  close(): Promise<void>;
}

/** `respond` may answer later (a promise), e.g. to make a slow index build. */
export async function startFakeMongo(respond: (command: Command, port: number) => Command | Promise<Command>): Promise<FakeMongo> {
  const sockets = new Set<Socket>();
  const commands: Command[] = [];
  let port = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        const command = readCommand(message);
        if (!command) continue;
        commands.push(command);
        void Promise.resolve(respond(command, port)).then((reply) => {
          if (!socket.destroyed) socket.write(writeReply(message, { ...reply }));
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    commands,
    close: () => {
      // Open driver sockets would keep `server.close` waiting.
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function readCommand(message: Buffer): Command | null {
  const opCode = message.readInt32LE(12);
  let offset: number;
  if (opCode === OP_QUERY) {
    // flags, then the collection name (a C string), then numberToSkip and numberToReturn.
    offset = message.indexOf(0, HEADER_BYTES + 4) + 1 + 8;
  } else if (opCode === OP_MSG) {
    // flagBits, then the section of kind 0 holding the command.
    offset = HEADER_BYTES + 4 + 1;
  } else {
    return null;
  }
  return BSON.deserialize(message.subarray(offset, offset + message.readInt32LE(offset))) as Command;
}

function writeReply(request: Buffer, reply: Command): Buffer {
  const requestId = request.readInt32LE(4);
  const legacy = request.readInt32LE(12) === OP_QUERY;
  const doc = BSON.serialize(reply);
  // OP_REPLY: responseFlags, cursorID, startingFrom, numberReturned. OP_MSG: flagBits, section kind 0.
  const prefix = Buffer.alloc(legacy ? 20 : 5);
  if (legacy) prefix.writeInt32LE(1, 16);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeInt32LE(HEADER_BYTES + prefix.length + doc.length, 0);
  header.writeInt32LE(requestId + 1, 4);
  header.writeInt32LE(requestId, 8);
  header.writeInt32LE(legacy ? OP_REPLY : OP_MSG, 12);
  return Buffer.concat([header, prefix, doc]);
}

/** The command's name, lowercased (its first key). */
export const commandName = (command: Command): string => Object.keys(command)[0]?.toLowerCase() ?? '';

/** What a MongoDB 7.0 server says about itself; add `setName` and hosts for a replica set member. */
export const SERVER_LIMITS: Command = {
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

/** The hello reply of the single member of replica set `rs0` listening on `port`. */
export const replicaSetHello = (port: number): Command => ({
  ...SERVER_LIMITS,
  setName: 'rs0',
  setVersion: 1,
  hosts: [`127.0.0.1:${port}`],
  primary: `127.0.0.1:${port}`,
  me: `127.0.0.1:${port}`,
});

export const isHello = (command: Command): boolean => ['hello', 'ismaster'].includes(commandName(command));

/** What a command is aimed at (the value of its first key): the collection, for CRUD commands. */
export const target = (command: Command): string => String(command[Object.keys(command)[0]!]);

/** The commands named `name` aimed at `collection`, without handshakes and monitoring. */
export const commandsTo = (fake: FakeMongo, name: string, collection: string): Command[] =>
  fake.commands.filter((c) => !isHello(c) && commandName(c) === name && target(c) === collection);

/** A single-batch cursor reply to a `find` or `aggregate`. */
export const cursor = (command: Command, docs: Command[]): Command => ({
  cursor: { firstBatch: docs, id: mongoose.mongo.Long.fromNumber(0), ns: `chat.${target(command)}` },
  ok: 1,
});

/** A write reply refusing the first document on unique index `index` of `collection` (database `chat`). */
export const duplicateKey = (collection: string, index: string): Command => ({
  n: 0,
  writeErrors: [{ index: 0, code: 11000, errmsg: `E11000 duplicate key error collection: chat.${collection} index: ${index} dup key: { x: "y" }` }],
  ok: 1,
});

/** Connects to the fake's database `chat` the way the app does, with the driver's logs silenced. */
export const connectToFake = (fake: FakeMongo): Promise<Connection> =>
  connectMongo(`mongodb://127.0.0.1:${fake.port}/chat?serverSelectionTimeoutMS=2000`, pino({ level: 'silent' }));

/** Answers a command itself, or leaves it to the harness's defaults with `undefined`. */
export type WireHandler = (command: Command) => Command | undefined;

export interface WireHarnessOptions {
  /** Documents an unhandled `find` returns (default none). */
  findDocs?: Command[];
  /** Documents an unhandled `aggregate` returns; without it an aggregate gets the plain write answer. */
  aggregateDocs?: Command[];
  /** Commands that count as writes for `indexesAtFirstWrite` (default insert, update, findAndModify). */
  writes?: string[];
}

/** The current test's fake server and connection, read through getters (they change per test). */
export interface WireHarness {
  readonly fake: FakeMongo;
  readonly connection: Connection;
  /** Index names built so far, in order. */
  readonly indexes: string[];
  /** What `indexes` held when the first write arrived (null before any write). */
  readonly indexesAtFirstWrite: string[] | null;
  /** Answers commands before the defaults do, until the next test (each test starts with none). */
  setHandler(handler: WireHandler): void;
  /** The commands named `name` aimed at `collection` so far. */
  sent(name: string, collection: string): Command[];
}

/**
 * Registers a beforeEach/afterEach pair that starts a fake replica-set member for each test and
 * connects to it with connectMongo: index builds succeed at once and are recorded, `find` and
 * `aggregate` return the given documents, every other command succeeds as a one-document write.
 * A test's `setHandler` answer takes precedence over all of these.
 */
export function useWireHarness(options: WireHarnessOptions = {}): WireHarness {
  const writes = options.writes ?? ['insert', 'update', 'findandmodify'];
  let fake: FakeMongo | undefined;
  let connection: Connection | undefined;
  let handler: WireHandler = () => undefined;
  let indexes: string[] = [];
  let indexesAtFirstWrite: string[] | null = null;

  beforeEach(async () => {
    handler = () => undefined;
    indexes = [];
    indexesAtFirstWrite = null;
    fake = await startFakeMongo((c, port) => {
      if (isHello(c)) return { ...replicaSetHello(port), localTime: new Date(), ok: 1 };
      const answer = handler(c);
      if (answer) return answer;
      const name = commandName(c);
      if (name === 'createindexes') {
        indexes.push(...(c['indexes'] as { name: string }[]).map((i) => i.name));
        return { ok: 1 };
      }
      if (writes.includes(name)) indexesAtFirstWrite ??= [...indexes];
      if (name === 'find') return cursor(c, options.findDocs ?? []);
      if (name === 'aggregate' && options.aggregateDocs) return cursor(c, options.aggregateDocs);
      return { n: 1, nModified: 1, ok: 1 };
    });
    connection = await connectToFake(fake);
  });

  afterEach(async () => {
    await connection?.close(true);
    await fake?.close();
    connection = undefined;
    fake = undefined;
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useWireHarness: the fake server runs only inside a test');
    return value;
  };
  return {
    get fake() {
      return started(fake);
    },
    get connection() {
      return started(connection);
    },
    get indexes() {
      return indexes;
    },
    get indexesAtFirstWrite() {
      return indexesAtFirstWrite;
    },
    setHandler: (next) => {
      handler = next;
    },
    sent: (name, collection) => commandsTo(started(fake), name, collection),
  };
}
