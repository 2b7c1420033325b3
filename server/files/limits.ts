import type { AppConfig } from '../config/env.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { FileStore } from '../stores/ports.js';
import { memoryQuotaHolds, type QuotaHolds } from './quota-holds.js';

/** What one user may upload now. */
export interface UploadLimit {
  /** Largest single file, in bytes. */
  fileBytesMax: number;
  /** Total storage allowed, in bytes; null when unlimited. */
  quotaBytes: number | null;
  /** Bytes already stored by the user. */
  usedBytes: number;
}

/** Room for one upload, held against the quota until `release` (after the file record is written). */
export interface UploadAllowance {
  /** Largest size this upload may reach, in bytes. */
  bytesMax: number;
  /** True when the quota, not the per-file size, sets `bytesMax` (a refusal is then STORAGE_QUOTA_EXCEEDED). */
  quotaBinds: boolean;
  fileBytesMax: number;
  release(): Promise<void>;
}

/**
 * The per-user upload limits: UPLOAD_MAX_BYTES, narrowed per tier (size and quota) by the
 * `tierLimits` given at construction (it may only lower the ceiling).
 */
export interface UploadLimits {
  limitFor(userId: string): Promise<UploadLimit>;
  /**
   * Holds room for one upload of at most `requestedBytes` (the request's Content-Length when
   * known) before any byte is read, atomically against the user's other uploads on every node:
   * parallel uploads cannot together pass the quota. Throws STORAGE_QUOTA_EXCEEDED when none is left.
   */
  allow(userId: string, requestedBytes: number | null): Promise<UploadAllowance>;
}

/** A user's tier limits (server/engagement/tier-benefits.ts): they may only lower the configured ceiling. */
export type TierUploadLimits = (userId: string) => Promise<{ fileBytesMax: number; quotaBytes: number | null }>;

export interface UploadLimitDeps {
  clock: Clock;
  newId: IdGenerator;
  /** Where uploads in flight hold their bytes; in process unless given (Redis with several nodes). */
  holds?: QuotaHolds;
  /** The per-tier size and quota. */
  tierLimits: TierUploadLimits;
}

export function createUploadLimits(config: Pick<AppConfig, 'uploadMaxBytes'>, files: FileStore, deps: UploadLimitDeps): UploadLimits {
  const { tierLimits } = deps;
  const holds = deps.holds ?? memoryQuotaHolds();
  const limitFor = async (userId: string): Promise<UploadLimit> => {
    const [usedBytes, tier] = await Promise.all([files.usedBytes(userId), tierLimits(userId)]);
    return {
      fileBytesMax: Math.min(config.uploadMaxBytes, tier?.fileBytesMax ?? config.uploadMaxBytes),
      quotaBytes: tier?.quotaBytes ?? null,
      usedBytes,
    };
  };
  return {
    limitFor,
    async allow(userId, requestedBytes) {
      const before = await limitFor(userId);
      if (before.quotaBytes === null) return { bytesMax: before.fileBytesMax, quotaBinds: false, fileBytesMax: before.fileBytesMax, release: async () => undefined };
      const wanted = Math.min(before.fileBytesMax, requestedBytes ?? Number.POSITIVE_INFINITY, before.quotaBytes - before.usedBytes);
      if (wanted <= 0) throw new AppError('STORAGE_QUOTA_EXCEEDED');
      const holdId = deps.newId();
      const { earlierBytes } = await holds.hold(userId, holdId, wanted, deps.clock.now().getTime());
      const release = () => holds.release(userId, holdId);
      // Read the stored bytes only now that the hold is in (see server/files/quota-holds.ts).
      const now = await limitFor(userId);
      const free = (now.quotaBytes ?? Number.POSITIVE_INFINITY) - now.usedBytes - earlierBytes;
      const bytesMax = Math.min(wanted, free, now.fileBytesMax);
      if (bytesMax <= 0) {
        await release();
        throw new AppError('STORAGE_QUOTA_EXCEEDED');
      }
      return { bytesMax, quotaBinds: bytesMax < now.fileBytesMax, fileBytesMax: now.fileBytesMax, release };
    },
  };
}
