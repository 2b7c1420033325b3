import type { z } from 'zod';
import type { Ack } from '../../shared/ack.js';
import type { ClientEventName, ClientToServerEvents } from '../../shared/events.js';
import { AppError } from '../lib/app-error.js';
import type { Logger } from '../lib/logger.js';
import type { AppSocket } from './types.js';
import { validationError } from '../http/validate.js';

/** The ack payload type of a client->server event. */
export type AckData<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[1] extends (a: Ack<infer T>) => void ? T : never;

export type EventHandler<E extends ClientEventName, S extends z.ZodTypeAny> = (
  socket: AppSocket,
  payload: z.output<S>,
) => Promise<AckData<E>>;

/** A check before an event's handler (see `EventRegistry.guard`). */
export type EventGuard = (socket: AppSocket) => Promise<void>;

interface Registered {
  schema: z.ZodTypeAny;
  handler: (socket: AppSocket, payload: unknown) => Promise<unknown>;
}

/**
 * Where features declare their client->server events. The registry owns the parts every event
 * shares: the payload must be an object and match its schema, the handler's result or typed error
 * goes back in the ack, an unexpected throw is logged and answered INTERNAL (never a crash), and
 * an event without an ack callback is still handled (its result is dropped).
 */
export class EventRegistry {
  private readonly events = new Map<string, Registered>();
  /** Checks run before an event's schema and handler (rate limits); a throw is the ack's error. */
  private readonly guards = new Map<string, EventGuard>();
  /** Checks run before every event's own guard (the session's expiry). */
  private readonly everyEvent: EventGuard[] = [];
  /** Handlers still running, so shutdown can let in-flight writes finish before stores close. */
  private readonly inflight = new Set<Promise<void>>();
  private sequence = 0;
  private refusing = false;

  constructor(private readonly logger: Logger) {}

  on<E extends ClientEventName, S extends z.ZodTypeAny>(event: E, schema: S, handler: EventHandler<E, S>): void {
    if (this.events.has(event)) throw new Error(`event ${event} registered twice`);
    this.events.set(event, { schema, handler: handler as Registered['handler'] });
  }

  /**
   * Adds a check that runs before `event`'s schema and handler, e.g. a rate limit: an AppError it
   * throws is the ack's error and the handler does not run. One guard per event.
   */
  guard(event: ClientEventName, check: EventGuard): void {
    if (this.guards.has(event)) throw new Error(`event ${event} guarded twice`);
    this.guards.set(event, check);
  }

  /** Adds a check that runs before every registered event (after the unknown-event answer). */
  guardAll(check: EventGuard): void {
    this.everyEvent.push(check);
  }

  has(event: string): boolean {
    return this.events.has(event);
  }

  /** Attaches every registered event, and the unknown-event answer, to one socket. */
  attach(socket: AppSocket): void {
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (a: Ack<unknown>) => void) : undefined;
      const payload = ack ? args.slice(0, -1)[0] : args[0];
      const running = this.dispatch(socket, String(event), payload, ack);
      this.inflight.add(running);
      void running.finally(() => this.inflight.delete(running));
    });
  }

  /**
   * Shutdown, first step: events arriving from now on are answered SERVICE_UNAVAILABLE (the
   * client retries elsewhere) while the ones already running finish and are acked.
   */
  refuseNew(): void {
    this.refusing = true;
  }

  /** Resolves when every handler that has started has answered. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async dispatch(socket: AppSocket, event: string, payload: unknown, ack: ((a: Ack<unknown>) => void) | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    // One log line per event, like pino-http's per request; the id ties it to any error line.
    const reqId = `${socket.id}:${++this.sequence}`;
    const reply = (a: Ack<unknown>): void => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.info({ reqId, event, userId: socket.data.auth.userId, ok: a.ok, code: a.ok ? undefined : a.error.code, ms }, 'event');
      ack?.(a);
    };
    if (this.refusing) return reply({ ok: false, error: new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down: retry on a new connection').toBody() });
    const registered = this.events.get(event);
    if (!registered) return reply({ ok: false, error: new AppError('UNKNOWN_EVENT', `No such event: ${event.slice(0, 64)}`).toBody() });
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return reply({ ok: false, error: new AppError('PAYLOAD_NOT_OBJECT').toBody() });
    }
    try {
      // Before the schema: a flood of invalid payloads is limited like a flood of valid ones.
      for (const check of this.everyEvent) await check(socket);
      await this.guards.get(event)?.(socket);
      const parsed = registered.schema.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: validationError(parsed.error).toBody() });
      const data = await registered.handler(socket, parsed.data);
      reply({ ok: true, data });
    } catch (err) {
      if (err instanceof AppError) return reply({ ok: false, error: err.toBody() });
      this.logger.error({ err, reqId, event, userId: socket.data.auth.userId }, 'event handler failed');
      reply({ ok: false, error: new AppError('INTERNAL').toBody() });
    }
  }
}
