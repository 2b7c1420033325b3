import { describe, expect, it } from 'vitest';
import type { MemberView, TierName } from '../../shared/events.js';
import { prioritizeMembers } from '../../server/rooms/priority.js';
import { currentPreset } from '../../server/economy/config/presets.js';

const member = (id: string, tier?: TierName): MemberView => ({ user: { id, username: id, ...(tier ? { tier } : {}) }, role: 'member', joinedAt: '2026-01-01T00:00:00.000Z' });

describe('prioritizeMembers', () => {
  const config = currentPreset;

  it('puts tiers with priorityInRooms first, highest first, and keeps join order otherwise', () => {
    const list = [member('b1', 'bronze'), member('s1', 'silver'), member('none'), member('p1', 'platinum'), member('s2', 'silver'), member('b2', 'bronze')];
    expect(prioritizeMembers(config, list).map((m) => m.user.id)).toEqual(['p1', 's1', 's2', 'b1', 'none', 'b2']);
  });

  it('follows the config: a tier without the feature gets no priority', () => {
    const off = structuredClone(config);
    off.tiers.benefits.platinum.features.priorityInRooms = false;
    const list = [member('b1', 'bronze'), member('p1', 'platinum'), member('s1', 'silver')];
    expect(prioritizeMembers(off, list).map((m) => m.user.id)).toEqual(['s1', 'b1', 'p1']);
  });
});
