import { Counter, Histogram, type Registry } from 'prom-client';
import { BoundedLabel } from '../../shared/metrics/bounded-label.js';

/** The login outcomes counted: success, or the code of the refusal (a fixed set of AppError codes). */
export type LoginOutcome = 'success' | string;

const NAMED_OPERATION = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The API's instruments (names and labels: docs/operations.md). Routes are Playlog's own patterns;
 * operation names and error codes come from clients, so each is kept to a bounded set (the first ones
 * seen that look like names; the rest count as "other").
 */
export class ApiMetrics {
  private readonly requests: Histogram<'route' | 'method' | 'status'>;
  private readonly operations: Histogram<'operation_type' | 'operation_name'>;
  private readonly errors: Counter<'code'>;
  private readonly rateLimited: Counter<'scope'>;
  private readonly logins: Counter<'outcome'>;
  private readonly playsStored: Counter<'source'>;
  private readonly listensReceived: Counter<'listen_type'>;
  private readonly operationNames = new BoundedLabel(200, (name) => NAMED_OPERATION.test(name));
  private readonly errorCodes = new BoundedLabel(100, (code) => ERROR_CODE.test(code));
  private readonly loginOutcomes = new BoundedLabel(30, (outcome) => outcome === 'success' || ERROR_CODE.test(outcome));

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Histogram({
      name: 'playlog_http_request_duration_seconds',
      help: 'HTTP requests to the API by route (Playlog’s route pattern; "unmatched" for any other path), method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.operations = new Histogram({
      name: 'playlog_graphql_operation_duration_seconds',
      help: 'GraphQL operations by type (query, mutation) and name (clients’ operation names; "anonymous" without one, "other" past the bounded set).',
      labelNames: ['operation_type', 'operation_name'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.errors = new Counter({ name: 'playlog_graphql_errors_total', help: 'Errors in GraphQL answers by code (extensions.code).', labelNames: ['code'], registers });
    this.rateLimited = new Counter({ name: 'playlog_rate_limit_rejections_total', help: 'Requests refused with 429 by the API’s rate limits, by scope.', labelNames: ['scope'], registers });
    this.logins = new Counter({ name: 'playlog_logins_total', help: 'Completed or refused Spotify logins by outcome (success, or the refusal’s code).', labelNames: ['outcome'], registers });
    // The worker's counter of the same name counts polled and imported plays; the API's counts what players send.
    this.playsStored = new Counter({ name: 'playlog_plays_stored_total', help: 'New plays stored (duplicates not counted), by source: listenbrainz (what players send).', labelNames: ['source'], registers });
    this.listensReceived = new Counter({
      name: 'playlog_listens_received_total',
      help: 'Listens players submitted through the ListenBrainz API, stored or already stored, by listen_type (single, import, playing_now).',
      labelNames: ['listen_type'],
      registers,
    });
    this.playsStored.inc({ source: 'listenbrainz' }, 0);
    this.logins.inc({ outcome: this.loginOutcomes.of('success') }, 0);
    this.errors.inc({ code: this.errorCodes.of('INTERNAL_SERVER_ERROR') }, 0);
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe({ route, method, status: String(status) }, seconds);
  }

  /**
   * One operation. Its name becomes a label of its own only once an operation of that name has succeeded for a
   * signed-in listener (`trusted`): anonymous clients cannot fill the bounded set with made-up names.
   */
  operation(type: string, name: string | null, seconds: number, trusted: boolean): void {
    this.operations.observe({ operation_type: type, operation_name: name ? this.operationNames.of(name, trusted) : 'anonymous' }, seconds);
  }

  error(code: string): void {
    this.errors.inc({ code: this.errorCodes.of(code) });
  }

  rateLimitRejected(scope: string): void {
    this.rateLimited.inc({ scope });
  }

  listensSubmitted(listenType: 'single' | 'import' | 'playing_now', received: number, stored: number): void {
    this.listensReceived.inc({ listen_type: listenType }, received);
    if (stored > 0) this.playsStored.inc({ source: 'listenbrainz' }, stored);
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome: this.loginOutcomes.of(outcome) });
  }
}
