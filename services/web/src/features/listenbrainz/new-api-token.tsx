import { useEffect, useRef } from 'react';
import { CopyButton } from '../../shared/copy-button.js';
import type { CreatedApiToken } from './create-api-token.form.js';

/**
 * The token just created, shown this once (the API keeps only its hash): selected and focused, so that
 * it can be copied at once with the button or the keyboard, until the listener is done with it.
 */
export function NewApiToken({ created, onDone }: { created: CreatedApiToken; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, [created.token]);
  return (
    <section className="notice new-token" aria-labelledby="new-token-title" data-testid="new-token">
      <h3 id="new-token-title">Your token for “{created.apiToken.name}”</h3>
      <p>
        <strong>Copy it now: you will not see it again.</strong> Playlog keeps only a fingerprint of it. If you lose it, revoke it and create another.
      </p>
      <div className="controls">
        <label>
          Token
          <input ref={field} className="secret" value={created.token} readOnly spellCheck={false} autoComplete="off" onFocus={(event) => event.target.select()} />
        </label>
        <CopyButton text={created.token} what="the token" />
      </div>
      <button type="button" onClick={onDone}>
        Done: hide the token
      </button>
    </section>
  );
}
