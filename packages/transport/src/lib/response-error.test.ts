import { describe, expect, it } from 'vitest';
import { errorFromResponse, MAX_ERROR_BODY_BYTES } from './response-error.ts';

function response(status: number, body: string | Uint8Array | null, statusText = '') {
  return new Response(body as BodyInit | null, { status, statusText });
}

describe('errorFromResponse', () => {
  it('takes the code and message of a distribution error body', async () => {
    const error = await errorFromResponse(
      response(
        404,
        JSON.stringify({
          errors: [
            { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'v9' } },
          ],
        }),
      ),
      'Cannot get manifest "v9" of x',
    );
    expect(error.code).toBe('MANIFEST_UNKNOWN');
    expect(error.status).toBe(404);
    expect(error.message).toBe('Cannot get manifest "v9" of x: manifest unknown (HTTP 404)');
    expect(error.detail).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'v9' } },
    ]);
  });

  it('falls back to a code from the status for bodies it cannot use', async () => {
    const cases: [label: string, status: number, body: string | null, code: string][] = [
      ['no body 401', 401, null, 'UNAUTHORIZED'],
      ['html 403', 403, '<html>nope</html>', 'DENIED'],
      ['405', 405, '', 'UNSUPPORTED'],
      ['429', 429, '{}', 'TOOMANYREQUESTS'],
      [
        'unknown code',
        500,
        JSON.stringify({ errors: [{ code: 'WEIRD_THING' }] }),
        'HTTP_UNEXPECTED_STATUS',
      ],
      ['errors not an array', 500, JSON.stringify({ errors: 'x' }), 'HTTP_UNEXPECTED_STATUS'],
      [
        'entries without codes',
        400,
        JSON.stringify({ errors: [{ message: 'x' }, 7, null] }),
        'HTTP_UNEXPECTED_STATUS',
      ],
      ['truncated JSON', 400, '{"errors":[{"code":"NAME_', 'HTTP_UNEXPECTED_STATUS'],
    ];
    for (const [label, status, body, code] of cases) {
      const error = await errorFromResponse(response(status, body, 'Reason'), 'Doing X');
      expect(error.code, label).toBe(code);
      expect(error.status, label).toBe(status);
      expect(error.message, label).toContain(`HTTP ${status}`);
    }
  });

  it('reads at most the body limit, keeps messages on one line and short', async () => {
    const huge = new Uint8Array(MAX_ERROR_BODY_BYTES * 4).fill(0x61);
    const error = await errorFromResponse(response(500, huge), 'Doing X');
    expect(error.code).toBe('HTTP_UNEXPECTED_STATUS');
    const long = JSON.stringify({
      errors: [{ code: 'DENIED', message: `a\nb\r\n${'x'.repeat(5000)}` }],
    });
    const denied = await errorFromResponse(response(403, long), 'Doing X');
    expect(denied.message).not.toMatch(/[\r\n]/);
    expect(denied.message.length).toBeLessThan(400);
  });
});
