import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('keeps scheme, host and path, and hides the query and user info', () => {
    const cases: [string, string][] = [
      [
        'https://reg.example.com/v2/x/blobs/uploads/abc?_state=SECRET&digest=sha256:1',
        'https://reg.example.com/v2/x/blobs/uploads/abc?…',
      ],
      [
        'https://user:pass@storage.example.com:9000/b?X-Amz-Signature=S',
        'https://storage.example.com:9000/b?…',
      ],
      ['http://127.0.0.1:5000/v2/', 'http://127.0.0.1:5000/v2/'],
      ['not a url', '<invalid URL>'],
    ];
    for (const [input, expected] of cases) expect(redactUrl(input), input).toBe(expected);
  });
});

describe('redactHeaders', () => {
  it('hides credentials but keeps the auth scheme, and redacts Location queries', () => {
    const headers = new Headers({
      authorization: 'Bearer eyJsecret',
      cookie: 'session=secret',
      location: 'https://s.example.com/x?sig=secret',
      accept: 'application/json',
    });
    const out = redactHeaders(headers);
    expect(out).toEqual({
      accept: 'application/json',
      authorization: 'Bearer <redacted>',
      cookie: '<redacted>',
      location: 'https://s.example.com/x?…',
    });
    expect(JSON.stringify(out)).not.toContain('secret');
  });

  it('hides credentials of a plain record whatever the case of their names', () => {
    expect(
      redactHeaders({ Authorization: 'Bearer SECRET', COOKIE: 'a=SECRET', Accept: 'text/plain' }),
    ).toEqual({
      authorization: 'Bearer <redacted>',
      cookie: '<redacted>',
      accept: 'text/plain',
    });
  });
});
