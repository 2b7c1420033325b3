import { useUPlot, xAxisSize, yAxisSize } from './use-uplot.js';

const ROTATE = -35;
const CHAR_PX = 7;
const halfWidth = (label = ''): number => (label.length * CHAR_PX) / 2;
const slantedWidth = (label = ''): number => Math.cos((ROTATE * Math.PI) / 180) * label.length * CHAR_PX + 8;

/**
 * A bar chart of labelled values (uPlot, loaded on first use). The axes are sized from their
 * labels, so long activity names and large numbers are not cut off; with many bars the labels
 * are slanted. The same numbers are given as a table for screen readers.
 */
export function BarChart(props: { title: string; data: Array<{ label: string; value: number }>; width?: number; height?: number }) {
  const crowded = props.data.length > 4;
  const labels = props.data.map((d) => d.label);
  const box = useUPlot(JSON.stringify(props.data), (UPlot, el) => {
    if (props.data.length === 0) return null;
    const xs = props.data.map((_, i) => i);
    const ys = props.data.map((d) => d.value);
    const bars = UPlot.paths.bars?.({ size: [0.6, 60] });
    const xSize = xAxisSize(labels, crowded ? ROTATE : 0);
    const ySize = yAxisSize([Math.max(0, ...ys).toLocaleString('en')]);
    return new UPlot(
      {
        width: props.width ?? Math.max(300, el.clientWidth),
        height: (props.height ?? 220) + Math.max(0, xSize - 40),
        // Slanted labels run from their tick down to the right: room on the right for the last
        // one. Level labels are centred on their tick: room for half of the first and last.
        padding: [12, crowded ? slantedWidth(labels.at(-1)) : halfWidth(labels.at(-1)), 0, crowded ? 0 : Math.max(0, halfWidth(labels[0]) - ySize)],
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] } },
        axes: [
          { values: (_u: unknown, ticks: number[]) => ticks.map((t) => labels[t] ?? ''), splits: () => xs, gap: 4, size: xSize, rotate: crowded ? ROTATE : 0 },
          { size: ySize },
        ],
        series: [{}, { label: props.title, fill: 'rgba(59,130,246,0.55)', stroke: '#2563eb', ...(bars ? { paths: bars } : {}), points: { show: false } }],
      },
      [xs, ys],
      el,
    );
  });
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
