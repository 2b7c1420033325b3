export * from './schema.js';
export { currentPreset, recommendedPreset, PRESETS } from './presets.js';
export { loadEconomyConfig, deepMerge, EconomyConfigError, type LoadEconomyConfigOptions } from './load.js';
export { EconomyConfigHolder, type EconomyConfigHolderOptions, type ReloadResult } from './holder.js';
