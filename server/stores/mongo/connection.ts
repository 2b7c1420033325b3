import mongoose, { type ConnectOptions, type Connection } from 'mongoose';
import type { Logger } from '../../lib/logger.js';

/**
 * How long an operation (and the first connect) looks for a usable server before failing. Short on
 * purpose: during an election or an outage a request fails in seconds with STORE_UNAVAILABLE
 * (unavailable.ts) instead of hanging on a socket; a typical election completes within it, so most
 * requests during one still succeed. The driver's default is 30 s.
 */
export const SERVER_SELECTION_TIMEOUT_MS = 5_000;

/**
 * Driver settings of the process's connection. `bufferCommands: false`: mongoose would otherwise
 * queue model calls while disconnected and release them (or time out after 10 s) later, so a
 * request hangs instead of failing; without buffering a call on a closed connection fails at once.
 */
export function connectionOptions(url: string): ConnectOptions {
  // A timeout written in the URL wins, so an operator (or a test) can shorten or lengthen it.
  const timeoutInUrl = /[?&]serverSelectionTimeoutMS=/i.test(url);
  return { bufferCommands: false, ...(timeoutInUrl ? {} : { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS }) };
}

/** Hides the password of a connection string before it goes into a log line or an error. */
export function redactMongoUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]+):[^@/]*@/, '$1:***@');
}

interface HelloReply {
  setName?: string;
  msg?: string;
}

/** `hello` exists from MongoDB 4.4.2 / 5.0; older servers only answer `isMaster`. */
async function hello(connection: Connection): Promise<HelloReply> {
  const db = connection.db;
  if (!db) throw new Error('MongoDB connection has no database handle after connecting');
  try {
    return (await db.admin().command({ hello: 1 })) as HelloReply;
  } catch {
    return (await db.admin().command({ isMaster: 1 })) as HelloReply;
  }
}

/**
 * Opens the process's own MongoDB connection (never mongoose's global default one) and checks
 * that it can run multi-document transactions: the server must be a replica set member (a
 * single-node replica set is enough) or a mongos router. A standalone server is refused at
 * start with a message saying how to fix it, instead of failing on the first transaction.
 */
export async function connectMongo(url: string, logger: Logger): Promise<Connection> {
  const where = redactMongoUrl(url);
  const connection = mongoose.createConnection(url, connectionOptions(url));
  try {
    await connection.asPromise();
  } catch (err) {
    await connection.close().catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`MONGO_URL: cannot connect to MongoDB at ${where}: ${reason}`, { cause: err });
  }
  try {
    const reply = await hello(connection);
    const viaRouter = reply.msg === 'isdbgrid';
    if (!reply.setName && !viaRouter) {
      throw new Error(
        `MONGO_URL: the MongoDB server at ${where} is not a replica set member, and this server needs ` +
          'multi-document transactions. Start mongod with --replSet (a single node is enough) and run ' +
          'rs.initiate() once; docker-compose.yml does both.',
      );
    }
    logger.info({ mongo: where, database: connection.name, replicaSet: reply.setName ?? 'mongos' }, 'connected to MongoDB');
    return connection;
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}
