import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { useSession } from '../../app/session.js';
import { StatsSummaryDocument, StatsTopDocument, type ActivityBucket, type RankOrder, type StatsTopQuery } from '../../graphql/generated.js';
import { count, duration } from '../../shared/format.js';
import { RankingList } from '../../shared/ranking-list.js';
import { EmptyState, ErrorMessage, Loading } from '../../shared/status.js';
import { PRESETS, rangeOf, type PresetId } from './ranges.js';
import { ActivityChart, ClockHeatmap, SummaryCards } from './stats-charts.js';

const BUCKETS: ActivityBucket[] = ['DAY', 'WEEK', 'MONTH', 'YEAR'];

export function StatsPage() {
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const preset = (PRESETS.find((one) => one.id === params.get('range'))?.id ?? '30d') as PresetId;
  const custom = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
  const bucket = (BUCKETS.find((one) => one === params.get('bucket')) ?? PRESETS.find((one) => one.id === preset)!.bucket) as ActivityBucket;
  const [orderBy, setOrderBy] = useState<RankOrder>('PLAYS');
  // The range is fixed when the preset is chosen, not at every render (now moves on).
  const rangeKey = JSON.stringify([preset, me.timeZone, custom.from, custom.to]);
  const range = useMemo(() => {
    const [chosen, zone, from, to] = JSON.parse(rangeKey) as [PresetId, string, string, string];
    return rangeOf(chosen, zone, { from, to });
  }, [rangeKey]);

  const [summary, refetchSummary] = useQuery({ query: StatsSummaryDocument, variables: { range, bucket } });
  const [top, refetchTop] = useQuery({ query: StatsTopDocument, variables: { range, orderBy } });
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) next.delete(name);
      else next.set(name, value);
    }
    setParams(next);
  };

  return (
    <section aria-labelledby="stats-title">
      <div className="page-head">
        <h1 id="stats-title">Statistics</h1>
        <p className="quiet">Days and hours in {me.timeZone}</p>
      </div>
      <div className="controls" role="group" aria-label="Range">
        {PRESETS.map((one) => (
          <button key={one.id} type="button" className="toggle" aria-pressed={one.id === preset} onClick={() => update({ range: one.id, bucket: null })}>
            {one.label}
          </button>
        ))}
      </div>
      {preset === 'custom' && (
        <div className="controls">
          <label>
            From
            <input type="date" value={custom.from} onChange={(event) => update({ from: event.target.value || null })} />
          </label>
          <label>
            To
            <input type="date" value={custom.to} onChange={(event) => update({ to: event.target.value || null })} />
          </label>
        </div>
      )}
      {summary.error && <ErrorMessage error={summary.error} retry={() => refetchSummary({ requestPolicy: 'network-only' })} />}
      {!summary.data && summary.fetching && <Loading what="your statistics" />}
      {summary.data && summary.data.listeningSummary.plays === 0 && (
        <EmptyState title="No plays in this range">
          <p>Nothing was played in this range. Your first plays appear within a few minutes of signing in.</p>
          <p>
            <Link to="/import">Import your extended streaming history</Link> to see the years before Playlog.
          </p>
        </EmptyState>
      )}
      {summary.data && summary.data.listeningSummary.plays > 0 && (
        <>
          <SummaryCards summary={summary.data.listeningSummary} />
          <div className="section-head">
            <h2>Listening activity</h2>
            <label>
              By
              <select value={bucket} onChange={(event) => update({ bucket: event.target.value })}>
                <option value="DAY">day</option>
                <option value="WEEK">week</option>
                <option value="MONTH">month</option>
                <option value="YEAR">year</option>
              </select>
            </label>
          </div>
          <ActivityChart points={summary.data.listeningActivity} bucket={bucket} timeZone={me.timeZone} by={orderBy} />
          <h2>Listening clock</h2>
          <ClockHeatmap cells={summary.data.listeningClock} />
        </>
      )}
      <div className="section-head">
        <h2>Top</h2>
        <label>
          Rank by
          <select value={orderBy} onChange={(event) => setOrderBy(event.target.value as RankOrder)}>
            <option value="PLAYS">plays</option>
            <option value="TIME">listening time</option>
          </select>
        </label>
      </div>
      {top.error && <ErrorMessage error={top.error} retry={() => refetchTop({ requestPolicy: 'network-only' })} />}
      {top.data && <TopLists data={top.data} orderBy={orderBy} />}
    </section>
  );
}

function TopLists({ data, orderBy }: { data: StatsTopQuery; orderBy: RankOrder }) {
  const figure = (item: { plays: number; msPlayed: number }) => (orderBy === 'PLAYS' ? `${count(item.plays)} plays` : duration(item.msPlayed));
  const filterLink = (name: string, id: string, label: string) => <Link to={`/history?${name}=${encodeURIComponent(id)}`}>{label}</Link>;
  return (
    <div className="tops">
      <RankingList
        title="Tracks"
        testId="top-tracks"
        items={data.topTracks.edges.map(({ node }) => ({
          key: node.track.id,
          name: filterLink('track', node.track.id, node.track.name),
          detail: node.track.artists.map((artist) => artist.name).join(', '),
          cover: node.track.album?.imageUrl ?? null,
          figure: figure(node),
        }))}
      />
      <RankingList
        title="Artists"
        testId="top-artists"
        items={data.topArtists.edges.map(({ node }) => ({ key: node.artist.id, name: filterLink('artist', node.artist.id, node.artist.name), figure: figure(node) }))}
      />
      <RankingList
        title="Albums"
        testId="top-albums"
        items={data.topAlbums.edges.map(({ node }) => ({ key: node.album.id, name: filterLink('album', node.album.id, node.album.name), cover: node.album.imageUrl ?? null, figure: figure(node) }))}
      />
    </div>
  );
}
