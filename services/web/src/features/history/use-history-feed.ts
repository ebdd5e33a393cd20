import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, type CombinedError } from 'urql';
import { HistoryDocument, type HistoryQuery, type HistoryQueryVariables } from '../../graphql/generated.js';
import { HISTORY_PAGE, takeFirstHistoryPage } from './first-history-page.js';

export type HistoryEdge = HistoryQuery['listeningHistory']['edges'][number];

export interface HistoryFeed {
  edges: HistoryEdge[];
  totalCount: number | null;
  hasNextPage: boolean;
  loading: boolean;
  error: CombinedError | null;
  /** Reads the next page (after the last edge); does nothing while a page is on its way or at the end. */
  loadMore(): void;
  retry(): void;
}

type Filters = Omit<HistoryQueryVariables, 'first' | 'after'>;

/**
 * The listener's plays, newest first, one page of the connection at a time (keyset cursors: plays
 * stored meanwhile never shift a page). New filters, or a new `epoch` (the first poll has stored plays),
 * start a new feed; a page that arrives for an earlier one is dropped.
 */
export function useHistoryFeed(filters: Filters, epoch: string): HistoryFeed {
  const client = useClient();
  const key = JSON.stringify({ filters, epoch });
  const generation = useRef(0);
  const [state, setState] = useState<Omit<HistoryFeed, 'loadMore' | 'retry'> & { endCursor: string | null }>({
    edges: [],
    totalCount: null,
    hasNextPage: false,
    loading: true,
    error: null,
    endCursor: null,
  });

  const load = useCallback(
    async (after: string | null, mine: number) => {
      setState((current) => ({ ...current, loading: true, error: null }));
      const { filters: asked } = JSON.parse(key) as { filters: Filters };
      const variables = { ...asked, first: HISTORY_PAGE, after };
      const ask = () => client.query(HistoryDocument, variables, { requestPolicy: 'network-only' }).toPromise();
      // The first page may be on its way already, asked for beside `me` (first-history-page.ts). Asked before `me`
      // answered, an empty one may predate plays `me` already knows of (the first poll committing meanwhile, which
      // no later refresh would show): then it is asked again.
      const early = after === null ? await takeFirstHistoryPage(variables) : null;
      const result = early && (early.data?.listeningHistory.edges.length ?? 0) > 0 ? early : await ask();
      if (mine !== generation.current) return;
      const connection = result.data?.listeningHistory;
      setState((current) =>
        connection
          ? {
              edges: after === null ? connection.edges : [...current.edges, ...connection.edges],
              totalCount: connection.totalCount,
              hasNextPage: connection.pageInfo.hasNextPage,
              endCursor: connection.pageInfo.endCursor ?? null,
              loading: false,
              error: null,
            }
          : { ...current, loading: false, error: result.error ?? null },
      );
    },
    [client, key],
  );

  useEffect(() => {
    const mine = ++generation.current;
    setState({ edges: [], totalCount: null, hasNextPage: false, loading: true, error: null, endCursor: null });
    void load(null, mine);
  }, [load]);

  const loadMore = useCallback(() => {
    if (state.loading || !state.hasNextPage || state.error) return;
    void load(state.endCursor, generation.current);
  }, [load, state.loading, state.hasNextPage, state.endCursor, state.error]);

  const retry = useCallback(() => void load(state.edges.length === 0 ? null : state.endCursor, generation.current), [load, state.edges.length, state.endCursor]);

  return { ...state, loadMore, retry };
}
