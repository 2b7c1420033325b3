/** A user account that holds tokens. */
export interface FundedAccount {
  userId: string;
  balance: number;
}

/**
 * The decay job's port (issue 15): user accounts with a positive balance, by user id after
 * `after`, at most `limit`. Implemented by the ledger's stores (`stores.ledger.reads.fundedAccounts`,
 * server/stores/ledger-reads.ts) over the ledger's own account rows, so no feature reads them.
 */
export type FundedAccountSource = (after: string, limit: number) => Promise<FundedAccount[]>;
