/**
 * Pure rules of the gift animation: how big a gift looks, and whether it continues a combo.
 */

/** A gift following the previous one within this window continues its combo. */
export const COMBO_WINDOW_MS = 4000;

/** Scale of the animation: 1 for a 1-token gift, growing with the logarithm of the amount, capped. */
export function giftScale(amount: number): number {
  return Math.min(3, 1 + Math.log10(Math.max(1, amount)) * 0.6);
}

/** Size class for the styling: small (<10), medium (<100), large (<1000), huge. */
export function giftSize(amount: number): 'small' | 'medium' | 'large' | 'huge' {
  return amount < 10 ? 'small' : amount < 100 ? 'medium' : amount < 1000 ? 'large' : 'huge';
}

/** The combo count after a gift at `atMs`: +1 within the window of the last one, else 1. */
export function nextCombo(prev: { count: number; lastMs: number } | null, atMs: number): { count: number; lastMs: number } {
  return prev && atMs - prev.lastMs <= COMBO_WINDOW_MS ? { count: prev.count + 1, lastMs: atMs } : { count: 1, lastMs: atMs };
}
