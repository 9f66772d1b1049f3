import { describe, expect, it } from 'vitest';
import { checkProxy, createDispatcher, proxyFromEnv } from './proxy.node.ts';
import { loadUndici } from './undici.node.ts';

describe('proxyFromEnv', () => {
  it('reads http_proxy, https_proxy and no_proxy as curl does, the lower case first', () => {
    const cases = [
      { label: 'none', env: {}, proxy: undefined },
      { label: 'only NO_PROXY', env: { NO_PROXY: 'example.com' }, proxy: undefined },
      { label: 'empty values', env: { HTTP_PROXY: ' ', https_proxy: '' }, proxy: undefined },
      {
        label: 'upper case',
        env: { HTTP_PROXY: 'http://p:3128' },
        proxy: { http: 'http://p:3128' },
      },
      {
        label: 'lower case wins',
        env: { http_proxy: 'http://low:1', HTTP_PROXY: 'http://up:2', NO_PROXY: 'a,b' },
        proxy: { http: 'http://low:1', noProxy: 'a,b' },
      },
      {
        label: 'https alone',
        env: { HTTPS_PROXY: 'http://s:3128', no_proxy: '.corp' },
        proxy: { https: 'http://s:3128', noProxy: '.corp' },
      },
    ];
    for (const { label, env, proxy } of cases) expect(proxyFromEnv(env), label).toEqual(proxy);
  });
});

describe('checkProxy and createDispatcher', () => {
  it('refuses a proxy that is no http(s) URL with CONFIG_INVALID, and takes a bare host:port as http', async () => {
    for (const http of ['ftp://proxy:21', 'socks5://proxy:1080', 'http://[bad']) {
      expect(() => checkProxy({ http }), http).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
      expect(() => checkProxy({ https: http }), http).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
    checkProxy({ http: 'proxy.example:3128' });
    const bare = createDispatcher(
      await loadUndici(),
      {},
      { http: 'proxy.example:3128', noProxy: '*' },
    );
    await bare.close();
  });
});
