import { describe, expect, it } from 'vitest';
import { isDuplicateKey, isDuplicateKeyOn } from '../../server/stores/mongo/errors.js';
import { olderThan } from '../../server/stores/mongo/model.js';

/** The shape the server gives a duplicate-key error (MongoServerError carries `code` and this message). */
const duplicateKeyError = (index: string): Error =>
  Object.assign(new Error(`E11000 duplicate key error collection: chat.users index: ${index} dup key: { usernameLower: "alice" }`), { code: 11000 });

describe('MongoDB store helpers (no server needed)', () => {
  it('tells a duplicate key on one named index from one on another', () => {
    const err = duplicateKeyError('usernameLower_unique');
    expect(isDuplicateKeyOn(err, 'usernameLower_unique')).toBe(true);
    expect(isDuplicateKeyOn(err, 'usernameLower')).toBe(false);
    expect(isDuplicateKeyOn(duplicateKeyError('inviteCode_unique'), 'usernameLower_unique')).toBe(false);
    expect(isDuplicateKeyOn(duplicateKeyError('_id_'), 'usernameLower_unique')).toBe(false);
    expect(isDuplicateKey(duplicateKeyError('_id_'))).toBe(true);
    expect(isDuplicateKey(Object.assign(new Error('WriteConflict'), { code: 112 }))).toBe(false);
    expect(isDuplicateKeyOn(new Error('E11000 index: usernameLower_unique dup key'), 'usernameLower_unique')).toBe(false);
  });

  it('builds the paging filter only when a cursor is given', () => {
    expect(olderThan(undefined)).toEqual({});
    expect(olderThan('01J0')).toEqual({ _id: { $lt: '01J0' } });
  });

});
