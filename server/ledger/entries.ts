import { ADJUSTMENTS, ISSUANCE, SINK, userAccount, type EntryDraft, type EntryKind } from './ports.js';

/**
 * Builders for the common entries. They return drafts without time: the ledger service stamps
 * `createdAt` from its clock and the id from ctx.newId when it posts them.
 */
export type DraftInput = Omit<EntryDraft, 'createdAt'>;

interface Common {
  idempotencyKey: string;
  activity?: string | null;
  roomId?: string | null;
  message?: string | null;
  metadata?: Record<string, unknown>;
  actorId?: string | null;
}

function base(kind: EntryKind, c: Common): Omit<DraftInput, 'legs'> {
  return {
    kind,
    idempotencyKey: c.idempotencyKey,
    activity: c.activity ?? null,
    roomId: c.roomId ?? null,
    message: c.message ?? null,
    metadata: c.metadata ?? {},
    actorId: c.actorId ?? null,
  };
}

function mint(kind: 'earn' | 'grant' | 'award', userId: string, amount: number, c: Common): DraftInput {
  return { ...base(kind, c), legs: [{ account: ISSUANCE, amount: -amount }, { account: userAccount(userId), amount }] };
}

/** An earning award: issuance -> user. `activity` names the earning rule (send_message, ...). */
export function earnEntry(userId: string, amount: number, c: Common & { activity: string }): DraftInput {
  return mint('earn', userId, amount, c);
}

/** A moderator's room reward: issuance -> member, actor is the moderator. */
export function grantEntry(userId: string, amount: number, c: Common & { actorId: string; roomId: string }): DraftInput {
  return mint('grant', userId, amount, { activity: 'room_reward', ...c });
}

/** An admin award: issuance -> user, actor is the admin. */
export function awardEntry(userId: string, amount: number, c: Common & { actorId: string }): DraftInput {
  return mint('award', userId, amount, { activity: 'admin_award', ...c });
}

/** A gift: sender -> recipient, actor is the sender. */
export function giftEntry(fromUserId: string, toUserId: string, amount: number, c: Common): DraftInput {
  return {
    ...base('gift', { activity: 'gift', actorId: fromUserId, ...c }),
    legs: [
      { account: userAccount(fromUserId), amount: -amount },
      { account: userAccount(toUserId), amount },
    ],
  };
}

/** A purchase (or penalty/decay): user -> sink, the tokens leave circulation. */
export function spendEntry(userId: string, amount: number, c: Common & { activity: string }, kind: 'spend' | 'penalty' | 'decay' = 'spend'): DraftInput {
  return { ...base(kind, { actorId: userId, ...c }), legs: [{ account: userAccount(userId), amount: -amount }, { account: SINK, amount }] };
}

/** A refund of a purchase: sink -> user. */
export function refundEntry(userId: string, amount: number, c: Common): DraftInput {
  return { ...base('refund', c), legs: [{ account: SINK, amount: -amount }, { account: userAccount(userId), amount }] };
}

/**
 * An admin's balance correction: adjustments -> user for a positive `delta`, user -> adjustments
 * for a negative one (the user's guard keeps the balance at or above zero). Actor is the admin.
 */
export function adjustmentEntry(userId: string, delta: number, c: Common & { actorId: string }): DraftInput {
  const user = userAccount(userId);
  return {
    ...base('adjustment', { activity: 'admin_adjustment', ...c }),
    legs: [
      { account: ADJUSTMENTS, amount: -delta },
      { account: user, amount: delta },
    ],
  };
}

/**
 * A market sale (issue 13): the buyer pays `price`; the seller gets `price - fee` and the sink the
 * fee (no sink leg when the fee is 0). Actor is the buyer.
 */
export function tradeEntry(buyerId: string, sellerId: string, price: number, fee: number, c: Common): DraftInput {
  const legs: DraftInput['legs'] = [
    { account: userAccount(buyerId), amount: -price },
    { account: userAccount(sellerId), amount: price - fee },
  ];
  if (fee > 0) legs.push({ account: SINK, amount: fee });
  return { ...base('trade', { activity: 'market_sale', actorId: buyerId, ...c }), legs };
}
