import { Schema, type Connection } from 'mongoose';
import type { IndexBuilds } from './index-builds.js';
import type { FileRecord, FileStore } from '../ports.js';
import { isDuplicateKey, isDuplicateKeyOn } from './errors.js';
import { SCHEMA_OPTIONS, modelOn, readiness } from './model.js';

type FileDoc = Omit<FileRecord, 'id'> & { _id: string };

interface ShareDoc {
  fileId: string;
  roomId: string;
  messageId: string;
  sharedBy: string;
  createdAt: Date;
}

interface ViewerDoc {
  fileId: string;
  userId: string;
  createdAt: Date;
}

const VIEWER_INDEX = 'fileId_userId_unique';

const fileSchema = new Schema<FileDoc>(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true },
    name: { type: String, default: '' },
    size: { type: Number, required: true, min: 0 },
    mime: { type: String, required: true },
    storageKey: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'files' },
);
fileSchema.index({ ownerId: 1 }, { name: 'ownerId' });

const shareSchema = new Schema<ShareDoc>(
  {
    fileId: { type: String, required: true },
    roomId: { type: String, required: true },
    messageId: { type: String, required: true },
    sharedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'file_shares' },
);
shareSchema.index({ fileId: 1, roomId: 1 }, { unique: true, name: 'fileId_roomId_unique' });

const viewerSchema = new Schema<ViewerDoc>(
  {
    fileId: { type: String, required: true },
    userId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'file_viewers' },
);
viewerSchema.index({ fileId: 1, userId: 1 }, { unique: true, name: VIEWER_INDEX });

const fromDoc = (d: FileDoc): FileRecord => ({
  id: d._id,
  ownerId: d.ownerId,
  name: d.name ?? '',
  size: d.size,
  mime: d.mime,
  storageKey: d.storageKey,
  createdAt: d.createdAt,
});

/** File metadata, shares and distinct viewers over MongoDB (the bytes live in blob storage). */
export function createMongoFileStore(connection: Connection, builds: IndexBuilds): FileStore {
  const Files = modelOn(connection, 'File', fileSchema);
  const Shares = modelOn(connection, 'FileShare', shareSchema);
  const Viewers = modelOn(connection, 'FileViewer', viewerSchema);
  const ready = readiness(builds, [Files, Shares, Viewers]);

  return {
    async create(file) {
      await ready();
      const doc: FileDoc = {
        _id: file.id,
        ownerId: file.ownerId,
        name: file.name,
        size: file.size,
        mime: file.mime,
        storageKey: file.storageKey,
        createdAt: file.createdAt,
      };
      await new Files(doc).save();
      return fromDoc(doc);
    },
    async findById(id) {
      const doc = await Files.findById(id).lean<FileDoc | null>();
      return doc ? fromDoc(doc) : null;
    },
    async usedBytes(ownerId) {
      const rows = await Files.aggregate<{ n: number }>([{ $match: { ownerId } }, { $group: { _id: null, n: { $sum: '$size' } } }]);
      return rows[0]?.n ?? 0;
    },
    async countByOwner(ownerId) {
      return Files.countDocuments({ ownerId });
    },
    async addShare(s) {
      await ready();
      try {
        await Shares.updateOne(
          { fileId: s.fileId, roomId: s.roomId },
          { $setOnInsert: { messageId: s.messageId, sharedBy: s.sharedBy, createdAt: s.at } },
          { upsert: true },
        );
      } catch (err) {
        // Two first shares raced on the upsert: the other one stored it, which is all we want.
        if (!isDuplicateKey(err)) throw err;
      }
    },
    async sharedRoomIds(fileId) {
      const docs = await Shares.find({ fileId }, { _id: 0, roomId: 1 }).sort({ roomId: 1 }).lean<{ roomId: string }[]>();
      return docs.map((d) => d.roomId);
    },
    async addViewer(v) {
      await ready();
      let added = true;
      try {
        await new Viewers({ fileId: v.fileId, userId: v.userId, createdAt: v.at }).save();
      } catch (err) {
        if (!isDuplicateKeyOn(err, VIEWER_INDEX)) throw err;
        added = false;
      }
      return { distinctViewers: await Viewers.countDocuments({ fileId: v.fileId }), added };
    },
    async viewerIds(fileId, limit) {
      const docs = await Viewers.find({ fileId }, { _id: 0, userId: 1 }).sort({ createdAt: 1, userId: 1 }).limit(limit).lean<{ userId: string }[]>();
      return docs.map((d) => d.userId);
    },
    async largestSince(ownerId, since) {
      const doc = await Files.findOne({ ownerId, createdAt: { $gte: since } }, { _id: 0, size: 1 }).sort({ size: -1 }).lean<{ size: number } | null>();
      return doc?.size ?? 0;
    },
  };
}
