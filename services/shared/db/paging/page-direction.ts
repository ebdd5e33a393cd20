/** Which way a page of a connection is read: newest first from its start (`first`), or oldest first from its end (`last`). */
export type PageDirection = 'forward' | 'backward';
