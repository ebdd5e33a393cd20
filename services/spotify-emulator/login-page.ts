import type { SyntheticUser } from './synthetic-listeners.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The "log in" page a browser sees: each synthetic user is a link that approves the request as them. */
export function loginPage(users: SyntheticUser[], query: URLSearchParams, clientId: string, notice?: string): string {
  const linkWith = (extra: Record<string, string>) => {
    const params = new URLSearchParams(query);
    for (const [key, value] of Object.entries(extra)) params.set(key, value);
    return `?${params}`;
  };
  const items = users
    .map((user) => `<li><a href="${escape(linkWith({ user: user.id }))}">${escape(user.displayName)}</a> <code>${escape(user.id)}</code></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Spotify emulator: log in</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}li{margin:.4rem 0}</style></head>
<body>
<h1>Spotify emulator</h1>
${notice ? `<p><strong>${escape(notice)}</strong></p>` : ''}
<p>App <code>${escape(clientId)}</code> asks for: <code>${escape(query.get('scope') ?? '(no scopes)')}</code>. Continue as:</p>
<ul>
${items}
</ul>
<p><a href="${escape(linkWith({ deny: '1' }))}">Cancel (deny access)</a></p>
</body></html>
`;
}

/** Spotify shows an error page, not a redirect, when the client or redirect URI is wrong. */
export function errorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
<body><h1>Oops! Something went wrong</h1><p>${escape(message)}</p></body></html>
`;
}
