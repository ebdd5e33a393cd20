import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useMutation } from 'urql';
import { useSession } from '../../app/session.js';
import { DeleteMyAccountDocument, LogoutDocument, RequestSyncDocument, UpdateTimeZoneDocument } from '../../graphql/generated.js';
import { ErrorMessage } from '../../shared/status.js';
import { useRefreshWhile } from '../../shared/use-refresh-while.js';
import { ExportsSection } from '../exports/exports.section.js';
import { MusicPlayersSection } from '../listenbrainz/music-players.section.js';
import { browserTimeZone, dateTime, knownTimeZones } from '../../shared/zoned-time.js';

const STATUS_TEXT: Record<string, string> = {
  ACTIVE: 'Collecting your plays',
  REAUTH_REQUIRED: 'Paused: log in again with Spotify',
  DISABLED: 'Disabled by whoever runs this Playlog',
};

export function AccountPage() {
  const { me } = useSession();
  return (
    <section aria-labelledby="account-title">
      <div className="page-head">
        <h1 id="account-title">Account</h1>
      </div>
      <dl className="facts">
        <dt>Spotify account</dt>
        <dd>
          {me.displayName ?? me.spotifyId} <span className="quiet">({me.spotifyId})</span>
        </dd>
        <dt>Status</dt>
        <dd data-testid="account-status">{STATUS_TEXT[me.status] ?? me.status}</dd>
        <dt>Last successful poll</dt>
        <dd data-testid="last-poll">{me.lastSuccessfulPoll ? dateTime(me.lastSuccessfulPoll, me.timeZone) : 'Not yet: the first poll runs within a few minutes of signing in'}</dd>
        <dt>Log in again by</dt>
        <dd>{me.reauthorizeBy ? dateTime(me.reauthorizeBy, me.timeZone) : '—'} <span className="quiet">(Spotify ends Playlog’s access a fixed time after each login; logging in again starts it anew)</span></dd>
        <dt>History since</dt>
        <dd>{me.historyStartsAt ? dateTime(me.historyStartsAt, me.timeZone) : 'No plays yet'}</dd>
      </dl>
      <TimeZoneSetting />
      <SyncNow />
      <ExportsSection />
      <MusicPlayersSection />
      <h2>Sign out</h2>
      <LogOut />
      <DeleteAccount />
    </section>
  );
}

function TimeZoneSetting() {
  const { me, refresh } = useSession();
  const zones = useMemo(() => knownTimeZones(), []);
  const [result, update] = useMutation(UpdateTimeZoneDocument);
  const [saved, setSaved] = useState(false);
  const choose = async (timeZone: string) => {
    setSaved(false);
    const answer = await update({ timeZone });
    if (!answer.error) {
      setSaved(true);
      refresh();
    }
  };
  const browser = browserTimeZone();
  return (
    <>
      <h2>Time zone</h2>
      <p className="quiet">Days, hours and statistics are shown in this zone.</p>
      <div className="controls">
        <label>
          Time zone
          <select value={me.timeZone} onChange={(event) => void choose(event.target.value)} disabled={result.fetching}>
            {(zones.includes(me.timeZone) ? zones : [me.timeZone, ...zones]).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </label>
        {browser !== me.timeZone && (
          <button type="button" onClick={() => void choose(browser)}>
            Use this browser’s zone ({browser})
          </button>
        )}
      </div>
      {saved && (
        <p className="notice" role="status">
          Time zone set to {me.timeZone}.
        </p>
      )}
      {result.error && <ErrorMessage error={result.error} />}
    </>
  );
}

function SyncNow() {
  const { me, refresh } = useSession();
  const [result, requestSync] = useMutation(RequestSyncDocument);
  const [startedAt, setStartedAt] = useState<string | null>(null);
  const answer = result.data?.requestSync;
  const finished = startedAt !== null && me.lastSuccessfulPoll !== null && Date.parse(me.lastSuccessfulPoll) >= Date.parse(startedAt);

  // A poll takes seconds: ask for the account again until its last successful poll is this one.
  useRefreshWhile(startedAt !== null && !finished, refresh, 1500);

  const sync = async () => {
    const outcome = await requestSync({});
    const poll = outcome.data?.requestSync;
    if (poll && poll.poll !== 'NOT_ACTIVE') setStartedAt(poll.startedAt ?? new Date().toISOString());
  };
  return (
    <>
      <h2>Sync now</h2>
      <p className="quiet">Playlog reads Spotify every few minutes by itself; this reads it at once.</p>
      <button type="button" onClick={() => void sync()} disabled={result.fetching || (startedAt !== null && !finished)}>
        Sync now
      </button>
      <p role="status" aria-live="polite" data-testid="sync-status">
        {answer?.poll === 'NOT_ACTIVE' && 'Playlog cannot read Spotify for you until you log in again.'}
        {startedAt !== null && !finished && `A poll started at ${dateTime(startedAt, me.timeZone)}${answer?.poll === 'ALREADY_RUNNING' ? ' (it was already running)' : ''}…`}
        {finished && `The poll finished at ${dateTime(me.lastSuccessfulPoll!, me.timeZone)}.`}
      </p>
      {result.error && <ErrorMessage error={result.error} />}
    </>
  );
}

function LogOut() {
  const navigate = useNavigate();
  const [result, logout] = useMutation(LogoutDocument);
  return (
    <>
      <button type="button" onClick={() => void logout({}).then((outcome) => !outcome.error && navigate('/sign-in?signedOut=1'))} disabled={result.fetching}>
        Log out
      </button>
      {result.error && <ErrorMessage error={result.error} />}
    </>
  );
}

const CONFIRMATION = 'delete my account';

function DeleteAccount() {
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const [result, deleteAccount] = useMutation(DeleteMyAccountDocument);
  return (
    <section className="danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete your account</h2>
      <p>Deletes every play Playlog stored for you, your imports and their files, and Playlog’s access to your Spotify account. This cannot be undone.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void deleteAccount({}).then((outcome) => !outcome.error && navigate('/sign-in?deleted=1'));
        }}
      >
        <label>
          Type “{CONFIRMATION}” to confirm
          <input value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </label>
        <button type="submit" className="destructive" disabled={typed.trim().toLowerCase() !== CONFIRMATION || result.fetching}>
          Delete my account
        </button>
      </form>
      {result.error && <ErrorMessage error={result.error} />}
    </section>
  );
}
