import { useMemo } from 'react';
import { CopyButton } from '../../shared/copy-button.js';
import { playerSettings } from './player-urls.js';

/** What to paste into each common player besides the token: the URL for this Playlog, and the user name. */
export function PlayerSettings({ userName }: { userName: string }) {
  const settings = useMemo(() => playerSettings(window.location.origin), []);
  return (
    <section aria-labelledby="player-settings-title">
      <h3 id="player-settings-title">What to paste into your player</h3>
      <p>
        User name: <code data-testid="listenbrainz-user-name">{userName}</code> <CopyButton text={userName} what="the user name" />{' '}
        <span className="quiet">(most players read it from the token)</span>
      </p>
      <p>The URL depends on the player:</p>
      <ul className="player-urls">
        {settings.map((setting) => (
          <li key={setting.player} data-testid="player-url">
            <strong>{setting.player}</strong>
            <span>
              <code>{setting.url}</code> <CopyButton text={setting.url} what={`the URL for ${setting.player}`} />
            </span>
            <span className="quiet">{setting.where}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
