import { createHash } from 'node:crypto';

/**
 * SHA-256 of every encryption key published in Playlog's repository: the development key of `.env.example`,
 * the demo and the chart's development values, and the chart's example production values. Anyone can read
 * them, so production refuses them. test/security/published-keys.test.ts finds every key-shaped value in the
 * repository and checks that it is listed here.
 */
const PUBLISHED_KEY_DIGESTS = new Set([
  'e8b1a2bae9f82263990cdbdfeb5817dd6df80de0f921797655f1e695b2666cd9',
  '5551f25e13c3573301cb666ae873108e1576b6fd7168579e07dbcb9a8efde5b2',
  '0f349be85f63eb8c5bd6d8a48c93e8926ab436b76e603fa5de212875fbf7d60c',
]);

export function isPublishedKey(key: Buffer): boolean {
  return PUBLISHED_KEY_DIGESTS.has(createHash('sha256').update(key).digest('hex'));
}
