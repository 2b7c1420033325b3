import type { AwardOutcome, MessageCatchUp, MessageView } from '../../shared/events.js';
import type { AppConfig } from '../config/env.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { memberRoom } from '../rooms/access.js';
import type { MembershipRecord, MessageRecord, RecordStores } from '../stores/ports.js';
import type { UserSummaryResolver } from '../users/summaries.js';
import { storeNotification } from '../notifications/notifier.js';
import { toMessageViews } from './views.js';
import { mentionedUsernames } from './mentions.js';
import { ADVANCED_EMOJI_TIER, mayReactWith } from './emoji-perk.js';
import type { RoomActivityObserver } from '../goals/goal-service.js';

export interface MessageServiceDeps {
  config: Pick<AppConfig, 'messageBodyMaxBytes' | 'historyPageMax' | 'messageEditWindowSeconds' | 'replyQuoteChars' | 'unreadCountMax' | 'advancedEmojis'>;
  clock: Clock;
  newId: IdGenerator;
  stores: Pick<RecordStores, 'rooms' | 'messages' | 'files' | 'users' | 'notifications'>;
  /** Server->client events and room subscriptions (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  summaries: UserSummaryResolver;
  /** Issue 13 (goals): told of every new message (room goals count it); absent = nobody listens. */
  roomActivity?: RoomActivityObserver;
}

