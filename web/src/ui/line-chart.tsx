import { useUPlot, yAxisSize } from './use-uplot.js';

/** Distinct, colour-blind-friendly strokes (Okabe-Ito), repeated when there are more series. */
const COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#8a7a00', '#000000'];

/**
 * Several series over the same labelled x values (e.g. tokens per day, one line per activity),
 * with uPlot's legend naming each line. Screen readers get the numbers as a table.
 */
export function LineChart(props: { title: string; x: string[]; series: Array<{ label: string; values: number[] }>; width?: number; height?: number }) {
  const box = useUPlot(JSON.stringify([props.x, props.series]), (UPlot, el) => {
    if (props.x.length === 0 || props.series.length === 0) return null;
    const xs = props.x.map((_, i) => i);
    const top = Math.max(0, ...props.series.flatMap((s) => s.values));
    // At most ~8 x labels, so the dates never run into each other; the last day (today) always has one.
    const step = Math.max(1, Math.ceil(props.x.length / 8));
    return new UPlot(
      {
        // As wide as its card (measured when drawn), so nothing is cut off or scrolls.
        width: props.width ?? Math.max(300, el.clientWidth),
        height: props.height ?? 260,
        // Room on the right for half of the last day's label, centred on the edge.
        padding: [12, 24, 0, 0],
        scales: { x: { time: false, range: [0, Math.max(1, xs.length - 1)] } },
        axes: [
          { values: (_u: unknown, ticks: number[]) => ticks.map((t) => props.x[t] ?? ''), splits: () => xs.filter((i) => (xs.length - 1 - i) % step === 0), size: 36 },
          { size: yAxisSize([top.toLocaleString('en')]) },
        ],
        series: [{ label: 'Day', value: (_u: unknown, i: number | null) => (i === null ? '' : (props.x[i] ?? '')) }, ...props.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2 }))],
      },
      [xs, ...props.series.map((s) => s.values)],
      el,
    );
  });
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} className="chart-canvas" aria-hidden="true" data-testid="chart" />
      <table className="visually-hidden">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {props.series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.x.map((d, i) => (
            <tr key={d}>
              <th scope="row">{d}</th>
              {props.series.map((s) => (
                <td key={s.label}>{s.values[i]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {props.series.length === 0 && <p className="muted small">Nothing earned in this span.</p>}
    </figure>
  );
}
