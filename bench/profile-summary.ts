import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile>...`: where a server's CPU time went, from the
 * V8 profiles `npm run bench -- --profile` writes. Self time is summed per function and per area
 * (our code by folder, each npm package, node internals, GC, idle), biggest first.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time not idle; the shares below are of this. */
  busyMs: number;
  byArea: Array<{ name: string; ms: number; share: number }>;
  byFunction: Array<{ name: string; ms: number; share: number }>;
}

/** The area a frame belongs to: `server/<folder>`, an npm package, a node internal, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/((?:server|shared|bench)(?:\/[^/]+)*)\/[^/]+$/.exec(url);
  if (ours?.[1]) return ours[1];
  return url;
}

/** A frame's location for humans: the path from the repository's top folder, or the package path. */
function placeOf(url: string): string {
  const m = /(?:node_modules\/|\/)((?:@[^/]+\/)?[^/]+\/[^/]+(?:\/[^/]+)?)$/.exec(url);
  const ours = /\/((?:server|shared|bench)\/.+)$/.exec(url);
  return ours?.[1] ?? m?.[1] ?? url;
}

export function summarizeProfiles(profiles: CpuProfile[], top = 15): ProfileSummary {
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const node = byId.get(id);
      const us = p.timeDeltas[i] ?? 0;
      if (!node || us <= 0) return;
      totalUs += us;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') {
        idleUs += us;
        return;
      }
      const a = areaOf(url, functionName);
      area.set(a, (area.get(a) ?? 0) + us);
      const f = `${functionName || '(anonymous)'} ${url ? `${placeOf(url)}:${lineNumber + 1}` : a}`;
      fn.set(f, (fn.get(f) ?? 0) + us);
    });
  }
  const busyUs = Math.max(totalUs - idleUs, 1);
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Math.round((us / busyUs) * 1000) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), busyMs: Math.round(busyUs / 1000), byArea: rank(area), byFunction: rank(fn) };
}

function main(files: string[]): void {
  if (files.length === 0) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile>...');
  const summary = summarizeProfiles(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile));
  console.log(`sampled: ${summary.totalMs} ms, of which busy (not idle): ${summary.busyMs} ms; shares are of busy time`);
  console.log('\nself time by area:');
  for (const a of summary.byArea) console.log(`  ${a.share.toFixed(1).padStart(5)}%  ${String(a.ms).padStart(6)} ms  ${a.name}`);
  console.log('\nself time by function:');
  for (const f of summary.byFunction) console.log(`  ${f.share.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main(process.argv.slice(2));