/** Text messages, history, reactions and helpful votes; edits, deletions, replies, read markers, catch-up and search (issue 10). */
export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  /**
   * Stores and broadcasts a message from a member. The body is opaque (it may be ciphertext) and
   * limited in UTF-8 bytes. A retry with the same clientMessageId returns the first message and
   * broadcasts nothing; the same clientMessageId with another room or body is IDEMPOTENCY_CONFLICT.
   */
  async send(
    userId: string,
    input: { roomId: string; clientMessageId: string; body: string; replyTo?: string | undefined },
  ): Promise<{ message: MessageView; created: boolean; award: AwardOutcome | null }> {
    this.checkBodySize(input.body);
    await memberRoom(this.deps.stores.rooms, input.roomId, userId);
    // Only a reply pays for reading its parent: the plain send path keeps its round trips.
    if (input.replyTo) await this.checkReplyTarget(input.roomId, input.replyTo);
    const { message, created } = await this.deps.stores.messages.create({
      id: this.deps.newId(),
      roomId: input.roomId,
      authorId: userId,
      clientMessageId: input.clientMessageId,
      kind: 'text',
      body: input.body,
      fileId: null,
      createdAt: this.deps.clock.now(),
      replyTo: input.replyTo ?? null,
    });
    // A retry is the same message; the same id for another room or body is a client bug that
    // would otherwise drop the new message silently while answering ok.
    // (A message edited or deleted since keeps its identity: its body no longer tells a retry apart.)
    const bodyChanged = !message.editedAt && !message.deletedAt && message.body !== input.body;
    if (!created && (message.roomId !== input.roomId || bodyChanged || message.kind !== 'text')) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'That clientMessageId was already used for another message');
    }
    const [view] = await this.views([message]);
    if (created) {
      this.deps.broadcast.emit({ rooms: [message.roomId] }, 'message:new', view!);
      await this.notifyMentions(message);
      await this.deps.roomActivity?.recorded({ roomId: message.roomId, userId, kind: 'message' });
    }
    return { message: view!, created, award: null };
  }

  /**
   * The author replaces the body of their message within MESSAGE_EDIT_WINDOW_SECONDS of sending;
   * the room gets `message:updated`. Awards already paid for the message stay.
   */
  async edit(userId: string, input: { messageId: string; body: string }): Promise<MessageView> {
    this.checkBodySize(input.body);
    const { message } = await this.memberMessage(userId, input.messageId);
    if (message.authorId !== userId) throw new AppError('NOT_MESSAGE_AUTHOR');
    if (message.deletedAt) throw new AppError('MESSAGE_DELETED');
    const windowSeconds = this.deps.config.messageEditWindowSeconds;
    if (this.deps.clock.now().getTime() - message.createdAt.getTime() > windowSeconds * 1000) {
      throw new AppError('EDIT_WINDOW_CLOSED', undefined, { windowSeconds });
    }
    const edited = await this.deps.stores.messages.edit({ messageId: message.id, body: input.body, at: this.deps.clock.now() });
    // Deleted between the read and the write.
    if (!edited) throw new AppError('MESSAGE_DELETED');
    const [view] = await this.views([edited]);
    this.deps.broadcast.emit({ rooms: [edited.roomId] }, 'message:updated', view!);
    return view!;
  }

  /**
   * Deletes a message: by its author, or by the room's owner or a moderator. The message becomes
   * a tombstone (history keeps its place, without body); the room gets `message:deleted` once.
   * Deleting again answers the first deletion. Awards already paid stay; a deleted message takes
   * no more reactions or helpful votes, so it earns nothing more.
   */
  async delete(userId: string, messageId: string): Promise<{ roomId: string; messageId: string; deletedAt: string }> {
    const { message, membership } = await this.memberMessage(userId, messageId);
    if (message.authorId !== userId && membership.role === 'member') throw new AppError('NOT_MESSAGE_AUTHOR');
    const result = await this.deps.stores.messages.markDeleted({ messageId, at: this.deps.clock.now() });
    if (!result || !result.message.deletedAt) throw new AppError('MESSAGE_NOT_FOUND');
    const event = { roomId: message.roomId, messageId, deletedAt: result.message.deletedAt.toISOString() };
    if (result.changed) this.deps.broadcast.emit({ rooms: [message.roomId] }, 'message:deleted', event);
    return event;
  }

  /**
   * What a member missed after message `after` (a message of this room): the messages after it,
   * oldest first, and the older messages edited or deleted since `after` was sent. Paged by
   * `nextAfter`; each message appears once per answer.
   */
  async catchUp(userId: string, roomId: string, opts: { after: string; limit?: number | undefined }): Promise<MessageCatchUp> {
    await memberRoom(this.deps.stores.rooms, roomId, userId);
    const anchor = await this.deps.stores.messages.findById(opts.after);
    if (!anchor || anchor.roomId !== roomId) throw new AppError('MESSAGE_NOT_FOUND');
    const limit = Math.min(opts.limit ?? this.deps.config.historyPageMax, this.deps.config.historyPageMax);
    const [page, changed] = await Promise.all([
      this.deps.stores.messages.listAfter(roomId, { after: opts.after, limit }),
      this.deps.stores.messages.listChangedSince(roomId, { since: anchor.createdAt, upTo: opts.after, limit: this.deps.config.historyPageMax }),
    ]);
    const [messages, changes] = await Promise.all([this.views(page.items), this.views(changed)]);
    const last = page.items[page.items.length - 1];
    return { messages, changes, nextAfter: page.more && last ? last.id : null };
  }

  /** Full-text search of a room's live messages (members only), newest first, paged by `before`. */
  async search(userId: string, roomId: string, q: string, opts: { before?: string | undefined; limit?: number | undefined }): Promise<{ messages: MessageView[]; nextCursor: string | null }> {
    await memberRoom(this.deps.stores.rooms, roomId, userId);
    const limit = Math.min(opts.limit ?? this.deps.config.historyPageMax, this.deps.config.historyPageMax);
    const page = await this.deps.stores.messages.search(roomId, q, { limit, ...(opts.before ? { before: opts.before } : {}) });
    return { messages: await this.views(page.items), nextCursor: page.nextCursor };
  }

  /** Moves the caller's read marker of a room forward to a message of that room; answers the counts after it. */
  async markRead(userId: string, input: { roomId: string; messageId: string }): Promise<{ roomId: string; messageId: string; unread: number; mentions: number }> {
    await memberRoom(this.deps.stores.rooms, input.roomId, userId);
    const message = await this.deps.stores.messages.findById(input.messageId);
    if (!message || message.roomId !== input.roomId) throw new AppError('MESSAGE_NOT_FOUND');
    const kept = await this.deps.stores.messages.setReadMarker({ roomId: input.roomId, userId, messageId: message.id, at: this.deps.clock.now() });
    const state = (await this.deps.stores.messages.readStates(userId, [input.roomId], this.deps.config.unreadCountMax)).get(input.roomId);
    return { roomId: input.roomId, messageId: kept, unread: state?.unread ?? 0, mentions: state?.mentions ?? 0 };
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
    const { message } = await this.memberMessage(userId, input.messageId);
    if (message.deletedAt) throw new AppError('MESSAGE_DELETED');
    if (input.on) await this.checkEmojiPerk(userId, input.emoji);
    const { counts, distinctReactors } = await this.deps.stores.messages.setReaction({ ...input, userId, at: this.deps.clock.now() });
    this.deps.broadcast.emit({ rooms: [message.roomId] }, 'message:reactions', { roomId: message.roomId, messageId: message.id, reactions: counts });
    return { messageId: message.id, reactions: counts, message, distinctReactors };
  }

  /** Marks another member's message helpful, once per voter. */
  async voteHelpful(userId: string, messageId: string): Promise<{ messageId: string; message: MessageRecord; award: AwardOutcome | null }> {
    const { message } = await this.memberMessage(userId, messageId);
    if (message.deletedAt) throw new AppError('MESSAGE_DELETED');
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
  private async memberMessage(userId: string, messageId: string): Promise<{ message: MessageRecord; membership: MembershipRecord }> {
    const message = await this.deps.stores.messages.findById(messageId);
    if (!message) throw new AppError('MESSAGE_NOT_FOUND');
    try {
      const { membership } = await memberRoom(this.deps.stores.rooms, message.roomId, userId);
      return { message, membership };
    } catch (err) {
      if (err instanceof AppError && err.code === 'ROOM_NOT_FOUND') throw new AppError('MESSAGE_NOT_FOUND');
      throw err;
    }
  }

  private checkBodySize(body: string): void {
    if (Buffer.byteLength(body, 'utf8') > this.deps.config.messageBodyMaxBytes) {
      throw new AppError('MESSAGE_TOO_LARGE', undefined, { maxBytes: this.deps.config.messageBodyMaxBytes });
    }
  }

  private async checkReplyTarget(roomId: string, parentId: string): Promise<void> {
    const parent = await this.deps.stores.messages.findById(parentId);
    if (!parent || parent.roomId !== roomId) throw new AppError('REPLY_TARGET_INVALID');
    if (parent.deletedAt) throw new AppError('MESSAGE_DELETED');
  }

  /** Advanced emojis (ADVANCED_EMOJIS) are a gold perk; the tier comes from the summaries' tier source. */
  private async checkEmojiPerk(userId: string, emoji: string): Promise<void> {
    const advanced = this.deps.config.advancedEmojis;
    if (!advanced.includes(emoji)) return;
    const tier = (await this.deps.summaries.one(userId))?.tier;
    if (!mayReactWith(emoji, tier, advanced)) throw new AppError('EMOJI_TIER_REQUIRED', undefined, { requiredTier: ADVANCED_EMOJI_TIER, tier: tier ?? null });
  }

  /**
   * `@username` of a member (not the author) records a mention (the room's `mentions` count) and
   * stores a 'mention' notification. Bodies without '@' cost nothing; at most
   * MENTIONS_PER_MESSAGE_MAX names are looked up.
   */
  private async notifyMentions(message: MessageRecord): Promise<void> {
    const names = mentionedUsernames(message.body);
    if (names.length === 0) return;
    const { users } = this.deps.stores;
    const found = await Promise.all(names.map((n) => users.findByUsername(n)));
    const candidates = found.flatMap((u) => (u && u.id !== message.authorId ? [u.id] : []));
    const memberships = await Promise.all(candidates.map((id) => this.deps.stores.rooms.getMembership(message.roomId, id)));
    const mentioned = candidates.filter((_, i) => memberships[i] !== null);
    if (mentioned.length === 0) return;
    await this.deps.stores.messages.addMentions({ messageId: message.id, roomId: message.roomId, userIds: mentioned });
    await Promise.all(
      mentioned.map((id) => storeNotification(this.deps, id, 'mention', { roomId: message.roomId, messageId: message.id, by: message.authorId })),
    );
  }
}
