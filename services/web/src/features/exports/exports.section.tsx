import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSession } from '../../app/session.js';
import { ExportsDocument, RequestExportDocument, type ExportFormat } from '../../graphql/generated.js';
import { bytes, count } from '../../shared/format.js';
import { ErrorMessage } from '../../shared/status.js';
import { useRefreshWhile } from '../../shared/use-refresh-while.js';
import { dateTime } from '../../shared/zoned-time.js';

const FORMATS: Array<{ value: ExportFormat; label: string }> = [
  { value: 'CSV', label: 'CSV (spreadsheets)' },
  { value: 'JSON', label: 'JSON' },
  { value: 'LISTENBRAINZ_JSONL', label: 'ListenBrainz (JSON Lines, for its import)' },
];
const PENDING = new Set(['QUEUED', 'RUNNING']);

/** The Account page's export: the whole history as a file, in a format other tools read (docs/export.md). */
export function ExportsSection() {
  const { me } = useSession();
  const [format, setFormat] = useState<ExportFormat>('CSV');
  const [exports, refetch] = useQuery({ query: ExportsDocument });
  const [requested, requestExport] = useMutation(RequestExportDocument);
  const pending = exports.data?.exports.edges.some(({ node }) => PENDING.has(node.status)) ?? false;
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useRefreshWhile(pending, reload);
  const request = async () => {
    const answer = await requestExport({ format });
    if (!answer.error && answer.data?.requestExport.errors.length === 0) reload();
  };
  const typedError = requested.data?.requestExport.errors[0];
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export your history</h2>
      <p className="quiet">Every play Playlog keeps for you, in one file to download. Files are deleted when they expire, and with your account.</p>
      <div className="controls">
        <label>
          Format
          <select value={format} onChange={(event) => setFormat(event.target.value as ExportFormat)}>
            {FORMATS.map((one) => (
              <option key={one.value} value={one.value}>
                {one.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void request()} disabled={requested.fetching}>
          Export
        </button>
      </div>
      {typedError && <p className="notice error">{typedError.message}</p>}
      {requested.error && <ErrorMessage error={requested.error} />}
      {exports.error && <ErrorMessage error={exports.error} retry={reload} />}
      {exports.data && exports.data.exports.edges.length > 0 && (
        <ul className="imports" aria-live="polite">
          {exports.data.exports.edges.map(({ node }) => (
            <li key={node.id} className="import" data-testid="export" data-status={node.status}>
              <div>
                <strong>{FORMATS.find((one) => one.value === node.format)?.label ?? node.format}</strong>{' '}
                <span className="quiet">requested {dateTime(node.createdAt, me.timeZone)}</span>
              </div>
              <div>
                <span className={`tag status-${node.status.toLowerCase()}`}>{node.status === 'COMPLETED' ? 'Ready' : node.status === 'FAILED' ? 'Failed' : 'Writing…'}</span>{' '}
                {node.rows !== null && (
                  <span>
                    {count(node.rows)} plays{node.bytes !== null ? `, ${bytes(node.bytes)}` : ''}
                    {node.skipped ? ` (${count(node.skipped)} left out: no track name)` : ''}
                  </span>
                )}
              </div>
              {node.error && <p className="notice error">{node.error}</p>}
              {node.downloadUrl && (
                <p>
                  <a className="button" href={node.downloadUrl} download>
                    Download
                  </a>{' '}
                  <span className="quiet">until {dateTime(node.expiresAt, me.timeZone)}</span>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
