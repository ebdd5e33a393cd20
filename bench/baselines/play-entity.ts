import type { EntityManager } from '@mikro-orm/postgresql';
import { ListeningEvent, User, type Track } from '../../services/features/entities.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';

/** A new play entity, as the ORM baselines persist it (the unit of work writes it at the next flush). */
export function createPlayEntity(em: EntityManager, userId: string, track: Track, play: PlayInput): ListeningEvent {
  return em.create(ListeningEvent, {
    user: em.getReference(User, userId),
    playedAt: new Date(play.playedAt),
    track,
    contextType: play.context?.type ?? null,
    contextUri: play.context?.uri ?? null,
    source: 'poll',
    msPlayed: play.msPlayed ?? null,
    ingestedAt: new Date(),
  });
}
