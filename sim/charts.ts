import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import { TIER_IDS } from '../server/economy/config/schema.js';
import { PERSONAS } from './personas.js';
import type { SimReport } from './simulate.js';

/** One chart of a report: its file name (in the report's charts folder), title and SVG text. */
export interface Chart {
  file: string;
  title: string;
  svg: string;
}

const WIDTH = 520;
const HEIGHT = 260;
const week = { field: 'week', type: 'ordinal', title: 'week' } as const;

/** Renders a Vega-Lite spec to SVG headless in Node (no canvas, no browser). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function earningsSpec(r: SimReport): TopLevelSpec {
  const values = r.figures.flatMap((f) => PERSONAS.filter((p) => f.earnings[p].users > 0).map((p) => ({ week: f.week, persona: p, tokens: f.earnings[p].median })));
  const bands = [
    { persona: 'average', lo: 200, hi: 300 },
    { persona: 'power', lo: 500, hi: 1000 },
  ];
  return {
    title: `Tokens earned per week, median per persona (${r.preset}; bands: seed targets)`,
    width: WIDTH,
    height: HEIGHT,
    // The legend takes its symbols from the band layer too: keep them opaque.
    config: { legend: { symbolOpacity: 1 } },
    layer: [
      { data: { values: bands }, mark: { type: 'rect', opacity: 0.12 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'persona', type: 'nominal' } } },
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: { x: week, y: { field: 'tokens', type: 'quantitative', title: 'tokens earned in the week (median)' }, color: { field: 'persona', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

function supplySpec(r: SimReport): TopLevelSpec {
  const values = r.figures.flatMap((f) => [
    { week: f.week, series: 'minted', tokens: f.minted },
    { week: f.week, series: 'burned', tokens: f.burned },
    { week: f.week, series: 'circulating', tokens: f.circulating },
  ]);
  return {
    title: `Supply: minted, burned, circulating (cumulative, ${r.preset})`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: { x: week, y: { field: 'tokens', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } },
  };
}

function inflationSpec(r: SimReport): TopLevelSpec {
  const values = r.figures.filter((f) => f.inflationRatePct !== null).map((f) => ({ week: f.week, rate: f.inflationRatePct }));
  return {
    title: `Weekly inflation rate: minted in the week / supply at its start (${r.preset})`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: 'bar',
    encoding: { x: week, y: { field: 'rate', type: 'quantitative', title: '%' } },
  };
}

function tiersSpec(r: SimReport): TopLevelSpec {
  const values = r.figures.flatMap((f) => TIER_IDS.map((t, i) => ({ week: f.week, tier: t, order: i, users: f.tiers[t] })));
  return {
    title: `Tier distribution at the end of each week (${r.preset}, tier basis: ${r.tierBasis})`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: 'bar',
    encoding: {
      x: week,
      y: { field: 'users', type: 'quantitative', stack: 'zero' },
      color: { field: 'tier', type: 'nominal', sort: [...TIER_IDS], scale: { domain: [...TIER_IDS], range: ['#b08d57', '#a8a9ad', '#d4af37', '#6fa8dc'] } },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

function medianSpec(r: SimReport): TopLevelSpec {
  return {
    title: `Median user balance at the end of each week (${r.preset})`,
    width: WIDTH,
    height: HEIGHT,
    data: { values: r.figures.map((f) => ({ week: f.week, balance: f.medianBalance })) },
    mark: { type: 'line', point: true },
    encoding: { x: week, y: { field: 'balance', type: 'quantitative', title: 'tokens' } },
  };
}

/** Every chart of a report, rendered. */
export async function renderCharts(r: SimReport): Promise<Chart[]> {
  const specs: Array<[string, string, TopLevelSpec]> = [
    ['earnings.svg', 'Weekly earnings per persona', earningsSpec(r)],
    ['supply.svg', 'Minted, burned, circulating', supplySpec(r)],
    ['inflation.svg', 'Weekly inflation rate', inflationSpec(r)],
    ['tiers.svg', 'Tier distribution', tiersSpec(r)],
    ['median-balance.svg', 'Median balance', medianSpec(r)],
  ];
  return Promise.all(specs.map(async ([file, title, spec]) => ({ file, title, svg: await renderSvg(spec) })));
}
