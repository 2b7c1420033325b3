import type { AppConfig } from '../config/env.js';
import type { FileStore } from '../stores/ports.js';

/** What one user may upload now. */
export interface UploadLimit {
  /** Largest single file, in bytes. */
  fileBytesMax: number;
  /** Total storage allowed, in bytes; null when unlimited. */
  quotaBytes: number | null;
  /** Bytes already stored by the user. */
  usedBytes: number;
}

/**
 * The per-user upload limits. Today only UPLOAD_MAX_BYTES applies and there is no quota; the
 * economy narrows both per tier by registering `setTierLimits` (it may only lower the ceiling).
 */
export interface UploadLimits {
  limitFor(userId: string): Promise<UploadLimit>;
  setTierLimits(source: (userId: string) => Promise<{ fileBytesMax: number; quotaBytes: number | null }>): void;
}

export function createUploadLimits(config: Pick<AppConfig, 'uploadMaxBytes'>, files: FileStore): UploadLimits {
  let tierLimits: ((userId: string) => Promise<{ fileBytesMax: number; quotaBytes: number | null }>) | null = null;
  return {
    async limitFor(userId) {
      const [usedBytes, tier] = await Promise.all([files.usedBytes(userId), tierLimits ? tierLimits(userId) : null]);
      return {
        fileBytesMax: Math.min(config.uploadMaxBytes, tier?.fileBytesMax ?? config.uploadMaxBytes),
        quotaBytes: tier?.quotaBytes ?? null,
        usedBytes,
      };
    },
    setTierLimits(source) {
      tierLimits = source;
    },
  };
}
