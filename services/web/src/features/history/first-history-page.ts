import type { Client, OperationResult } from 'urql';
import { HistoryDocument, type HistoryQuery, type HistoryQueryVariables } from '../../graphql/generated.js';
import { filterVariables, readFilters } from './history-filters.js';

/** Plays the history asks for at a time. */
export const HISTORY_PAGE = 50;

type FirstPage = Promise<OperationResult<HistoryQuery, HistoryQueryVariables>>;

let asked: { key: string; page: FirstPage } | null = null;

const keyOf = (variables: HistoryQueryVariables): string => JSON.stringify(variables, Object.keys(variables).sort());

/**
 * Asks for the history's first page beside `me` when the app opens on the history, instead of after it: the
 * page's query does not need the session's answer unless it filters by dates (their instants are the
 * listener's zone's, which `me` brings). useHistoryFeed takes it for its first page when it asks the same.
 */
export function askForFirstHistoryPage(client: Client, location: { pathname: string; search: string }): void {
  if (location.pathname !== '/history' && location.pathname !== '/') return;
  const filters = readFilters(new URLSearchParams(location.search));
  if (filters.from !== null || filters.to !== null) return;
  const variables: HistoryQueryVariables = { ...filterVariables(filters, 'UTC'), first: HISTORY_PAGE, after: null };
  asked = { key: keyOf(variables), page: client.query(HistoryDocument, variables, { requestPolicy: 'network-only' }).toPromise() };
}

/** The first page asked for early, once, if it is the one these variables ask for. */
export function takeFirstHistoryPage(variables: HistoryQueryVariables): FirstPage | null {
  const taken = asked;
  asked = null;
  return taken !== null && taken.key === keyOf(variables) ? taken.page : null;
}
