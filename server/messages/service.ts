import type { AwardOutcome, MessageView } from '../../shared/events.js';
import type { AppConfig } from '../config/env.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import { roomChannel } from '../realtime/channels.js';
import type { AppServer } from '../realtime/types.js';
import { memberRoom } from '../rooms/access.js';
import type { MessageRecord, RecordStores } from '../stores/ports.js';
import type { UserSummaryResolver } from '../users/summaries.js';
import { toMessageViews } from './views.js';

export interface MessageServiceDeps {
  config: Pick<AppConfig, 'messageBodyMaxBytes' | 'historyPageMax'>;
  clock: Clock;
  newId: IdGenerator;
  stores: Pick<RecordStores, 'rooms' | 'messages' | 'files'>;
  io: AppServer;
  summaries: UserSummaryResolver;
}

/** Text messages, history, reactions and helpful votes. */
export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  /**
   * Stores and broadcasts a message from a member. The body is opaque (it may be ciphertext) and
   * limited in UTF-8 bytes. A retry with the same clientMessageId returns the first message and
   * broadcasts nothing; the same clientMessageId with another room or body is IDEMPOTENCY_CONFLICT.
   */
  async send(
    userId: string,
    input: { roomId: string; clientMessageId: string; body: string },
  ): Promise<{ message: MessageView; created: boolean; award: AwardOutcome | null }> {
    if (Buffer.byteLength(input.body, 'utf8') > this.deps.config.messageBodyMaxBytes) {
      throw new AppError('MESSAGE_TOO_LARGE', undefined, { maxBytes: this.deps.config.messageBodyMaxBytes });
    }
    await memberRoom(this.deps.stores.rooms, input.roomId, userId);
    const { message, created } = await this.deps.stores.messages.create({
      id: this.deps.newId(),
      roomId: input.roomId,
      authorId: userId,
      clientMessageId: input.clientMessageId,
      kind: 'text',
      body: input.body,
      fileId: null,
      createdAt: this.deps.clock.now(),
    });
    // A retry is the same message; the same id for another room or body is a client bug that
    // would otherwise drop the new message silently while answering ok.
    if (!created && (message.roomId !== input.roomId || message.body !== input.body || message.kind !== 'text')) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'That clientMessageId was already used for another message');
    }
    const [view] = await this.views([message]);
    if (created) this.deps.io.to(roomChannel(message.roomId)).emit('message:new', view!);
    return { message: view!, created, award: null };
  }

  /** A page of a room's history, newest first; members only. */
  async history(userId: string, roomId: string, opts: { before?: string | undefined; limit?: number | undefined }): Promise<{ messages: MessageView[]; nextCursor: string | null }> {
    await memberRoom(this.deps.stores.rooms, roomId, userId);
    const limit = Math.min(opts.limit ?? this.deps.config.historyPageMax, this.deps.config.historyPageMax);
    const page = await this.deps.stores.messages.listByRoom(roomId, { limit, ...(opts.before ? { before: opts.before } : {}) });
    return { messages: await this.views(page.items), nextCursor: page.nextCursor };
  }

  /** Adds or removes the caller's reaction; the room gets the new counts. */
  async react(
    userId: string,
    input: { messageId: string; emoji: string; on: boolean },
  ): Promise<{ messageId: string; reactions: Record<string, number>; message: MessageRecord; distinctReactors: number }> {
    const message = await this.memberMessage(userId, input.messageId);
    const { counts, distinctReactors } = await this.deps.stores.messages.setReaction({ ...input, userId, at: this.deps.clock.now() });
    this.deps.io.to(roomChannel(message.roomId)).emit('message:reactions', { roomId: message.roomId, messageId: message.id, reactions: counts });
    return { messageId: message.id, reactions: counts, message, distinctReactors };
  }

  /** Marks another member's message helpful, once per voter. */
  async voteHelpful(userId: string, messageId: string): Promise<{ messageId: string; message: MessageRecord; award: AwardOutcome | null }> {
    const message = await this.memberMessage(userId, messageId);
    if (message.authorId === userId) throw new AppError('CANNOT_VOTE_OWN_MESSAGE');
    if (!(await this.deps.stores.messages.addHelpfulVote({ messageId, voterId: userId, at: this.deps.clock.now() }))) {
      throw new AppError('ALREADY_VOTED');
    }
    return { messageId, message, award: null };
  }

  views(messages: readonly MessageRecord[]): Promise<MessageView[]> {
    return toMessageViews(messages, this.deps);
  }

  /**
   * A message the caller may act on. A message in a room the caller cannot see is reported as
   * MESSAGE_NOT_FOUND; in a visible room the caller has not joined, NOT_A_MEMBER.
   */
  private async memberMessage(userId: string, messageId: string): Promise<MessageRecord> {
    const message = await this.deps.stores.messages.findById(messageId);
    if (!message) throw new AppError('MESSAGE_NOT_FOUND');
    try {
      await memberRoom(this.deps.stores.rooms, message.roomId, userId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ROOM_NOT_FOUND') throw new AppError('MESSAGE_NOT_FOUND');
      throw err;
    }
    return message;
  }
}
