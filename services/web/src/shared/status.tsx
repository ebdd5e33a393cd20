import type { CombinedError } from 'urql';

/** What an API error says, as the API said it: never a blank page. */
export function errorText(error: CombinedError | Error): string {
  if ('graphQLErrors' in error && error.graphQLErrors.length > 0) return error.graphQLErrors.map((one) => one.message).join(' ');
  if ('networkError' in error && error.networkError) return `The Playlog API cannot be reached (${error.networkError.message}).`;
  return error.message;
}

export function ErrorMessage({ error, retry }: { error: CombinedError | Error; retry?: () => void }) {
  return (
    <div className="notice error" role="alert">
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="empty" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
