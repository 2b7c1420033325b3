import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { penaltyApplyBody } from '../../../../shared/schemas.js';
import type { AuditReport, EarningsOverTime, EconomyAnalytics, PenaltyView } from '../../api/types.js';
import { activityText } from '../../lib/errors.js';
import { newRequestId } from '../../lib/ids.js';
import { useClient } from '../../state/client.js';
import { BarChart } from '../../ui/bar-chart.js';
import { LineChart } from '../../ui/line-chart.js';
import { ErrorLine } from '../../ui/error-line.js';
import { useAction } from '../../ui/use-action.js';

const bars = (r: Record<string, number>): Array<{ label: string; value: number }> => Object.entries(r).map(([k, v]) => ({ label: activityText(k), value: v }));
const pct = (n: number | null): string => (n === null ? '—' : `${n}%`);

/** The operators' dashboard: economy analytics as charts, the ledger audit, penalties, reload. */
export function AdminScreen() {
  const c = useClient();
  const [a, setA] = useState<EconomyAnalytics | null>(null);
  const [audit, setAudit] = useState<AuditReport | null>(null);
  const load = useAction();
  const reload = useAction();

  const refresh = useCallback(() => {
    void load.run(async () => {
      const [an, au] = await Promise.all([c.http.get<EconomyAnalytics>('/api/admin/analytics'), c.http.get<AuditReport>('/api/admin/ledger/audit')]);
      setA(an);
      setAudit(au);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http]);
  useEffect(refresh, [refresh]);

  const doReload = async (): Promise<void> => {
    const r = await reload.run(() => c.http.post<{ version: number }>('/api/admin/economy/reload'));
    if (r) c.toast({ kind: 'info', text: `Economy config reloaded (version ${r.version})` });
  };

  return (
    <section className="admin">
      <div className="row spread">
        <h1>Admin dashboard</h1>
        <button type="button" onClick={refresh} disabled={load.busy}>
          Refresh
        </button>
      </div>
      <ErrorLine error={load.error} />
      {a && (
        <>
          <dl className="stats">
            <div>
              <dt>Total issued</dt>
              <dd>{a.supply.totalIssued.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Burned</dt>
              <dd>{a.supply.totalBurned.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>In circulation</dt>
              <dd>{a.supply.inCirculation.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Inflation 24 h</dt>
              <dd>{pct(a.supply.inflation.last24h.ratePct)}</dd>
            </div>
            <div>
              <dt>Inflation 7 d</dt>
              <dd>{pct(a.supply.inflation.last7d.ratePct)}</dd>
            </div>
            <div>
              <dt>Accounts</dt>
              <dd>{a.users.accounts}</dd>
            </div>
            <div>
              <dt>Gift volume today</dt>
              <dd>{a.activity.giftVolume.today}</dd>
            </div>
            <div>
              <dt>Active earners today</dt>
              <dd>{a.activity.activeEarnersToday}</dd>
            </div>
          </dl>
          <EarningsChart version={a.at} />
          <div className="charts">
            <BarChart title="Tier distribution (users)" data={bars(a.users.tierDistribution.counts)} />
            <BarChart title="Earning by activity (all time)" data={bars(a.activity.earningByActivity)} />
            <BarChart title="Spending by category (all time)" data={bars(a.activity.spendingByCategory)} />
            <BarChart
              title="Supply flows: issued and burned"
              data={[
                { label: 'issued 24 h', value: a.supply.inflation.last24h.issued },
                { label: 'burned 24 h', value: a.supply.inflation.last24h.burned },
                { label: 'issued 7 d', value: a.supply.inflation.last7d.issued },
                { label: 'burned 7 d', value: a.supply.inflation.last7d.burned },
              ]}
            />
          </div>
        </>
      )}
      {audit && (
        <section className="card" aria-labelledby="audit-title">
          <h2 id="audit-title">Ledger audit</h2>
          <p role="status" className={audit.ok ? 'ok' : 'error'}>
            {audit.ok ? '✔ Balanced' : `✘ ${audit.violations.length} violation(s)`} · {audit.entries} entries · {audit.accounts} accounts · minted {audit.minted} · burned {audit.burned}
          </p>
          {audit.violations.length > 0 && (
            <ul>
              {audit.violations.slice(0, 20).map((v, i) => (
                <li key={i}>
                  {v.rule} {v.account ?? v.entryId ?? ''} {v.expected !== undefined ? `expected ${v.expected}, got ${v.actual}` : ''}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <Penalties />
      <section className="card" aria-labelledby="reload-title">
        <h2 id="reload-title">Economy config</h2>
        <p className="muted small">Re-reads ECONOMY_OVERRIDES_FILE on every node; an invalid file leaves the active config unchanged.</p>
        <ErrorLine error={reload.error} />
        <button type="button" onClick={() => void doReload()} disabled={reload.busy}>
          Reload economy config
        </button>
      </section>
    </section>
  );
}

const SPANS = [7, 14, 30, 90] as const;

/**
 * Earning by activity over time: `GET /api/admin/analytics/earnings?days=N` (tokens credited per
 * UTC day and activity), one line per activity; re-read with the dashboard (`version`).
 */
function EarningsChart(props: { version: string }) {
  const c = useClient();
  const [days, setDays] = useState<(typeof SPANS)[number]>(14);
  const [series, setSeries] = useState<EarningsOverTime | null>(null);
  const load = useAction();
  useEffect(() => {
    void load.run(async () => setSeries(await c.http.get<EarningsOverTime>(`/api/admin/analytics/earnings?days=${days}`)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c.http, days, props.version]);
  return (
    <section className="card wide-card" aria-labelledby="earn-time-title">
      <div className="row spread">
        <h2 id="earn-time-title">Earning by activity over time</h2>
        <label className="inline">
          Span{' '}
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof SPANS)[number])}>
            {SPANS.map((d) => (
              <option key={d} value={d}>
                last {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorLine error={load.error} />
      {series && (
        <LineChart
          title={`Tokens earned per day (UTC), last ${series.days.length} days`}
          x={series.days.map((d) => d.slice(5))}
          series={Object.entries(series.byActivity).map(([k, values]) => ({ label: activityText(k), values }))}
        />
      )}
    </section>
  );
}

function Penalties() {
  const c = useClient();
  const [userId, setUserId] = useState('');
  const [reason, setReason] = useState('');
  const [severe, setSevere] = useState(false);
  const [list, setList] = useState<{ standing: { suspendedUntil: string | null; banned: boolean }; penalties: PenaltyView[] } | null>(null);
  const { busy, error, setError, run } = useAction();
  const lookup = async (e?: FormEvent): Promise<void> => {
    e?.preventDefault();
    const r = await run(() => c.http.get<{ standing: { suspendedUntil: string | null; banned: boolean }; penalties: PenaltyView[] }>(`/api/admin/penalties/${encodeURIComponent(userId.trim())}`));
    if (r) setList(r);
  };
  const apply = async (): Promise<void> => {
    const parsed = penaltyApplyBody.safeParse({ userId: userId.trim(), reason, severe, requestId: newRequestId('pen') });
    if (!parsed.success) return setError({ code: 'VALIDATION_FAILED', message: `${String(parsed.error.issues[0]?.path[0] ?? 'Penalty')}: ${parsed.error.issues[0]?.message ?? 'not valid'}` });
    if (await run(() => c.http.post('/api/admin/penalties', parsed.data))) await lookup();
  };
  return (
    <section className="card" aria-labelledby="pen-title">
      <h2 id="pen-title">Penalties</h2>
      <form onSubmit={(e) => void lookup(e)} className="stack">
        <label>
          User id
          <input value={userId} onChange={(e) => setUserId(e.target.value)} required />
        </label>
        <button type="submit" disabled={busy || !userId.trim()}>
          Look up
        </button>
        <label>
          Reason
          <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={severe} onChange={(e) => setSevere(e.target.checked)} /> Severe (skips to the next serious step)
        </label>
        <button type="button" onClick={() => void apply()} disabled={busy || !userId.trim()}>
          Apply next penalty
        </button>
      </form>
      <ErrorLine error={error} />
      {list && (
        <>
          <p>
            Standing: {list.standing.banned ? 'banned' : list.standing.suspendedUntil ? `earning suspended until ${new Date(list.standing.suspendedUntil).toLocaleString()}` : 'good'}
          </p>
          <ul>
            {list.penalties.map((p) => (
              <li key={p.id}>
                #{p.sequence} {p.action.replace(/_/g, ' ')}: {p.reason} <span className="muted small">{new Date(p.createdAt).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
