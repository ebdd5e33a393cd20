import type { Redis } from 'ioredis';
import type { ValidListen } from './listen-payload.js';
import { clientOf } from './listen-identity.js';

/** What a listener's player says is playing now, until the track would have ended. */
export interface NowPlaying {
  trackName: string;
  artistName: string;
  releaseName: string | null;
  client: string | null;
  additionalInfo: Record<string, unknown>;
  startedAt: string;
  endsAt: string;
}

export interface NowPlayingOptions {
  /** QUEUE_PREFIX: the keys live beside the queues'. */
  prefix: string;
  /** How long a track without a duration stays "playing now", in seconds. */
  defaultSeconds: number;
  /** The longest a track with a duration stays "playing now", in seconds (a day-long mix is not shown for a day). */
  maxSeconds: number;
}

/**
 * The playing-now state of each listener, in Redis with a time to live: the track's duration, a bounded
 * default without one (ListenBrainz keeps it the same way). One key per listener: a new track replaces the last.
 */
export class NowPlayingStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: NowPlayingOptions,
  ) {}

  private key(userId: string): string {
    return `${this.options.prefix}:listenbrainz:playing-now:${userId}`;
  }

  async set(userId: string, listen: ValidListen, now = new Date()): Promise<NowPlaying> {
    const seconds = listen.durationMs === null ? this.options.defaultSeconds : Math.min(this.options.maxSeconds, Math.max(1, Math.ceil(listen.durationMs / 1000)));
    const playing: NowPlaying = {
      trackName: listen.trackName,
      artistName: listen.artistName,
      releaseName: listen.releaseName,
      client: clientOf(listen.additionalInfo),
      additionalInfo: listen.additionalInfo,
      startedAt: now.toISOString(),
      endsAt: new Date(now.getTime() + seconds * 1000).toISOString(),
    };
    await this.redis.set(this.key(userId), JSON.stringify(playing), 'EX', seconds);
    return playing;
  }

  async get(userId: string): Promise<NowPlaying | null> {
    const stored = await this.redis.get(this.key(userId));
    return stored === null ? null : (JSON.parse(stored) as NowPlaying);
  }

  /** Forgets it (the listener deleted their account). */
  async clear(userId: string): Promise<void> {
    await this.redis.del(this.key(userId));
  }
}
