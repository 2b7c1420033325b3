import type { SeasonCloseView, SeasonCreateBody, SeasonLeaderboardView, SeasonStandingView, SeasonView, UserSeasonsView } from '../../shared/seasons.js';
import type { AwardService } from '../earning/award-service.js';
import type { BalanceNotifier } from '../earning/balance-notifier.js';
import type { EconomyConfigHolder } from '../economy/config/holder.js';
import { AppError } from '../lib/app-error.js';
import type { Clock } from '../lib/clock.js';
import type { IdGenerator } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { LedgerService } from '../ledger/ledger-service.js';
import type { UserStore } from '../stores/ports.js';
import type { SeasonRecord, SeasonStore, StandingRecord } from './ports.js';
import { seasonRewardDraft } from './reward-entry.js';
import { mayClose, rankEarners, rewardForRank, seasonAchievementsOf, seasonProblems, seasonStatus } from './rules.js';
import type { SeasonEventSource } from './season-events.js';

export interface SeasonServiceDeps {
  store: SeasonStore;
  ledger: Pick<LedgerService, 'post'> & { queries: Pick<LedgerService['queries'], 'topEarnersBetween'> };
  users: Pick<UserStore, 'findManyByIds' | 'findById'>;
  /** The award gate (suspensions, bans) each reward passes. */
  gate: Pick<AwardService, 'gateRefusal'>;
  notifier: Pick<BalanceNotifier, 'posted'>;
  economy: Pick<EconomyConfigHolder, 'current'>;
  events: Pick<SeasonEventSource, 'invalidate'>;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
}

/** Seasons listed by `GET /api/seasons`, newest start first. */
export const SEASONS_PAGE = 50;
/** Ended seasons one sweep closes at most. */
const CLOSE_BATCH = 20;
/** Entry kinds that count as "earned" on a seasonal leaderboard: the earning activities. */
const EARNED_KINDS = ['earn'] as const;

/**
 * Seasons (issue 13, part C; docs/economy.md "Seasons"): admins define them; running ones lend
 * their multiplier to the award path (season-events.ts); the seasonal leaderboard ranks tokens
 * earned inside the window; closing archives the final standings and pays the configured top-N
 * rewards from issuance. Closing is safe to run any number of times on any number of nodes: the
 * archive is decided by one guarded write, and each reward's idempotency key (season + rank)
 * pays it once.
 */
export class SeasonService {
  constructor(private readonly deps: SeasonServiceDeps) {}

