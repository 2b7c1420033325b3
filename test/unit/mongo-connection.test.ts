import { afterEach, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { connectMongo, redactMongoUrl } from '../../server/stores/mongo/connection.js';
import { SERVER_LIMITS, isHello, replicaSetHello, startFakeMongo, type Command, type FakeMongo } from '../support/fake-mongo.js';

const silent = pino({ level: 'silent' });
const running: FakeMongo[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

async function fake(hello: (port: number) => Command): Promise<FakeMongo> {
  const server = await startFakeMongo((command, port) => (isHello(command) ? { ...hello(port), localTime: new Date(), ok: 1 } : { ok: 1 }));
  running.push(server);
  return server;
}

describe('connectMongo', () => {
  it('refuses a standalone server, saying transactions need a replica set', async () => {
    const { port } = await fake(() => SERVER_LIMITS);
    const url = `mongodb://127.0.0.1:${port}/chat?serverSelectionTimeoutMS=2000`;
    await expect(connectMongo(url, silent)).rejects.toThrow(/MONGO_URL: the MongoDB server at .* is not a replica set member.*--replSet.*rs\.initiate\(\)/s);
  });

  it('accepts a replica set member and returns its own (not the default) connection', async () => {
    const { port } = await fake(replicaSetHello);
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
