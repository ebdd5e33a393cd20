import { describe, expect, it } from 'vitest';
import { loginFailureOf } from '../../../../../../services/web/src/features/sign-in/login-failures.js';

/** The probe's finding: /sign-in showed whatever ?error= and ?request= carried, so a link could put words under Playlog's name. */
describe('the sign-in page’s failure notice', () => {
  const notice = (query: string) => loginFailureOf(new URLSearchParams(query));

  it('says a known code’s own message, with the request id the API gave', () => {
    expect(notice('error=SPOTIFY_LOGIN_DENIED&request=1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toEqual({
      title: 'You did not give Playlog access',
      text: expect.stringContaining('the answer was no') as string,
      reference: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    });
  });

  it('never shows the text of an unknown code, or a reference that is not a request id', () => {
    const crafted = notice(`error=${encodeURIComponent('ACCOUNT SUSPENDED: call +1 555 0100 now')}&request=${encodeURIComponent('call-555-0100'.repeat(40))}`)!;
    expect(crafted.title).toBe('The sign-in did not complete');
    expect(JSON.stringify(crafted)).not.toMatch(/SUSPENDED|555/);
    expect(crafted.reference).toBeNull();
    expect(notice('error=x&request=please-call-us-at-5550100')!.reference).toBeNull();
  });

  it('is absent without an error', () => {
    expect(notice('request=1b4e28ba')).toBeNull();
  });
});
