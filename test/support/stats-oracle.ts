/**
 * The statistics of a set of plays, computed in JavaScript from the counting rules of docs/stats.md and
 * the time zone rules of Intl (ICU's database), independently of Playlog's SQL: what the API's
 * statistics must answer.
 */
export interface OraclePlay {
  playedAt: string;
  trackId: string;
  albumId: string | null;
  artistIds: string[];
  source: 'poll' | 'import';
  /** The play's own time (imports); null for polled plays. */
  msPlayed: number | null;
  durationMs: number;
}

export const counts = (play: OraclePlay): boolean => play.source === 'poll' || (play.msPlayed ?? 0) >= 30_000;
const msOf = (play: OraclePlay): number => play.msPlayed ?? play.durationMs;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
export function localParts(instant: number, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
export const localDate = (instant: number, timeZone: string): string => {
  const p = localParts(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
};

/** A calendar date's neighbours and its bucket's first date, by plain calendar arithmetic (no zone). */
const dateOf = (text: string) => new Date(`${text}T00:00:00Z`);
const textOf = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (text: string, days: number) => textOf(new Date(dateOf(text).getTime() + days * 86_400_000));
export function bucketOf(date: string, bucket: 'day' | 'week' | 'month' | 'year'): string {
  if (bucket === 'day') return date;
  if (bucket === 'month') return `${date.slice(0, 7)}-01`;
  if (bucket === 'year') return `${date.slice(0, 4)}-01-01`;
  const weekday = (dateOf(date).getUTCDay() + 6) % 7; // 0 = Monday
  return addDays(date, -weekday);
}
export function nextBucket(start: string, bucket: 'day' | 'week' | 'month' | 'year'): string {
  if (bucket === 'day') return addDays(start, 1);
  if (bucket === 'week') return addDays(start, 7);
  const date = dateOf(start);
  if (bucket === 'month') date.setUTCMonth(date.getUTCMonth() + 1);
  else date.setUTCFullYear(date.getUTCFullYear() + 1);
  return textOf(date);
}

export function summaryOf(plays: readonly OraclePlay[], timeZone: string) {
  const counted = plays.filter(counts);
  const days = [...new Set(counted.map((play) => localDate(Date.parse(play.playedAt), timeZone)))].sort();
  let best: { days: number; from: string; to: string } | null = null;
  let runStart = 0;
  for (let i = 0; i < days.length; i++) {
    if (i > 0 && addDays(days[i - 1]!, 1) !== days[i]) runStart = i;
    const length = i - runStart + 1;
    // The latest of the longest.
    if (!best || length >= best.days) best = { days: length, from: days[runStart]!, to: days[i]! };
  }
  const instants = counted.map((play) => Date.parse(play.playedAt)).sort((a, b) => a - b);
  return {
    plays: counted.length,
    msPlayed: counted.reduce((sum, play) => sum + msOf(play), 0),
    distinctTracks: new Set(counted.map((play) => play.trackId)).size,
    distinctArtists: new Set(counted.flatMap((play) => play.artistIds)).size,
    distinctAlbums: new Set(counted.flatMap((play) => (play.albumId ? [play.albumId] : []))).size,
    activeDays: days.length,
    firstPlayedAt: instants.length ? new Date(instants[0]!).toISOString() : null,
    lastPlayedAt: instants.length ? new Date(instants.at(-1)!).toISOString() : null,
    longestStreak: best,
  };
}

/** Every bucket from the one holding `first` to the one holding `last` (local dates of their first days), with its counted plays. */
export function activityOf(plays: readonly OraclePlay[], timeZone: string, bucket: 'day' | 'week' | 'month' | 'year', first: number, last: number) {
  const totals = new Map<string, { plays: number; msPlayed: number }>();
  for (const play of plays.filter(counts)) {
    const key = bucketOf(localDate(Date.parse(play.playedAt), timeZone), bucket);
    const total = totals.get(key) ?? { plays: 0, msPlayed: 0 };
    total.plays += 1;
    total.msPlayed += msOf(play);
    totals.set(key, total);
  }
  const points: Array<{ date: string; plays: number; msPlayed: number }> = [];
  const end = bucketOf(localDate(last, timeZone), bucket);
  for (let date = bucketOf(localDate(first, timeZone), bucket); date <= end; date = nextBucket(date, bucket)) {
    points.push({ date, ...(totals.get(date) ?? { plays: 0, msPlayed: 0 }) });
  }
  return points;
}

export function clockOf(plays: readonly OraclePlay[], timeZone: string) {
  const cells = new Map<string, { weekday: number; hour: number; plays: number; msPlayed: number }>();
  for (let weekday = 1; weekday <= 7; weekday++) for (let hour = 0; hour < 24; hour++) cells.set(`${weekday}/${hour}`, { weekday, hour, plays: 0, msPlayed: 0 });
  for (const play of plays.filter(counts)) {
    const parts = localParts(Date.parse(play.playedAt), timeZone);
    const cell = cells.get(`${parts.weekday}/${parts.hour}`)!;
    cell.plays += 1;
    cell.msPlayed += msOf(play);
  }
  return [...cells.values()];
}

/** A ranking of tracks, albums or artists by plays or time, ties to the other measure then the id, with ranks. */
export function rankingOf(plays: readonly OraclePlay[], kind: 'track' | 'album' | 'artist', order: 'plays' | 'time') {
  const items = new Map<string, { id: string; plays: number; msPlayed: number; firstPlayedAt: string; lastPlayedAt: string }>();
  for (const play of plays.filter(counts)) {
    const ids = kind === 'track' ? [play.trackId] : kind === 'album' ? (play.albumId ? [play.albumId] : []) : [...new Set(play.artistIds)];
    for (const id of ids) {
      const item = items.get(id) ?? { id, plays: 0, msPlayed: 0, firstPlayedAt: play.playedAt, lastPlayedAt: play.playedAt };
      item.plays += 1;
      item.msPlayed += msOf(play);
      if (play.playedAt < item.firstPlayedAt) item.firstPlayedAt = play.playedAt;
      if (play.playedAt > item.lastPlayedAt) item.lastPlayedAt = play.playedAt;
      items.set(id, item);
    }
  }
  const measure = (item: { plays: number; msPlayed: number }) => (order === 'plays' ? [item.plays, item.msPlayed] : [item.msPlayed, item.plays]) as [number, number];
  return [...items.values()]
    .sort((a, b) => measure(b)[0] - measure(a)[0] || measure(b)[1] - measure(a)[1] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item, index) => ({ rank: index + 1, ...item }));
}

/**
 * A local calendar year in review, as `yearInReview` selects it with `spotifyId`s for its items: summary, top
 * fives, busiest day and hour (the earliest of the most played), new artists (never counted before the year) and
 * the twelve months (by local date).
 */
export function yearInReviewOf(plays: readonly OraclePlay[], year: number, timeZone: string) {
  const inYear = plays.filter((p) => localDate(Date.parse(p.playedAt), timeZone).startsWith(`${year}-`));
  const before = plays.filter((p) => localDate(Date.parse(p.playedAt), timeZone) < `${year}-`);
  const heardBefore = new Set(rankingOf(before, 'artist', 'plays').map((item) => item.id));
  const top = (kind: 'track' | 'album' | 'artist', list = rankingOf(inYear, kind, 'plays')) => list.slice(0, 5).map((item, index) => ({ rank: index + 1, plays: item.plays, [kind]: { spotifyId: item.id } }));
  const instants = inYear.filter(counts).map((p) => Date.parse(p.playedAt));
  const days = instants.length === 0 ? [] : activityOf(inYear, timeZone, 'day', Math.min(...instants), Math.max(...instants));
  const busiestDay = days.reduce<(typeof days)[number] | null>((best, day) => (day.plays > 0 && (!best || day.plays > best.plays) ? day : best), null);
  const clock = clockOf(inYear, timeZone);
  const busiestHour = clock.reduce<(typeof clock)[number] | null>((best, cell) => (cell.plays > 0 && (!best || cell.plays > best.plays) ? cell : best), null);
  const newArtists = rankingOf(inYear, 'artist', 'plays').filter((item) => !heardBefore.has(item.id));
  return {
    year,
    timeZone,
    summary: summaryOf(inYear, timeZone),
    topTracks: top('track'),
    topArtists: top('artist'),
    topAlbums: top('album'),
    busiestDay: busiestDay && { date: busiestDay.date, plays: busiestDay.plays, msPlayed: busiestDay.msPlayed },
    busiestHour,
    newArtistCount: newArtists.length,
    topNewArtists: top('artist', newArtists),
    months: activityOf(inYear, timeZone, 'month', Date.parse(`${year}-01-15T00:00:00Z`), Date.parse(`${year}-12-15T00:00:00Z`)),
  };
}
