import { Fragment, useEffect, useMemo, useRef } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { useSession } from '../../app/session.js';
import { FilterNamesDocument } from '../../graphql/generated.js';
import { Cover } from '../../shared/cover.js';
import { count, duration } from '../../shared/format.js';
import { EmptyState, ErrorMessage, Loading } from '../../shared/status.js';
import { useRefreshWhile } from '../../shared/use-refresh-while.js';
import { localDate, localTime, longDate } from '../../shared/zoned-time.js';
import { NowPlayingLine } from '../listenbrainz/now-playing.line.js';
import { filterVariables, readFilters, withFilter } from './history-filters.js';
import { useHistoryFeed, type HistoryEdge } from './use-history-feed.js';

export function HistoryPage() {
  const { me, refresh } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  // A new listener's first poll runs moments after signing in: ask until it has, then show its plays.
  const polled = me.lastSuccessfulPoll !== null;
  useRefreshWhile(!polled, refresh, 3000);
  const feed = useHistoryFeed(filterVariables(filters, me.timeZone), polled ? 'polled' : 'waiting for the first poll');
  const filtered = Object.values(filters).some((value) => value !== null);

  return (
    <section aria-labelledby="history-title">
      <div className="page-head">
        <h1 id="history-title">History</h1>
        {feed.totalCount !== null && (
          <p className="quiet" data-testid="history-count">
            {count(feed.totalCount)} {feed.totalCount === 1 ? 'play' : 'plays'}
            {filtered ? ' match' : ''} · times in {me.timeZone}
          </p>
        )}
      </div>
      <NowPlayingLine />
      <HistoryControls params={params} setParams={setParams} />
      <ActiveFilters params={params} />
      {feed.edges.length === 0 && feed.loading && <Loading what="your plays" />}
      {feed.edges.length === 0 && !feed.loading && !feed.error && (filtered ? <NoMatch /> : <NoPlaysYet />)}
      <PlayList edges={feed.edges} timeZone={me.timeZone} params={params} />
      {feed.error && <ErrorMessage error={feed.error} retry={feed.retry} />}
      <MoreSentinel onVisible={feed.loadMore} active={feed.hasNextPage && !feed.loading && !feed.error} />
      {feed.hasNextPage && !feed.error && (
        <button type="button" className="more" onClick={feed.loadMore} disabled={feed.loading}>
          {feed.loading ? 'Loading…' : 'Show older plays'}
        </button>
      )}
      {!feed.hasNextPage && feed.edges.length > 0 && <p className="quiet end">That is every play{filtered ? ' that matches' : ''}.</p>}
    </section>
  );
}

function PlayList({ edges, timeZone, params }: { edges: HistoryEdge[]; timeZone: string; params: URLSearchParams }) {
  const days = useMemo(() => {
    const grouped: Array<{ date: string; edges: HistoryEdge[] }> = [];
    for (const edge of edges) {
      const date = localDate(edge.node.playedAt, timeZone);
      const last = grouped[grouped.length - 1];
      if (last && last.date === date) last.edges.push(edge);
      else grouped.push({ date, edges: [edge] });
    }
    return grouped;
  }, [edges, timeZone]);
  return (
    <>
      {days.map((day) => (
        <section key={day.date} className="day" aria-label={longDate(day.date)}>
          <h2 className="day-title">{longDate(day.date)}</h2>
          <ol className="plays">
            {day.edges.map(({ node }) => (
              <li key={node.id} className="play" data-testid="play">
                <Cover url={node.track.album?.imageUrl} />
                <div className="play-text">
                  <Link className="track" to={withFilter(params, 'track', node.track.id)} title="Only plays of this track">
                    {node.track.name}
                  </Link>
                  <span className="artists">
                    {node.track.artists.map((artist, index) => (
                      <Fragment key={artist.id}>
                        {index > 0 && ', '}
                        <Link to={withFilter(params, 'artist', artist.id)} title="Only plays of this artist">
                          {artist.name}
                        </Link>
                      </Fragment>
                    ))}
                    {node.track.album && (
                      <>
                        {' · '}
                        <Link className="album" to={withFilter(params, 'album', node.track.album.id)} title="Only plays of this album">
                          {node.track.album.name}
                        </Link>
                      </>
                    )}
                  </span>
                </div>
                <div className="play-meta">
                  <time dateTime={node.playedAt} data-testid="play-time">
                    {localTime(node.playedAt, timeZone)}
                  </time>
                  {node.msPlayed !== null && <span className="quiet">{duration(node.msPlayed)}</span>}
                  {node.source === 'IMPORT' && <span className="tag">imported</span>}
                  {node.source === 'LISTENBRAINZ' && <span className="tag">from a player</span>}
                </div>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </>
  );
}

function HistoryControls({ params, setParams }: { params: URLSearchParams; setParams: (next: URLSearchParams) => void }) {
  const set = (name: 'from' | 'to', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };
  return (
    <form className="controls" aria-label="Filter plays by date" onSubmit={(event) => event.preventDefault()}>
      <label>
        From
        <input type="date" value={params.get('from') ?? ''} onChange={(event) => set('from', event.target.value)} />
      </label>
      <label>
        To (jump to a date)
        <input type="date" value={params.get('to') ?? ''} onChange={(event) => set('to', event.target.value)} />
      </label>
    </form>
  );
}

function ActiveFilters({ params }: { params: URLSearchParams }) {
  const ids = (['track', 'album', 'artist'] as const).flatMap((name) => {
    const id = params.get(name);
    return id ? [{ name, id }] : [];
  });
  const [names] = useQuery({ query: FilterNamesDocument, variables: { ids: ids.map((one) => one.id) }, pause: ids.length === 0 });
  const dates = (['from', 'to'] as const).flatMap((name) => (params.get(name) ? [{ name, value: params.get(name)! }] : []));
  if (ids.length === 0 && dates.length === 0) return null;
  const nameOf = (id: string) => names.data?.nodes.find((node) => node?.id === id);
  return (
    <ul className="chips" aria-label="Active filters">
      {ids.map(({ name, id }) => {
        const node = nameOf(id);
        const label = node && 'name' in node ? node.name : '…';
        return (
          <li key={name}>
            {name}: {label}{' '}
            <Link to={withFilter(params, name, null)} aria-label={`Remove the ${name} filter`}>
              ×
            </Link>
          </li>
        );
      })}
      {dates.map(({ name, value }) => (
        <li key={name}>
          {name}: {value}{' '}
          <Link to={withFilter(params, name, null)} aria-label={`Remove the ${name} date`}>
            ×
          </Link>
        </li>
      ))}
      <li>
        <Link to="?">Clear all</Link>
      </li>
    </ul>
  );
}

/** Loads the next page when the end of the list scrolls into view. */
function MoreSentinel({ onVisible, active }: { onVisible: () => void; active: boolean }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!active || !element.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && onVisible(), { rootMargin: '600px' });
    observer.observe(element.current);
    return () => observer.disconnect();
  }, [active, onVisible]);
  return <div ref={element} aria-hidden="true" />;
}

function NoPlaysYet() {
  return (
    <EmptyState title="No plays yet">
      <p>Playlog reads your recently played tracks from Spotify every few minutes: your first plays appear within a few minutes of signing in.</p>
      <p>
        <Link to="/import">Import your extended streaming history</Link> to see the years before Playlog.
      </p>
    </EmptyState>
  );
}

function NoMatch() {
  return (
    <EmptyState title="No plays match">
      <p>
        Nothing you played matches these filters. <Link to="?">Show every play</Link>.
      </p>
    </EmptyState>
  );
}
