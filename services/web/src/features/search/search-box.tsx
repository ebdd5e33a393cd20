import { useId, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { plural } from '../../shared/format.js';
import { useSearch, type SearchResult } from './use-search.js';

const KIND_LABEL = { TRACK: 'Track', ALBUM: 'Album', ARTIST: 'Artist' } as const;
const FILTER = { TRACK: 'track', ALBUM: 'album', ARTIST: 'artist' } as const;

/** Where a result leads: the history of that track, album or artist. */
export const resultPath = (result: SearchResult): string => `/history?${FILTER[result.kind]}=${encodeURIComponent(result.item.id)}`;

/**
 * The header's search (docs/web.md, "Search"): type, move through the results with the arrow keys, Enter opens
 * the history of the one highlighted (the first when none is), Escape closes them. A combobox as WAI-ARIA
 * describes it: focus stays in the box, the highlighted result is its active descendant.
 */
export function SearchBox() {
  const navigate = useNavigate();
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const { results, answered, loading, failed } = useSearch(text);
  const shown = open && text.trim() !== '';
  const go = (result: SearchResult | undefined) => {
    if (!result) return;
    setOpen(false);
    setText('');
    void navigate(resultPath(result));
  };
  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      if (results.length > 0) setActive((current) => (event.key === 'ArrowDown' ? (current + 1) % results.length : (current <= 0 ? results.length : current) - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      go(results[Math.max(0, active)]);
    } else if (event.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    }
  };
  const status = failed ? 'Search failed: try again.' : loading ? 'Searching…' : answered && results.length === 0 ? `Nothing you played matches “${answered}”.` : '';
  return (
    <div className="search" role="search">
      <input
        type="search"
        role="combobox"
        aria-label="Search what you played"
        aria-expanded={shown && results.length > 0}
        aria-controls={`${id}-results`}
        aria-autocomplete="list"
        aria-activedescendant={shown && active >= 0 ? `${id}-result-${active}` : undefined}
        placeholder="Search tracks, albums, artists"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={`${id}-results`} role="listbox" aria-label="Search results" hidden={!shown || results.length === 0}>
        {results.map((result, index) => (
          <li
            key={`${result.kind}-${result.item.id}`}
            id={`${id}-result-${index}`}
            role="option"
            aria-selected={index === active}
            // Before the box loses focus (which closes the list): a click chooses the result.
            onMouseDown={(event) => {
              event.preventDefault();
              go(result);
            }}
          >
            <span className="kind">{KIND_LABEL[result.kind]}</span>
            <span className="name">{result.item.name}</span>
            {result.item.__typename === 'Track' && <span className="by">{result.item.artists.map((artist) => artist.name).join(', ')}</span>}
            <span className="plays">{plural(result.plays, 'play')}</span>
          </li>
        ))}
      </ul>
      <p className="search-status" role="status" hidden={!shown || status === ''}>
        {shown ? status : ''}
      </p>
    </div>
  );
}
