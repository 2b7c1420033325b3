import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Router } from 'express';
import { id } from '../../shared/schemas.js';
import { authOf, requireAuth } from '../http/auth-middleware.js';
import { parseOrThrow } from '../http/validate.js';
import { AppError } from '../lib/app-error.js';
import type { AppContext } from '../context.js';
import { receiveUpload } from './upload.js';
import { earnKeys } from '../earning/inline.js';
import { awardFromPeers } from '../abuse/peer-awards.js';
import { PEERS_JUDGED_MAX } from '../abuse/peer-eligibility.js';

/** `POST /api/files` (multipart upload) and `GET /api/files/:id` (download). */
export function fileRoutes(api: Router, ctx: AppContext): void {
  const auth = requireAuth(ctx.authenticate);
  const files = ctx.fileService;

  api.post('/files', auth, async (req, res) => {
    const userId = authOf(req).userId;
    const upload = await receiveUpload(req, res, files, userId);
    try {
      res.status(201).json({ file: await files.accept(userId, upload) });
    } finally {
      // After the record: its bytes now count as stored, so the hold may go (server/files/quota-holds.ts).
      await upload.release();
    }
  });

  api.get('/files/:id', auth, async (req, res) => {
    const fileId = parseOrThrow(id, req.params['id'], false);
    const { file, path, distinctViewers } = await files.openForDownload(authOf(req).userId, fileId);
    // The uploader earns once when the file has the threshold of distinct viewers (uploader not counted).
    if (distinctViewers !== null && distinctViewers >= ctx.economy.current.activities.media_shared.viewThreshold) {
      // Only independent viewers count towards the threshold (issue 9: alts cannot feed it).
      const needed = ctx.economy.current.activities.media_shared.viewThreshold;
      await awardFromPeers(
        { awards: ctx.awards, peers: ctx.abuse.peers, ledger: ctx.ledger, clock: ctx.clock, logger: ctx.logger },
        { userId: file.ownerId, activity: 'media_shared', idempotencyKey: earnKeys.mediaShared(file.id), metadata: { fileId: file.id, distinctViewers } },
        { peerIds: () => ctx.stores.files.viewerIds(file.id, PEERS_JUDGED_MAX), needed },
      );
    }
    const stream = createReadStream(path);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new AppError('FILE_NOT_FOUND', 'The file content is missing') : err));
    });
    res.setHeader('Content-Type', file.mime);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', `attachment; filename="${asciiFallback(file.name)}"; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    await pipeline(stream, res);
  });
}

/** The plain `filename=` parameter must be ASCII without quotes; `filename*=` carries the real name. */
function asciiFallback(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}
