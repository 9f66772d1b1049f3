import { describe, expect, it } from 'vitest';
import { type FaultRuleState, takeFault, validateFaultRule } from './fault-rules.ts';

const rule = (extra: Partial<FaultRuleState>): FaultRuleState => ({
  id: 1,
  hits: 0,
  path: '^/v2/a/',
  fault: { type: 'status', status: 503 },
  ...extra,
});

describe('takeFault', () => {
  it('uses the first matching rule with faults left', () => {
    const rules = [
      rule({ id: 1, method: 'put', times: 1 }),
      rule({ id: 2, times: 2 }),
      rule({ id: 3, times: 'always', path: 'tags' }),
    ];
    const taken = [
      ['PUT', '/v2/a/blobs/uploads/x'],
      ['PUT', '/v2/a/blobs/uploads/x'],
      ['GET', '/v2/a/manifests/v1'],
      ['GET', '/v2/a/manifests/v1'],
      ['GET', '/v2/b/tags/list'],
      ['GET', '/v2/b/tags/list'],
    ].map(([method, path]) => takeFault(rules, method ?? '', path ?? '')?.id);
    expect(taken).toEqual([1, 2, 2, undefined, 3, 3]);
    expect(rules.map((state) => state.hits)).toEqual([1, 2, 2]);
  });

  it('matches the percent-decoded query too', () => {
    const rules = [rule({ path: 'scope=repository:a/b:', times: 'always' })];
    const cases = [
      { path: '/token?service=s&scope=repository%3Aa%2Fb%3Apull', id: 1 },
      { path: '/token?service=s&scope=repository:a/b:pull', id: 1 },
      { path: '/token?scope=repository%3Aa%2Fc%3Apull', id: undefined },
      { path: '/token?scope=%E0%A4%A', id: undefined },
    ];
    for (const { path, id } of cases) expect(takeFault(rules, 'GET', path)?.id, path).toBe(id);
  });
});

describe('validateFaultRule', () => {
  it('accepts good rules and names the bad field of others', () => {
    expect(validateFaultRule({ path: 'x', fault: { type: 'delay', ms: 5 } })).toBeTruthy();
    const headers = { warning: ['299 - "a"', '299 - "b"'], 'ratelimit-limit': '100' };
    expect(validateFaultRule({ path: 'x', fault: { type: 'headers', headers } })).toBeTruthy();
    const cases = [
      { value: null, message: /object/ },
      { value: { fault: { type: 'delay' } }, message: /path/ },
      { value: { path: '[', fault: { type: 'delay' } }, message: /regular expression/i },
      { value: { path: 'x', method: 1, fault: { type: 'delay' } }, message: /method/ },
      { value: { path: 'x', times: 1.5, fault: { type: 'delay' } }, message: /times/ },
      { value: { path: 'x', fault: { type: 'boom' } }, message: /fault\.type/ },
      { value: { path: 'x', fault: { type: 'headers' } }, message: /fault\.headers/ },
      {
        value: { path: 'x', fault: { type: 'headers', headers: { a: 1 } } },
        message: /fault\.headers/,
      },
    ];
    for (const { value, message } of cases) {
      expect(() => validateFaultRule(value), JSON.stringify(value)).toThrow(message);
    }
  });
});
