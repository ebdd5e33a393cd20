import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { SearchDocument, type SearchQuery } from '../../graphql/generated.js';

export type SearchResult = SearchQuery['search']['edges'][number]['node'];

/** How long typing must pause before the API is asked: one request per word typed, not per key. */
const PAUSE_MS = 150;
/** Results shown under the box. */
export const SEARCH_RESULTS = 8;

export interface SearchState {
  results: SearchResult[];
  /** The query the results are for (what the listener typed, trimmed). */
  answered: string;
  loading: boolean;
  failed: boolean;
}

/** The listener's search results for `text`, asked once typing pauses; an answer to an older text is dropped. */
export function useSearch(text: string): SearchState {
  const client = useClient();
  const asked = useRef(0);
  const [state, setState] = useState<SearchState>({ results: [], answered: '', loading: false, failed: false });
  const query = text.trim();
  useEffect(() => {
    const generation = ++asked.current;
    if (query === '') {
      setState({ results: [], answered: '', loading: false, failed: false });
      return;
    }
    setState((before) => ({ ...before, loading: true }));
    const timer = setTimeout(() => {
      void client
        .query(SearchDocument, { query, first: SEARCH_RESULTS }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (generation !== asked.current) return;
          setState({ results: result.data?.search.edges.map((edge) => edge.node) ?? [], answered: query, loading: false, failed: result.error !== undefined });
        });
    }, PAUSE_MS);
    return () => clearTimeout(timer);
  }, [client, query]);
  return state;
}
