import type { Redis } from 'ioredis';
import { AppError } from '../app-error.js';

/** Which door a login came in by: its state can be completed only through the same door. */
export type LoginFlow = 'graphql' | 'browser';

export interface LoginState {
  codeVerifier: string;
  createdAt: string;
}

/**
 * Started logins, in Redis: `state` → PKCE verifier, with a TTL, consumed exactly once (GETDEL), so a
 * replayed or expired state finds nothing. Browser and GraphQL logins live under different keys: a
 * state started through the GraphQL API cannot be completed at /auth/callback (which sets a cookie),
 * which would otherwise let someone log a victim's browser into the attacker's account (login CSRF).
 */
export class LoginStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  async save(flow: LoginFlow, state: string, value: LoginState): Promise<void> {
    await this.guard(() => this.redis.set(this.key(flow, state), JSON.stringify(value), 'EX', this.ttlSeconds));
  }

  /** The login started with this state, removed in the same step; null when unknown, expired or already used. */
  async take(flow: LoginFlow, state: string): Promise<LoginState | null> {
    const raw = await this.guard(() => this.redis.getdel(this.key(flow, state)));
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<LoginState>;
    return typeof parsed.codeVerifier === 'string' ? { codeVerifier: parsed.codeVerifier, createdAt: String(parsed.createdAt) } : null;
  }

  private key(flow: LoginFlow, state: string): string {
    return `${this.prefix}:api:login:${flow}:${state}`;
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new AppError('SERVICE_UNAVAILABLE', 'Login is unavailable right now (its state store cannot be reached); try again shortly.');
    }
  }
}
