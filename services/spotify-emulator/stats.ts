/** What the emulator saw and did, for tests and benchmarks to assert on (`GET /admin/stats`). */
export type FaultKind =
  | 'latency'
  | 'reset'
  | 'timeout'
  | 'malformed'
  | 'server_error_500'
  | 'server_error_502'
  | 'server_error_503'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'forced_expiry'
  | 'refresh_revoked';

export type OAuthEvent =
  | 'code_issued'
  | 'access_denied'
  | 'access_token_issued'
  | 'refresh_token_issued'
  | 'refresh_token_omitted'
  | 'refresh_token_rotated'
  | 'invalid_grant'
  | 'invalid_client'
  | 'invalid_request'
  | 'unsupported_grant_type';

export interface StatsSnapshot {
  since: string;
  /** endpoint ("GET /v1/me") → status ("200", or "reset" / "timeout" when no answer was sent) → count */
  requests: Record<string, Record<string, number>>;
  /** Web API requests per Spotify user id and endpoint. */
  requestsByUser: Record<string, Record<string, number>>;
  faults: Partial<Record<FaultKind, number>>;
  oauth: Partial<Record<OAuthEvent, number>>;
}

export class EmulatorStats {
  private data: StatsSnapshot;

  constructor(private readonly now: () => number) {
    this.data = this.empty();
  }

  countRequest(endpoint: string, status: string, userId?: string): void {
    const byStatus = (this.data.requests[endpoint] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (userId) {
      const byEndpoint = (this.data.requestsByUser[userId] ??= {});
      byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
    }
  }

  countFault(kind: FaultKind): void {
    this.data.faults[kind] = (this.data.faults[kind] ?? 0) + 1;
  }

  countOAuth(event: OAuthEvent): void {
    this.data.oauth[event] = (this.data.oauth[event] ?? 0) + 1;
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = this.empty();
  }

  private empty(): StatsSnapshot {
    return { since: new Date(this.now()).toISOString(), requests: {}, requestsByUser: {}, faults: {}, oauth: {} };
  }
}
