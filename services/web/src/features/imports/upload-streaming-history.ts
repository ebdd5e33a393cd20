/** What POST /imports answers (docs/import.md). */
export interface UploadAnswer {
  id: string;
  status: string;
}

/** The content type the API accepts for a file, from its name (zip or JSON). */
export function contentTypeOf(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.zip')) return 'application/zip';
  if (name.endsWith('.json')) return 'application/json';
  return null;
}

/**
 * Sends a streaming history to `POST /imports` as the request body, with the session cookie, reporting progress
 * (XMLHttpRequest: fetch cannot report an upload's progress). Rejects with the API's own message.
 */
export function uploadStreamingHistory(file: File, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<UploadAnswer> {
  const type = contentTypeOf(file);
  if (!type) return Promise.reject(new Error(`${file.name} is not a zip or JSON file: upload the my_spotify_data.zip Spotify sent, or one of its Streaming_History_Audio JSON files.`));
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/imports?${new URLSearchParams({ filename: file.name }).toString()}`);
    request.setRequestHeader('content-type', type);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      let body: { id?: string; status?: string; errors?: Array<{ message: string }> } = {};
      try {
        body = JSON.parse(request.responseText) as typeof body;
      } catch {
        // not JSON: the status says enough
      }
      if (request.status >= 200 && request.status < 300 && body.id) resolve({ id: body.id, status: body.status ?? 'queued' });
      else reject(new Error(body.errors?.[0]?.message ?? `The upload failed (HTTP ${request.status}).`));
    };
    request.onerror = () => reject(new Error('The upload was interrupted: the Playlog API could not be reached.'));
    request.onabort = () => reject(new Error('The upload was cancelled.'));
    signal.addEventListener('abort', () => request.abort());
    request.send(file);
  });
}
