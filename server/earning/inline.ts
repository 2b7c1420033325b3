import type { AwardOutcome } from '../../shared/events.js';
import type { ActivityId } from '../economy/config/schema.js';
import type { Logger } from '../lib/logger.js';
import { idempotencyKeys } from '../ledger/rules.js';
import type { AwardRequest, AwardService } from './award-service.js';

/**
 * The idempotency key of each inline award (docs/ledger.md): derived from the event, so one event
 * pays once however often it is retried and whichever node handles it.
 */
export const earnKeys = {
  registration: (userId: string) => idempotencyKeys.earn('registration', userId),
  createRoom: (roomId: string) => idempotencyKeys.earn('create_room', roomId),
  /** Per user and room, forever: leaving and re-joining earns nothing. */
  joinRoom: (userId: string, roomId: string) => idempotencyKeys.joinRoom(userId, roomId),
  sendMessage: (messageId: string) => idempotencyKeys.sendMessage(messageId),
  shareFile: (messageId: string) => idempotencyKeys.earn('share_file', messageId),
  popularMessage: (messageId: string) => idempotencyKeys.earn('popular_message', messageId),
  /** Once per voter: the author earns again for each distinct member who votes. */
  helpfulContent: (messageId: string, voterId: string) => idempotencyKeys.earn('helpful_content', messageId, voterId),
  mediaShared: (fileId: string) => idempotencyKeys.earn('media_shared', fileId),
  roomModerator: (userId: string, roomId: string) => idempotencyKeys.earn('room_moderator', userId, roomId),
};

/** The outcome of a repeat of an activity that was already handled (a retried send, a re-join). */
export function alreadyRewarded(activity: ActivityId): AwardOutcome {
  return { activity, granted: 0, reason: 'ALREADY_REWARDED' };
}

/**
 * The join_room award of a `room:join` (issue 4: only the first join of a given room ever pays).
 * Joining a room one is already in is no join: NOT_ELIGIBLE. A membership created by a leave and
 * re-join is not the first join (RoomStore.recordFirstJoin remembers it forever, even when the
 * first join's award was refused by a cap): ALREADY_REWARDED without asking anyone. A first join
 * goes through the pipeline, whose ledger key (per user and room) still guards.
 */
export async function awardRoomJoin(
  awards: AwardService,
  logger: Logger,
  join: { userId: string; roomId: string; joined: boolean; firstJoin: boolean },
): Promise<AwardOutcome | null> {
  if (!join.joined) return { activity: 'join_room', granted: 0, reason: 'NOT_ELIGIBLE' };
  if (!join.firstJoin) return alreadyRewarded('join_room');
  return awardAfter(awards, logger, { userId: join.userId, activity: 'join_room', idempotencyKey: earnKeys.joinRoom(join.userId, join.roomId), roomId: join.roomId });
}

/**
 * Runs an inline award after the chat action has succeeded. `grant` answers every expected case
 * with a reason; only a programming error throws, and that must not turn a stored message into a
 * failed ack: it is logged and the ack carries `award: null`.
 */
export async function awardAfter(awards: AwardService, logger: Logger, req: AwardRequest): Promise<AwardOutcome | null> {
  try {
    return await awards.grant(req);
  } catch (err) {
    logger.error({ err, activity: req.activity, userId: req.userId }, 'inline award failed');
    return null;
  }
}
