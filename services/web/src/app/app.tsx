import { Suspense, lazy, useCallback, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useClient, useQuery } from 'urql';
import { AccountPage } from '../features/account/account.page.js';
import { askForFirstHistoryPage } from '../features/history/first-history-page.js';
import { HistoryPage } from '../features/history/history.page.js';
import { ImportsPage } from '../features/imports/imports.page.js';
import { SignInPage } from '../features/sign-in/sign-in.page.js';
import { MeDocument } from '../graphql/generated.js';
import { ErrorMessage, Loading } from '../shared/status.js';
import { Layout } from './layout.js';
import { SessionContext } from './session.js';
import { useBrowserZoneOnce } from './use-browser-zone-once.js';

// The chart pages load with their chart library when first opened: the history, the first page, ships without it.
const StatsPage = lazy(() => import('../features/stats/stats.page.js').then((module) => ({ default: module.StatsPage })));
const YearInReviewPage = lazy(() => import('../features/year/year-in-review.page.js').then((module) => ({ default: module.YearInReviewPage })));

/** Routes: the sign-in page for everyone, everything else once the API knows the session. */
export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="*" element={<SignedIn />} />
    </Routes>
  );
}

function SignedIn() {
  const client = useClient();
  const location = useLocation();
  // Opening on the history: its first page is asked for now, beside `me`, not after it.
  useState(() => askForFirstHistoryPage(client, location));
  const [result, reexecute] = useQuery({ query: MeDocument });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const me = result.data?.me;
  const session = useMemo(() => (me ? { me, refresh } : null), [me, refresh]);
  useBrowserZoneOnce(me ?? null);

  if (result.error?.graphQLErrors.some((error) => error.extensions.code === 'UNAUTHENTICATED')) return <Navigate to="/sign-in" replace />;
  if (!session) {
    return (
      <main id="main" className="page narrow">
        {result.error ? <ErrorMessage error={result.error} retry={refresh} /> : <Loading what="your account" />}
      </main>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout>
        <Suspense fallback={<Loading what="the page" />}>
          <Routes>
            <Route path="/" element={<Navigate to="/history" replace />} />
            <Route path="/history" element={<HistoryPage />} />
            <Route path="/stats" element={<StatsPage />} />
            <Route path="/year" element={<YearInReviewPage />} />
            <Route path="/year/:year" element={<YearInReviewPage />} />
            <Route path="/import" element={<ImportsPage />} />
            <Route path="/account" element={<AccountPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </Layout>
    </SessionContext.Provider>
  );
}

function NotFound() {
  return (
    <section className="page">
      <h1>Nothing here</h1>
      <p>
        This page does not exist. Your plays are under <a href="/history">History</a>.
      </p>
    </section>
  );
}
