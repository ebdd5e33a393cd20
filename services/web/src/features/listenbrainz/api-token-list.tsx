import { useEffect, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { RevokeApiTokenDocument, type ApiTokensQuery } from '../../graphql/generated.js';
import { ErrorMessage } from '../../shared/status.js';
import { dateTime } from '../../shared/zoned-time.js';

type ApiToken = ApiTokensQuery['apiTokens'][number];

/**
 * The listener's tokens (never the tokens themselves: their names and dates, in the listener's zone),
 * each with "Revoke" behind a confirmation that takes the focus, and gives it back when cancelled.
 */
export function ApiTokenList({ tokens, timeZone, onRevoked }: { tokens: ApiToken[]; timeZone: string; onRevoked: (token: ApiToken) => void }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  if (tokens.length === 0) return <p className="quiet">No tokens yet: create one for each player you use.</p>;
  return (
    <ul className="imports" aria-label="Your tokens">
      {tokens.map((token) => (
        <li key={token.id} className="import" data-testid="api-token">
          <strong>{token.name}</strong>
          <span className="quiet">
            Created <span data-testid="token-created">{dateTime(token.createdAt, timeZone)}</span> · {token.lastUsedAt ? 'last used ' : ''}
            <span data-testid="token-last-used">{token.lastUsedAt ? dateTime(token.lastUsedAt, timeZone) : 'not used yet'}</span>
          </span>
          <RevokeControl
            token={token}
            confirming={confirming === token.id}
            onConfirm={(asked) => setConfirming(asked ? token.id : null)}
            onRevoked={() => {
              setConfirming(null);
              onRevoked(token);
            }}
          />
        </li>
      ))}
    </ul>
  );
}

function RevokeControl({ token, confirming, onConfirm, onRevoked }: { token: ApiToken; confirming: boolean; onConfirm: (asked: boolean) => void; onRevoked: () => void }) {
  const [result, revoke] = useMutation(RevokeApiTokenDocument);
  const ask = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
    else if (wasConfirming.current) ask.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  if (!confirming) {
    return (
      <button ref={ask} type="button" onClick={() => onConfirm(true)}>
        Revoke<span className="visually-hidden"> “{token.name}”</span>
      </button>
    );
  }
  const questionId = `revoke-${token.id}`;
  return (
    <div role="group" aria-labelledby={questionId} className="confirm" onKeyDown={(event) => event.key === 'Escape' && onConfirm(false)}>
      <p id={questionId}>Revoke “{token.name}”? A player using it is refused from its next request on. This cannot be undone.</p>
      <button ref={confirm} type="button" className="destructive" disabled={result.fetching} onClick={() => void revoke({ id: token.id }).then((answer) => !answer.error && onRevoked())}>
        Yes, revoke it
      </button>{' '}
      <button type="button" onClick={() => onConfirm(false)}>
        Cancel
      </button>
      {result.error && <ErrorMessage error={result.error} />}
    </div>
  );
}
