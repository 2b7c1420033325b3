import { describe, expect, it } from 'vitest';
import { mentionedUsernames, MENTIONS_PER_MESSAGE_MAX } from '../../server/messages/mentions.js';
import { mayReactWith } from '../../server/messages/emoji-perk.js';
import { ftsMatchExpression, mongoTextSearch, searchWords, SEARCH_WORDS_MAX } from '../../server/stores/search-terms.js';
import { excerptOf } from '../../server/messages/views.js';

describe('mentions', () => {
  it('finds @username (case-folded, once each), never inside an address or a longer word', () => {
    expect(mentionedUsernames('hi @Alice and @bob_2, @alice again')).toEqual(['alice', 'bob_2']);
    expect(mentionedUsernames('mail me: a@example.com, @ab (too short), (@carol)')).toEqual(['carol']);
    expect(mentionedUsernames('no mention here')).toEqual([]);
    const many = Array.from({ length: 30 }, (_, i) => `@user${i}`).join(' ');
    expect(mentionedUsernames(many)).toHaveLength(MENTIONS_PER_MESSAGE_MAX);
  });
});

describe('advanced emoji perk', () => {
  const advanced = ['🔥', '💎'];
  it('gold and platinum may use the advanced set; everyone may use the rest; an unknown tier may not', () => {
    expect(mayReactWith('🔥', 'gold', advanced)).toBe(true);
    expect(mayReactWith('🔥', 'platinum', advanced)).toBe(true);
    expect(mayReactWith('🔥', 'silver', advanced)).toBe(false);
    expect(mayReactWith('🔥', 'bronze', advanced)).toBe(false);
    expect(mayReactWith('🔥', undefined, advanced)).toBe(false);
    expect(mayReactWith('👍', 'bronze', advanced)).toBe(true);
    expect(mayReactWith('👍', undefined, advanced)).toBe(true);
  });
});

describe('search terms', () => {
  it('keeps words with a letter or digit, deduplicated and bounded', () => {
    expect(searchWords('  hello   world hello !! -- 42 ')).toEqual(['hello', 'world', '42']);
    expect(searchWords(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))).toHaveLength(SEARCH_WORDS_MAX);
  });

  it('quotes every word for FTS5 (inner quotes doubled) and scopes to the room', () => {
    expect(ftsMatchExpression('R1', 'a"b OR c*')).toBe('room_id : "R1" AND body : "a""b" AND body : "OR" AND body : "c*"');
    expect(ftsMatchExpression('R1', '*** ()')).toBeNull();
  });

  it('quotes every word for $text, dropping quotes and backslashes', () => {
    expect(mongoTextSearch('-not "phrase \\x')).toBe('"-not" "phrase" "x"');
    expect(mongoTextSearch('"" \\')).toBeNull();
  });
});

describe('reply excerpts', () => {
  it('cuts at code points with an ellipsis, never inside an emoji', () => {
    expect(excerptOf('short', 10)).toBe('short');
    expect(excerptOf('👋👋👋', 2)).toBe('👋👋…');
  });
});
