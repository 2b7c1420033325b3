import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwardOutcome, FileView, MessageView } from '../../shared/events.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { memberRoom } from '../rooms/access.js';
import type { FileRecord, RecordStores } from '../stores/ports.js';
import type { UserSummaryResolver } from '../users/summaries.js';
import { toFileView, toMessageViews } from '../messages/views.js';
import type { UploadLimits } from './limits.js';
import { sniffMime } from './sniff.js';
import type { RoomActivityObserver } from '../goals/goal-service.js';

export interface FileServiceDeps {
  dataDir: string;
  clock: Clock;
  newId: IdGenerator;
  stores: Pick<RecordStores, 'rooms' | 'messages' | 'files'>;
  /** Server->client events and room subscriptions (server/realtime/broadcaster.ts). */
  broadcast: Broadcaster;
  summaries: UserSummaryResolver;
  limits: UploadLimits;
  /** Issue 13 (goals): told of every new share (room goals count it); absent = nobody listens. */
  roomActivity?: RoomActivityObserver;
}

/** An upload already streamed to disk by the transport, not yet accepted. */
export interface ReceivedUpload {
  storageKey: string;
  originalName: string;
  size: number;
}

/**
 * Uploaded files: bytes on local disk under `${dataDir}/files/<storageKey>`, metadata in the
 * FileStore. Sharing posts a 'file' message into a room; downloading is for the uploader and
 * for members of a room the file was shared into.
 */
export class FileService {
  readonly dir: string;

  constructor(private readonly deps: FileServiceDeps) {
    this.dir = join(deps.dataDir, 'files');
    mkdirSync(this.dir, { recursive: true });
  }

  get limits(): UploadLimits {
    return this.deps.limits;
  }

  newStorageKey(): string {
    return this.deps.newId();
  }

  pathOf(storageKey: string): string {
    return join(this.dir, storageKey);
  }

  /** Removes bytes that will not be kept (a refused or failed upload). */
  async discard(storageKey: string): Promise<void> {
    await rm(this.pathOf(storageKey), { force: true });
  }

  /**
   * Sniffs the type of a received upload and records it. On any failure the bytes are removed,
   * so a refused upload leaves neither a file nor a record.
   */
  async accept(userId: string, upload: ReceivedUpload): Promise<FileView> {
    try {
      const file: FileRecord = {
        id: this.deps.newId(),
        ownerId: userId,
        name: upload.originalName,
        size: upload.size,
        mime: await sniffMime(this.pathOf(upload.storageKey)),
        storageKey: upload.storageKey,
        createdAt: this.deps.clock.now(),
      };
      return toFileView(await this.deps.stores.files.create(file));
    } catch (err) {
      await this.discard(upload.storageKey);
      throw err;
    }
  }

  /**
   * Posts the caller's own file into a room they are a member of, as a 'file' message. A repeat
   * share of the same file into the same room (or a retry with the same clientMessageId) returns
   * the first message and announces nothing.
   */
  async share(
    userId: string,
    input: { roomId: string; fileId: string; caption?: string | undefined; clientMessageId?: string | undefined },
  ): Promise<{ message: MessageView; file: FileView; created: boolean; award: AwardOutcome | null }> {
    const file = await this.deps.stores.files.findById(input.fileId);
    if (!file) throw new AppError('FILE_NOT_FOUND');
    if (file.ownerId !== userId) throw new AppError('FORBIDDEN', 'Only the uploader may share this file');
    await memberRoom(this.deps.stores.rooms, input.roomId, userId);
    const at = this.deps.clock.now();
    const { message, created } = await this.deps.stores.messages.create({
      id: this.deps.newId(),
      roomId: input.roomId,
      authorId: userId,
      clientMessageId: input.clientMessageId ?? `file-share:${file.id}:${input.roomId}`,
      kind: 'file',
      body: input.caption ?? '',
      fileId: file.id,
      createdAt: at,
    });
    if (!created && message.fileId !== file.id) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'That clientMessageId was already used for another message');
    }
    // The share row is idempotent per (file, room), so a retry after a crash between the two writes repairs it.
    await this.deps.stores.files.addShare({ fileId: file.id, roomId: message.roomId, messageId: message.id, sharedBy: userId, at });
    const [view] = await toMessageViews([message], this.deps, { files: new Map([[file.id, file]]) });
    const fileView = toFileView(file);
    if (created) this.deps.broadcast.emit({ rooms: [message.roomId] }, 'file:shared', { roomId: message.roomId, message: view!, file: fileView });
    if (created) await this.deps.roomActivity?.recorded({ roomId: message.roomId, userId, kind: 'file' });
    return { message: view!, file: fileView, created, award: null };
  }

  /**
   * The file and where its bytes are, for the uploader or a member of a room it was shared into
   * (anyone else: FILE_NOT_FOUND). Counts the caller as a viewer unless they uploaded it.
   */
  async openForDownload(userId: string, fileId: string): Promise<{ file: FileRecord; path: string; distinctViewers: number | null }> {
    const file = await this.deps.stores.files.findById(fileId);
    if (!file) throw new AppError('FILE_NOT_FOUND');
    if (file.ownerId !== userId && !(await this.isMemberOfASharedRoom(userId, file.id))) throw new AppError('FILE_NOT_FOUND');
    const viewers = file.ownerId === userId ? null : await this.deps.stores.files.addViewer({ fileId: file.id, userId, at: this.deps.clock.now() });
    return { file, path: this.pathOf(file.storageKey), distinctViewers: viewers?.distinctViewers ?? null };
  }

  private async isMemberOfASharedRoom(userId: string, fileId: string): Promise<boolean> {
    const roomIds = await this.deps.stores.files.sharedRoomIds(fileId);
    const memberships = await Promise.all(roomIds.map((roomId) => this.deps.stores.rooms.getMembership(roomId, userId)));
    return memberships.some((m) => m !== null);
  }
}
