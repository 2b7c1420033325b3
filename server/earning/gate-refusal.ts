import { AppError } from '../lib/app-error.js';
import type { AwardService, GateRequest } from './award-service.js';

/**
 * The award gate for mints answered as requests rather than award outcomes (room rewards, admin
 * awards, achievement claims; issue 9): throws RECIPIENT_NOT_ELIGIBLE (details.reason) when the
 * gate refuses, SERVICE_UNAVAILABLE when it cannot judge. No gate installed: nothing to refuse.
 */
export async function refuseIneligible(awards: Pick<AwardService, 'gateRefusal'> | undefined, req: GateRequest, at: Date): Promise<void> {
  if (!awards) return;
  const refusal = await awards.gateRefusal(req, at);
  if (refusal === null) return;
  if (refusal === 'CAPS_UNAVAILABLE' || refusal === 'LEDGER_UNAVAILABLE') throw new AppError('SERVICE_UNAVAILABLE', 'Award eligibility cannot be checked right now');
  throw new AppError('RECIPIENT_NOT_ELIGIBLE', undefined, { reason: refusal });
}
