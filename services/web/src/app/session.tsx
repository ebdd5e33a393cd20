import { createContext, useContext } from 'react';
import type { MeQuery } from '../graphql/generated.js';

export type Me = MeQuery['me'];

export interface Session {
  me: Me;
  /** Asks the API for `me` again (after a sync, a zone change). */
  refresh(): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in listener; only pages rendered behind the sign-in gate use it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
