import { readFileSync } from 'node:fs';
import { loadEconomyConfig } from './load.js';
import type { EconomyConfig, EconomyPreset } from './schema.js';

export interface EconomyConfigHolderOptions {
  preset: EconomyPreset;
  /** JSON file of overrides, re-read on every reload; absent = the preset alone. */
  overridesFile?: string | undefined;
  /** Injected for tests; defaults to reading the file as UTF-8. */
  readFile?: (path: string) => string;
}

export type ReloadResult = { ok: true; config: EconomyConfig; version: number } | { ok: false; error: Error; version: number };

/**
 * Holds the active economy config. `current` is one immutable object: readers take it once per
 * operation and see one consistent config even if a reload happens meanwhile. A reload that
 * fails (missing file, bad JSON, invalid value) keeps the old config and reports the error.
 */
export class EconomyConfigHolder {
  private active: EconomyConfig;
  private ver = 1;
  private readonly listeners = new Set<(config: EconomyConfig) => void>();
  private readonly readFile: (path: string) => string;

  /** Loads the initial config; throws (stopping startup) if it is invalid. */
  constructor(private readonly opts: EconomyConfigHolderOptions) {
    this.readFile = opts.readFile ?? ((p) => readFileSync(p, 'utf8'));
    this.active = this.build();
  }

  get current(): EconomyConfig {
    return this.active;
  }

  /** Increments on every successful reload (clients may use it to refetch). */
  get version(): number {
    return this.ver;
  }

  /** Re-reads the overrides file and swaps the config in one assignment, or keeps the old one. */
  reload(): ReloadResult {
    let next: EconomyConfig;
    try {
      next = this.build();
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err : new Error(String(err)), version: this.ver };
    }
    this.active = next;
    this.ver += 1;
    for (const listener of this.listeners) listener(next);
    return { ok: true, config: next, version: this.ver };
  }

  /** Called after each successful reload; returns an unsubscribe function. */
  onChange(listener: (config: EconomyConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private build(): EconomyConfig {
    const file = this.opts.overridesFile;
    if (!file) return loadEconomyConfig({ preset: this.opts.preset });
    let overrides: unknown;
    try {
      overrides = JSON.parse(this.readFile(file));
    } catch (err) {
      throw new Error(`Cannot read economy overrides ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return loadEconomyConfig({ preset: this.opts.preset, overrides });
  }
}
