import type { CookieOptions, Response } from 'express';

export interface SessionCookieSettings {
  name: string;
  secure: boolean;
  sameSite: 'lax' | 'strict' | 'none';
  domain?: string | undefined;
}

/**
 * The browser's session cookie: HttpOnly (scripts cannot read it), Secure in production, SameSite lax
 * by default (sent on the top-level redirect back from Spotify, not on cross-site subrequests).
 */
export class SessionCookie {
  constructor(private readonly settings: SessionCookieSettings) {}

  get name(): string {
    return this.settings.name;
  }

  set(res: Response, token: string, expiresAt: Date): void {
    res.cookie(this.settings.name, token, { ...this.options(), expires: expiresAt });
  }

  clear(res: Response): void {
    res.clearCookie(this.settings.name, this.options());
  }

  private options(): CookieOptions {
    return {
      httpOnly: true,
      secure: this.settings.secure,
      sameSite: this.settings.sameSite,
      path: '/',
      ...(this.settings.domain ? { domain: this.settings.domain } : {}),
    };
  }
}
