import type { ReactNode } from 'react';
import { Cover } from './cover.js';

export interface RankedItem {
  key: string;
  name: ReactNode;
  /** Quieter text after the name (a track's artists). */
  detail?: string;
  /** Album art: undefined for items that have none to show (artists). */
  cover?: string | null;
  figure: string;
}

/** A numbered top list (statistics, year in review): the order is the rank. */
export function RankingList({ title, items, testId }: { title: string; items: RankedItem[]; testId?: string }) {
  const id = `ranking-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {items.length === 0 ? (
        <p className="quiet">Nothing in this range.</p>
      ) : (
        <ol className="ranking" data-testid={testId}>
          {items.map((item) => (
            <li key={item.key}>
              {item.cover !== undefined && <Cover url={item.cover} size={36} />}
              <span className="name">
                {item.name}
                {item.detail && <span className="quiet"> {item.detail}</span>}
              </span>
              <span className="figure">{item.figure}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
