import { describe, expect, it } from 'vitest';
import { isOciError, OciError } from './errors.ts';

describe('OciError', () => {
  it('carries a code, a status, detail and a cause', () => {
    const cause = new Error('low-level');
    const error = new OciError('MANIFEST_UNKNOWN', 'Manifest "latest" not found', {
      status: 404,
      cause,
      detail: { tag: 'latest' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OciError');
    expect(error.code).toBe('MANIFEST_UNKNOWN');
    expect(error.status).toBe(404);
    expect(error.cause).toBe(cause);
    expect(error.detail).toEqual({ tag: 'latest' });
  });

  it('is recognised across copies of the package by name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'OciError', code: 'DENIED' });
    expect(isOciError(foreign)).toBe(true);
    expect(isOciError(foreign, 'DENIED')).toBe(true);
    expect(isOciError(foreign, 'UNAUTHORIZED')).toBe(false);
    expect(isOciError(new Error('x'))).toBe(false);
    expect(isOciError(null)).toBe(false);
    expect(isOciError(new OciError('DENIED', 'no'), 'DENIED')).toBe(true);
  });
});
