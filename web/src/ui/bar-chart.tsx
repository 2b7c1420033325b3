import { useEffect, useRef } from 'react';

/**
 * A bar chart of labelled values (uPlot, loaded on first use so the chat's first load does not
 * carry it). The same numbers are given as a table for screen readers and as a text fallback.
 */
export function BarChart(props: { title: string; data: Array<{ label: string; value: number }>; width?: number; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const key = JSON.stringify(props.data);
  useEffect(() => {
    let plot: { destroy(): void } | null = null;
    let cancelled = false;
    if (props.data.length === 0) return;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (cancelled || !box.current) return;
      const xs = props.data.map((_, i) => i);
      const ys = props.data.map((d) => d.value);
      const crowded = props.data.length > 4;
      const bars = UPlot.paths.bars?.({ size: [0.6, 60] });
      plot = new UPlot(
        {
          width: props.width ?? 420,
          height: props.height ?? 220,
          legend: { show: false },
          scales: { x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] } },
          axes: [
            // Many categories: slanted labels so neighbours do not overlap.
            { values: (_u: unknown, ticks: number[]) => ticks.map((t) => props.data[t]?.label ?? ''), gap: 4, size: crowded ? 70 : 40, rotate: crowded ? -30 : 0 },
            { size: 50 },
          ],
          series: [{}, { label: props.title, fill: 'rgba(59,130,246,0.55)', stroke: '#2563eb', ...(bars ? { paths: bars } : {}), points: { show: false } }],
        },
        [xs, ys],
        box.current,
      );
    });
    return () => {
      cancelled = true;
      plot?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} className="chart-canvas" aria-hidden="true" data-testid="chart" />
      <table className="visually-hidden">
        <caption>{props.title}</caption>
        <tbody>
          {props.data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{d.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.data.length === 0 && <p className="muted small">Nothing yet.</p>}
    </figure>
  );
}
