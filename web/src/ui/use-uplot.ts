import { useEffect, useRef, type RefObject } from 'react';
import type uPlot from 'uplot';

/** The uPlot constructor, as the lazily loaded module gives it. */
export type UPlotCtor = typeof uPlot;

/**
 * Draws a uPlot chart into the returned box whenever `key` (the data, serialized) changes. uPlot
 * and its CSS are imported on first use, so the chat's first load does not carry them; the chart
 * is destroyed on change and unmount.
 */
export function useUPlot(key: string, build: (UPlot: UPlotCtor, box: HTMLDivElement) => uPlot | null): RefObject<HTMLDivElement | null> {
  const box = useRef<HTMLDivElement>(null);
  const buildRef = useRef(build);
  buildRef.current = build;
  useEffect(() => {
    let plot: uPlot | null = null;
    let cancelled = false;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (cancelled || !box.current) return;
      plot = buildRef.current(UPlot, box.current);
    });
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [key]);
  return box;
}

const CHAR_PX = 7; // ~ a character of uPlot's 12 px system font
const TICK_AND_GAP_PX = 24;

/** Pixels a y axis needs so its longest (horizontal) tick label is not cut off. */
export function yAxisSize(labels: readonly string[]): number {
  return Math.max(1, ...labels.map((l) => l.length)) * CHAR_PX + TICK_AND_GAP_PX;
}

/** Pixels an x axis needs for its tick labels turned by `rotateDeg` (0: one line of text). */
export function xAxisSize(labels: readonly string[], rotateDeg = 0): number {
  const longest = Math.max(1, ...labels.map((l) => l.length)) * CHAR_PX;
  return Math.ceil(Math.max(16, Math.abs(Math.sin((rotateDeg * Math.PI) / 180)) * longest + 12) + TICK_AND_GAP_PX);
}
