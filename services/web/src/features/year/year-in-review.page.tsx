import { useMemo } from 'react';
import { Link, Navigate, useNavigate, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { useSession } from '../../app/session.js';
import { YearInReviewDocument, YearsWithPlaysDocument } from '../../graphql/generated.js';
import { Chart } from '../../shared/chart.js';
import { WEEKDAYS, count, duration, plural } from '../../shared/format.js';
import { RankingList } from '../../shared/ranking-list.js';
import { EmptyState, ErrorMessage, Loading } from '../../shared/status.js';
import { localDate, localYear, shortDate } from '../../shared/zoned-time.js';

/** A year of listening on one page, at an address (/year/2026) that can be bookmarked and shared. */
export function YearInReviewPage() {
  const { me } = useSession();
  const params = useParams();
  const navigate = useNavigate();
  const [years] = useQuery({ query: YearsWithPlaysDocument });
  const span = years.data?.listeningSummary;
  const choices = useMemo(() => {
    if (!span?.firstPlayedAt || !span.lastPlayedAt) return [];
    const first = localYear(span.firstPlayedAt, me.timeZone);
    const last = localYear(span.lastPlayedAt, me.timeZone);
    return Array.from({ length: last - first + 1 }, (_, index) => last - index);
  }, [span, me.timeZone]);

  if (years.error) return <ErrorMessage error={years.error} />;
  if (!years.data) return <Loading what="your years" />;
  if (choices.length === 0) {
    return (
      <EmptyState title="No year to review yet">
        <p>Once Playlog has stored plays, each year you listened gets its own review here.</p>
        <p>
          <Link to="/import">Import your extended streaming history</Link> to review the years before Playlog.
        </p>
      </EmptyState>
    );
  }
  const year = Number(params.year);
  if (!params.year || !Number.isInteger(year)) return <Navigate to={`/year/${choices[0]}`} replace />;
  return (
    <section aria-labelledby="year-title">
      <div className="page-head">
        <h1 id="year-title">{year} in review</h1>
        <label>
          Year
          <select value={year} onChange={(event) => void navigate(`/year/${event.target.value}`)}>
            {(choices.includes(year) ? choices : [year, ...choices]).map((one) => (
              <option key={one} value={one}>
                {one}
              </option>
            ))}
          </select>
        </label>
      </div>
      <YearReview year={year} />
    </section>
  );
}

const plays = (item: { plays: number }) => `${count(item.plays)} plays`;

function YearReview({ year }: { year: number }) {
  const [result, refetch] = useQuery({ query: YearInReviewDocument, variables: { year } });
  const review = result.data?.yearInReview;
  const months = useMemo(
    () =>
      review && {
        xAxis: { type: 'category', data: review.months.map((month) => new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' }).format(new Date(`${localDate(month.start, review.timeZone).slice(0, 7)}-15T00:00:00Z`))) },
        yAxis: { type: 'value', name: 'plays' },
        grid: { left: 48, right: 16, top: 16, bottom: 32 },
        tooltip: { trigger: 'axis' },
        series: [{ type: 'bar', name: 'Plays', data: review.months.map((month) => month.plays), itemStyle: { color: '#1f9d5c' } }],
      },
    [review],
  );
  if (result.error) return <ErrorMessage error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!review) return <Loading what={`${year}`} />;
  if (review.summary.plays === 0) {
    return (
      <EmptyState title={`No plays in ${year}`}>
        <p>Playlog has no plays of yours in {year}.</p>
      </EmptyState>
    );
  }
  const { summary } = review;
  return (
    <>
      <p className="lead" data-testid="year-lead">
        {count(summary.plays)} plays, {duration(summary.msPlayed)} of music, {count(summary.distinctArtists)} artists ({count(review.newArtistCount)} new to you) on {count(summary.activeDays)} days.
      </p>
      <dl className="cards">
        <div className="card">
          <dt>Busiest day</dt>
          <dd>{review.busiestDay ? `${shortDate(review.busiestDay.date)}, ${count(review.busiestDay.plays)} plays` : '—'}</dd>
        </div>
        <div className="card">
          <dt>Busiest hour</dt>
          <dd>{review.busiestHour ? `${WEEKDAYS[review.busiestHour.weekday - 1]}s at ${review.busiestHour.hour}:00` : '—'}</dd>
        </div>
        <div className="card">
          <dt>Longest streak</dt>
          <dd>{summary.longestStreak ? plural(summary.longestStreak.days, 'day') : '—'}</dd>
        </div>
      </dl>
      <h2>Month by month</h2>
      {months && <Chart option={months} label={`Plays per month of ${year}`} testId="months-chart" />}
      <div className="tops">
        <RankingList
          title="Top tracks"
          items={review.topTracks.map((item) => ({ key: item.track.id, name: item.track.name, detail: item.track.artists.map((artist) => artist.name).join(', '), cover: item.track.album?.imageUrl ?? null, figure: plays(item) }))}
        />
        <RankingList title="Top artists" items={review.topArtists.map((item) => ({ key: item.artist.id, name: item.artist.name, figure: plays(item) }))} />
        <RankingList title="Top albums" items={review.topAlbums.map((item) => ({ key: item.album.id, name: item.album.name, cover: item.album.imageUrl ?? null, figure: plays(item) }))} />
        <RankingList title="New artists you played most" items={review.topNewArtists.map((item) => ({ key: item.artist.id, name: item.artist.name, figure: plays(item) }))} />
      </div>
    </>
  );
}