  async create(adminId: string, body: SeasonCreateBody): Promise<SeasonView> {
    const now = this.deps.clock.now();
    const problems = seasonProblems(body, now, this.deps.economy.current);
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `${problems[0]!.field}: ${problems[0]!.problem}`, { issues: problems });
    const season = await this.deps.store.create({
      id: this.deps.newId(),
      name: body.name,
      startsAt: new Date(body.startsAt),
      endsAt: new Date(body.endsAt),
      multiplier: body.multiplier ?? null,
      rewards: body.rewards,
      createdBy: adminId,
      createdAt: now,
    });
    this.deps.events.invalidate();
    return this.view(season);
  }

  async list(): Promise<SeasonView[]> {
    const seasons = await this.deps.store.list(SEASONS_PAGE);
    return Promise.all(seasons.map((s) => this.settled(s).then((x) => this.view(x))));
  }

  async get(seasonId: string): Promise<SeasonView> {
    return this.view(await this.settled(await this.find(seasonId)));
  }

  /** Live while the season is open (tokens earned so far), the archive once it is closed. */
  async leaderboard(seasonId: string, limit: number): Promise<SeasonLeaderboardView> {
    const season = await this.settled(await this.find(seasonId));
    if (season.closedAt) {
      const rows = await this.deps.store.standings(season.id, limit);
      return { season: this.view(season), source: 'archived', items: await this.standingViews(season, rows) };
    }
    const rows = await this.liveStandings(season, limit);
    return { season: this.view(season), source: 'live', items: await this.standingViews(season, rows) };
  }

  /** The admin route: closes now, or SEASON_NOT_ENDED before endsAt (+ the settle time). */
  async close(seasonId: string): Promise<SeasonCloseView> {
    const season = await this.find(seasonId);
    if (!mayClose(season, this.deps.clock.now())) throw new AppError('SEASON_NOT_ENDED', undefined, { endsAt: season.endsAt.toISOString() });
    return this.closeNow(season);
  }

  /** The sweeper's call: closes every settled season whose rewards are not paid yet. */
  async closeDue(): Promise<SeasonCloseView[]> {
    const now = this.deps.clock.now();
    const due = await this.deps.store.dueToClose(now, CLOSE_BATCH);
    const out: SeasonCloseView[] = [];
    for (const season of due) if (mayClose(season, now)) out.push(await this.closeNow(season));
    return out;
  }

  /** A user's best season (lowest rank, then most earned) and the seasonal achievements reached. */
  async userSeasons(userId: string): Promise<UserSeasonsView> {
    if (!(await this.deps.users.findById(userId))) throw new AppError('USER_NOT_FOUND');
    const results = await this.deps.store.resultsOf(userId, 100);
    const first = results[0];
    const best = first ? { seasonId: first.seasonId, seasonName: (await this.deps.store.findById(first.seasonId))?.name ?? '', rank: first.rank, earned: first.earned } : null;
    return { userId, best, achievements: seasonAchievementsOf(results, this.deps.economy.current.seasons.achievements) };
  }

  /**
   * Archive (first run only), then pay every archived rank's reward. A reward whose key exists
   * answers duplicate; one the gate refuses is skipped for good (logged); a gate that cannot judge
   * throws, leaving the season unpaid so the next run pays the rest.
   */
  private async closeNow(season: SeasonRecord): Promise<SeasonCloseView> {
    const config = this.deps.economy.current;
    const now = this.deps.clock.now();
    let archivedNow = false;
    if (!season.closedAt) archivedNow = await this.deps.store.archive(season.id, await this.liveStandings(season, config.seasons.archiveSize), now);
    const standings = await this.deps.store.standings(season.id, config.seasons.archiveSize);
    let rewardsPosted = 0;
    let rewardsRefused = 0;
    for (const s of standings) {
      const tokens = rewardForRank(s.rank, season.rewards);
      if (tokens === 0) continue;
      const refusal = await this.deps.gate.gateRefusal({ userId: s.userId, activity: 'season_reward' }, now);
      if (refusal === 'CAPS_UNAVAILABLE' || refusal === 'LEDGER_UNAVAILABLE') throw new AppError('SERVICE_UNAVAILABLE', 'Season rewards cannot be checked right now');
      if (refusal) {
        rewardsRefused++;
        this.deps.logger.warn({ seasonId: season.id, userId: s.userId, rank: s.rank, refusal }, 'season reward refused by the award gate');
        continue;
      }
      const outcome = await this.deps.ledger.post(seasonRewardDraft(season, s.userId, s.rank, tokens));
      if (outcome.status === 'insufficient_funds') throw new AppError('LEDGER_INVARIANT_VIOLATED', undefined, { account: outcome.account });
      if (outcome.status === 'posted') {
        rewardsPosted++;
        this.deps.notifier.posted(outcome);
      }
    }
    await this.deps.store.markPaid(season.id, now);
    const after = (await this.deps.store.findById(season.id)) ?? season;
    return { season: this.view(after), archivedNow, rewardsPosted, rewardsRefused };
  }

  /**
   * Lazy close: a read of a settled, unpaid season closes it first (the sweeper may be off). A
   * close that fails (the gate cannot judge) is logged and the read answers the season as it is;
   * the next read, sweep or admin close finishes it.
   */
  private async settled(season: SeasonRecord): Promise<SeasonRecord> {
    if (season.paidAt || !mayClose(season, this.deps.clock.now())) return season;
    try {
      await this.closeNow(season);
    } catch (err) {
      this.deps.logger.error({ err, seasonId: season.id }, 'lazy season close failed; answering the season unclosed');
      return season;
    }
    return (await this.deps.store.findById(season.id)) ?? season;
  }

  private async find(seasonId: string): Promise<SeasonRecord> {
    const season = await this.deps.store.findById(seasonId);
    if (!season) throw new AppError('SEASON_NOT_FOUND');
    return season;
  }

  /** Tokens earned in the window so far, banned and deleted accounts left out, ranked 1..n. */
  private async liveStandings(season: SeasonRecord, limit: number): Promise<StandingRecord[]> {
    const earners = await this.deps.ledger.queries.topEarnersBetween({ kinds: EARNED_KINDS, since: season.startsAt, until: season.endsAt, limit });
    const users = await this.deps.users.findManyByIds(earners.map((e) => e.userId));
    const eligible = new Set(users.filter((u) => !u.bannedAt).map((u) => u.id));
    return rankEarners(season.id, earners.filter((e) => eligible.has(e.userId)));
  }

  private async standingViews(season: SeasonRecord, rows: readonly StandingRecord[]): Promise<SeasonStandingView[]> {
    const users = new Map((await this.deps.users.findManyByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]));
    return rows.map((r) => ({ rank: r.rank, userId: r.userId, username: users.get(r.userId)?.username ?? '', earned: r.earned, reward: rewardForRank(r.rank, season.rewards) }));
  }

  private view(s: SeasonRecord): SeasonView {
    return {
      id: s.id,
      name: s.name,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      multiplier: s.multiplier,
      rewards: s.rewards,
      status: seasonStatus(s, this.deps.clock.now()),
      createdBy: s.createdBy,
      createdAt: s.createdAt.toISOString(),
      closedAt: s.closedAt ? s.closedAt.toISOString() : null,
    };
  }
}
