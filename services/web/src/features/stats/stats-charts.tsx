import { useMemo } from 'react';
import type { ActivityBucket, StatsSummaryQuery } from '../../graphql/generated.js';
import { Chart } from '../../shared/chart.js';
import { WEEKDAYS, count, duration, plural } from '../../shared/format.js';
import { localDate } from '../../shared/zoned-time.js';

type Activity = StatsSummaryQuery['listeningActivity'];
type Clock = StatsSummaryQuery['listeningClock'];

/** A bucket's start as its people would name it: 5 Dec, week of 30 Nov, Dec 2026, 2026. */
function bucketLabel(start: string, bucket: ActivityBucket, timeZone: string): string {
  const [year, month, day] = localDate(start, timeZone).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', ...options }).format(date);
  switch (bucket) {
    case 'DAY':
      return format({ day: 'numeric', month: 'short' });
    case 'WEEK':
      return `wk ${format({ day: 'numeric', month: 'short' })}`;
    case 'MONTH':
      return format({ month: 'short', year: 'numeric' });
    case 'YEAR':
      return String(year);
  }
}

export function ActivityChart({ points, bucket, timeZone, by }: { points: Activity; bucket: ActivityBucket; timeZone: string; by: 'PLAYS' | 'TIME' }) {
  const option = useMemo(
    () => ({
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: points.map((point) => bucketLabel(point.start, bucket, timeZone)) },
      yAxis: { type: 'value', name: by === 'PLAYS' ? 'plays' : 'hours' },
      series: [
        {
          type: 'bar',
          name: by === 'PLAYS' ? 'Plays' : 'Hours',
          data: points.map((point) => (by === 'PLAYS' ? point.plays : Math.round((point.msPlayed / 3_600_000) * 10) / 10)),
          itemStyle: { color: '#1f9d5c' },
        },
      ],
    }),
    [points, bucket, timeZone, by],
  );
  const total = points.reduce((sum, point) => sum + point.plays, 0);
  return <Chart option={option} label={`Listening activity: ${count(total)} plays over ${points.length} ${bucket.toLowerCase()}s`} testId="activity-chart" />;
}

/** The 7×24 listening clock: plays by local weekday and hour, as a heatmap. */
export function ClockHeatmap({ cells }: { cells: Clock }) {
  const option = useMemo(() => {
    const max = Math.max(1, ...cells.map((cell) => cell.plays));
    return {
      grid: { left: 88, right: 16, top: 8, bottom: 64 },
      tooltip: { position: 'top', formatter: (params: { data: [number, number, number] }) => `${WEEKDAYS[params.data[1]]} ${params.data[0]}:00 — ${params.data[2]} plays` },
      xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, hour) => String(hour)), splitArea: { show: true } },
      yAxis: { type: 'category', data: [...WEEKDAYS], inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#e8f5ee', '#1f9d5c', '#0b4d2c'] } },
      series: [{ type: 'heatmap', name: 'Plays', data: cells.map((cell) => [cell.hour, cell.weekday - 1, cell.plays]) }],
    };
  }, [cells]);
  const busiest = cells.reduce<Clock[number] | null>((best, cell) => (best === null || cell.plays > best.plays ? cell : best), null);
  const label = busiest && busiest.plays > 0 ? `Listening clock: busiest on ${WEEKDAYS[busiest.weekday - 1]} at ${busiest.hour}:00 with ${count(busiest.plays)} plays` : 'Listening clock: no plays';
  return <Chart option={option} label={label} height={300} testId="clock-chart" />;
}

export function SummaryCards({ summary }: { summary: StatsSummaryQuery['listeningSummary'] }) {
  const cards = [
    { label: 'Plays', value: count(summary.plays), id: 'plays' },
    { label: 'Listening time', value: duration(summary.msPlayed), id: 'time' },
    { label: 'Artists', value: count(summary.distinctArtists), id: 'artists' },
    { label: 'Tracks', value: count(summary.distinctTracks), id: 'tracks' },
    { label: 'Albums', value: count(summary.distinctAlbums), id: 'albums' },
    { label: 'Longest streak', value: summary.longestStreak ? plural(summary.longestStreak.days, 'day') : '—', id: 'streak' },
  ];
  return (
    <dl className="cards">
      {cards.map((card) => (
        <div key={card.id} className="card" data-testid={`summary-${card.id}`}>
          <dt>{card.label}</dt>
          <dd>{card.value}</dd>
        </div>
      ))}
    </dl>
  );
}
