import { useCallback, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { useSession } from '../../app/session.js';
import { ApiTokensDocument } from '../../graphql/generated.js';
import { ErrorMessage, Loading } from '../../shared/status.js';
import { ApiTokenList } from './api-token-list.js';
import { CreateApiTokenForm, type CreatedApiToken } from './create-api-token.form.js';
import { NewApiToken } from './new-api-token.js';
import { PlayerSettings } from './player-settings.js';

/**
 * The Account page's music players: API tokens for players that speak ListenBrainz (docs/listenbrainz.md),
 * created by name, shown once, listed and revoked here, and what to paste into each player.
 */
export function MusicPlayersSection() {
  const { me } = useSession();
  const [tokens, refetch] = useQuery({ query: ApiTokensDocument, requestPolicy: 'network-only' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revokedName, setRevokedName] = useState<string | null>(null);
  const listTitle = useRef<HTMLHeadingElement>(null);

  return (
    <section aria-labelledby="players-title">
      <h2 id="players-title">Music players</h2>
      <p className="quiet">
        Players that speak ListenBrainz (Navidrome, Jellyfin, Pano Scrobbler, Web Scrobbler…) can send what you play there to Playlog, beside what it reads from Spotify. Give
        each player a token of its own: revoking one stops only that player.
      </p>
      <CreateApiTokenForm
        onCreated={(answer) => {
          setCreated(answer);
          setRevokedName(null);
          reload();
        }}
      />
      {created && <NewApiToken created={created} onDone={() => setCreated(null)} />}
      <h3 ref={listTitle} tabIndex={-1}>
        Your tokens
      </h3>
      <p className="live" role="status">{revokedName !== null && `“${revokedName}” is revoked: players using it are refused from now on.`}</p>
      {tokens.error && <ErrorMessage error={tokens.error} retry={reload} />}
      {!tokens.data && tokens.fetching && <Loading what="your tokens" />}
      {tokens.data && (
        <ApiTokenList
          tokens={tokens.data.apiTokens}
          timeZone={me.timeZone}
          onRevoked={(token) => {
            setRevokedName(token.name);
            if (created?.apiToken.id === token.id) setCreated(null);
            reload();
            listTitle.current?.focus();
          }}
        />
      )}
      <PlayerSettings userName={me.spotifyId} />
    </section>
  );
}
