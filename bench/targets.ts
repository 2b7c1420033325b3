import type { BenchResult } from './runner.js';

/** The performance targets, judged against one run. */
export interface TargetVerdict {
  target: string;
  measured: string;
  verdict: 'met' | 'missed' | 'not measured';
}

const economyShareMin = 0.85;
const p99AckMaxMs = 50;
const ledgerBatchRatioMin = 5;
const giftP99MaxMs = 50;
const giftMembersTarget = 200;

const judge = (ok: boolean | null): TargetVerdict['verdict'] => (ok === null ? 'not measured' : ok ? 'met' : 'missed');

export function evaluateTargets(r: BenchResult): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  // The quick run's load is not the default load: its figures show the bench works, not the targets.
  const quick = r.settings.mode === 'quick';
  const quickNote = quick ? ' (quick run: not judged)' : '';

  const ratio = r.comparison.saturationRatio;
  const relay = r.relay.status === 'ok' ? r.relay.value.saturation : null;
  const economy = r.economy.status === 'ok' ? r.economy.value.saturation : null;
  // When neither side found its limit both figures are lower bounds, and so is nothing about their ratio.
  const judgeable = ratio !== null && !quick && (relay?.limitReached === true || economy?.limitReached === true);
  verdicts.push({
    target: `economy-on throughput >= ${economyShareMin * 100}% of plain relay (highest sustained msg/s, same run)`,
    measured:
      ratio === null || !relay || !economy
        ? 'not measured'
        : `${(ratio * 100).toFixed(0)}% (${economy.highestSustainedPerSec} vs ${relay.highestSustainedPerSec} msg/s)${judgeable || quick ? '' : ' (no limit found: lower bounds)'}${quickNote}`,
    verdict: judge(judgeable ? ratio >= economyShareMin : null),
  });

  for (const [label, mode] of [
    ['economy on', r.economy],
    ['relay', r.relay],
  ] as const) {
    const p99 = mode.status === 'ok' ? mode.value.steady.ack.p99Ms : null;
    verdicts.push({
      target: `p99 send->ack <= ${p99AckMaxMs} ms at the default load (${label})`,
      measured: p99 === null ? 'not measured' : `${p99} ms at ${mode.status === 'ok' ? mode.value.steady.offeredPerSec : '?'} msg/s${quickNote}`,
      verdict: judge(p99 === null || quick ? null : p99 <= p99AckMaxMs),
    });
  }

  const ledgerRatios = r.ledger.status === 'ok' ? r.ledger.value.raw.ratios : [];
  if (ledgerRatios.length === 0) verdicts.push({ target: `batched ledger >= ${ledgerBatchRatioMin}x single-entry`, measured: 'not measured', verdict: 'not measured' });
  for (const lr of ledgerRatios) {
    verdicts.push({
      target: `batched ledger >= ${ledgerBatchRatioMin}x single-entry (${lr.backend})`,
      measured: `x${lr.ratio.toFixed(1)}${quickNote}`,
      verdict: judge(quick ? null : lr.ratio >= ledgerBatchRatioMin),
    });
  }

  const gifts = r.gifts.status === 'ok' ? r.gifts.value : null;
  for (const [label, phase] of [
    [`${gifts?.senders ?? '?'} senders at once (the storm)`, gifts],
    ['one gift at a time', gifts?.solo ?? null],
  ] as const) {
    const p99 = phase?.received.p99Ms ?? null;
    verdicts.push({
      target: `gift event p99 <= ${giftP99MaxMs} ms to ${giftMembersTarget} members, ${label}`,
      measured:
        r.gifts.status !== 'ok'
          ? `${r.gifts.status === 'failed' ? 'failed' : 'not available'} (${r.gifts.reason.split('\n')[0]})`
          : `${p99 ?? '-'} ms to ${gifts!.members} members${quickNote}`,
      // A smaller room than the target's (quick runs) cannot meet or miss it.
      verdict: judge(p99 === null || gifts!.members < giftMembersTarget ? null : p99 <= giftP99MaxMs),
    });
  }
  return verdicts;
}

/** The verdicts as a markdown table (for docs/performance.md). */
export function renderTargetsMarkdown(verdicts: TargetVerdict[]): string {
  return ['| target | measured | verdict |', '| --- | --- | --- |', ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.verdict} |`)].join('\n');
}
