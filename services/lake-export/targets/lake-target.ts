/**
 * Where the lake's files go. Every write replaces one whole object at once (an S3 PUT, a rename in a
 * directory): a reader, or a run that crashed half-way, never leaves a partial file visible.
 */
export interface LakeTarget {
  /** For logs and errors: `s3://bucket/prefix` or `file:///dir`. */
  readonly description: string;
  /** Puts the local file at `key`, replacing what was there; returns its size in bytes. */
  putFile(key: string, localPath: string): Promise<number>;
  putText(key: string, text: string, contentType: string): Promise<void>;
  /** The object's text, or null when there is none. */
  getText(key: string): Promise<string | null>;
  /** Removes the object; nothing to remove is not an error. */
  delete(key: string): Promise<void>;
  close(): void;
}
