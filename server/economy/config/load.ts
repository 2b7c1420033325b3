import { economyConfigSchema, type EconomyConfig, type EconomyPreset } from './schema.js';
import { PRESETS } from './presets.js';

/** A preset or override that does not validate; the message names every bad path. */
export class EconomyConfigError extends Error {
  override name = 'EconomyConfigError';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export interface LoadEconomyConfigOptions {
  preset?: EconomyPreset;
  /** Nested partial object; objects merge key by key, arrays and scalars replace. */
  overrides?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `override` onto `base` without mutating either. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    // A key the preset lacks is kept so strict validation reports it by path.
    out[key] = key in base ? deepMerge(base[key], value) : structuredClone(value);
  }
  return out;
}

/**
 * The active economy config: a preset (default `current`) with `overrides` deep-merged on top,
 * validated. Throws EconomyConfigError naming each bad path (e.g. `caps.dailyTotalTokens`).
 *
 * @example loadEconomyConfig({ preset: 'recommended', overrides: { caps: { dailyTotalTokens: 800 } } })
 */
export function loadEconomyConfig(opts: LoadEconomyConfigOptions = {}): EconomyConfig {
  const preset = opts.preset ?? 'current';
  if (opts.overrides !== undefined && !isPlainObject(opts.overrides)) {
    throw new EconomyConfigError('Economy overrides must be a JSON object', [{ path: '', message: 'not an object' }]);
  }
  if (isPlainObject(opts.overrides) && 'preset' in opts.overrides && opts.overrides['preset'] !== preset) {
    throw new EconomyConfigError('Economy overrides cannot change the preset', [{ path: 'preset', message: 'choose the preset with ECONOMY_PRESET' }]);
  }
  const merged = opts.overrides === undefined ? PRESETS[preset] : deepMerge(PRESETS[preset], opts.overrides);
  const parsed = economyConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new EconomyConfigError(`Invalid economy config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, issues);
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
