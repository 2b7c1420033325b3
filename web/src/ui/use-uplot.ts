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

/**
 * Pixels an axis needs for its tick labels so none is cut off: the longest label at ~7 px a
 * character (12 px system font), turned by `rotateDeg`, plus the tick and gap.
 */
export function axisSize(labels: readonly string[], rotateDeg = 0): number {
  const longest = Math.max(1, ...labels.map((l) => l.length)) * 7;
  const turned = Math.abs(Math.sin((rotateDeg * Math.PI) / 180)) * longest + 16;
  return Math.ceil(Math.max(turned, 16) + 20);
}
