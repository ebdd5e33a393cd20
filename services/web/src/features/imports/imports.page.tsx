import { useCallback, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSession } from '../../app/session.js';
import { CancelImportDocument, ImportsDocument, type ImportsQuery } from '../../graphql/generated.js';
import { bytes, count } from '../../shared/format.js';
import { ErrorMessage, Loading } from '../../shared/status.js';
import { useRefreshWhile } from '../../shared/use-refresh-while.js';
import { dateTime } from '../../shared/zoned-time.js';
import { uploadStreamingHistory } from './upload-streaming-history.js';

type ImportNode = ImportsQuery['imports']['edges'][number]['node'];
const ACTIVE = new Set(['QUEUED', 'RUNNING']);

export function ImportsPage() {
  const [imports, refetch] = useQuery({ query: ImportsDocument, requestPolicy: 'cache-and-network' });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const active = imports.data?.imports.edges.some(({ node }) => ACTIVE.has(node.status)) ?? false;
  useRefreshWhile(active, reload);

  return (
    <section aria-labelledby="import-title">
      <div className="page-head">
        <h1 id="import-title">Import</h1>
      </div>
      <p>
        Spotify keeps your whole streaming history and sends it on request: in your Spotify account’s privacy settings, ask for your <strong>extended streaming history</strong>. A few
        days later you receive <code>my_spotify_data.zip</code>. Drop it here (or one of its <code>Streaming_History_Audio</code> JSON files): every play is added once, even if you
        import the same file twice.
      </p>
      <Uploader onUploaded={reload} />
      <h2>Your imports</h2>
      {imports.error && <ErrorMessage error={imports.error} retry={reload} />}
      {!imports.data && imports.fetching && <Loading what="your imports" />}
      {imports.data && imports.data.imports.edges.length === 0 && <p className="quiet">No imports yet.</p>}
      {imports.data && imports.data.imports.edges.length > 0 && (
        <ul className="imports" aria-live="polite">
          {imports.data.imports.edges.map(({ node }) => (
            <ImportRow key={node.id} item={node} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Uploader({ onUploaded }: { onUploaded: () => void }) {
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const controller = useRef<AbortController | null>(null);

  const send = async (file: File | undefined) => {
    if (!file || progress !== null) return;
    setError(null);
    setDone(null);
    setProgress(0);
    controller.current = new AbortController();
    try {
      await uploadStreamingHistory(file, setProgress, controller.current.signal);
      setDone(`${file.name} is uploaded: its import is queued below.`);
      onUploaded();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setProgress(null);
      controller.current = null;
      if (input.current) input.current.value = '';
    }
  };

  return (
    <div
      className={`drop${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        void send(event.dataTransfer.files[0]);
      }}
      data-testid="drop-zone"
    >
      <p>Drop your streaming history here, or</p>
      <label className="button">
        Choose a file
        <input ref={input} className="visually-hidden" type="file" accept=".zip,.json,.jsonl,application/zip,application/json,application/x-ndjson" onChange={(event) => void send(event.target.files?.[0])} />
      </label>
      {progress !== null && (
        <div className="progress-line">
          <label htmlFor="upload-progress">Uploading</label>
          <progress id="upload-progress" max={1} value={progress}>
            {Math.round(progress * 100)}%
          </progress>
          <span>{Math.round(progress * 100)}%</span>
          <button type="button" onClick={() => controller.current?.abort()}>
            Cancel upload
          </button>
        </div>
      )}
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {error && <ErrorMessage error={error} />}
    </div>
  );
}

const STATUS_TEXT: Record<string, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Importing',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

function ImportRow({ item, onChanged }: { item: ImportNode; onChanged: () => void }) {
  const { me } = useSession();
  const [cancelled, cancel] = useMutation(CancelImportDocument);
  const skipped = item.counts.skippedPodcast + item.counts.skippedLocal + item.counts.skippedMalformed;
  const cancellable = ACTIVE.has(item.status) || item.status === 'FAILED';
  const typedError = cancelled.data?.cancelImport.errors[0];
  return (
    <li className="import" data-testid="import" data-status={item.status}>
      <div>
        <strong>{item.fileName}</strong> <span className="quiet">({bytes(item.fileBytes)}, uploaded {dateTime(item.createdAt, me.timeZone)})</span>
      </div>
      <div>
        <span className={`tag status-${item.status.toLowerCase()}`}>{STATUS_TEXT[item.status] ?? item.status}</span>{' '}
        <span data-testid="import-counts">
          {count(item.counts.rowsRead)} rows read: {count(item.counts.stored)} new plays, {count(item.counts.duplicates)} already known, {count(skipped)} skipped
        </span>
        {item.finishedAt && <span className="quiet"> · finished {dateTime(item.finishedAt, me.timeZone)}</span>}
      </div>
      {item.error && <p className="notice error">{item.error}</p>}
      {typedError && <p className="notice error">{typedError.message}</p>}
      {cancelled.error && <ErrorMessage error={cancelled.error} />}
      {cancellable && (
        <button type="button" disabled={cancelled.fetching} onClick={() => void cancel({ id: item.id }).then(onChanged)} aria-label={`Cancel the import of ${item.fileName}`}>
          Cancel import
        </button>
      )}
    </li>
  );
}
