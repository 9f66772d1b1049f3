import type { FaultRule, FaultRuleState, ProxiedRequest } from './fault-rules.ts';

/** A rule added with {@link FaultClient.add}. */
export interface FaultHandle {
  /** The rule's id. */
  readonly id: number;
  /** How many requests it has faulted so far. */
  hits(): Promise<number>;
  /** Removes the rule. */
  remove(): Promise<void>;
}

/** Programs a fault proxy from a test (any process). */
export interface FaultClient {
  /** Adds a rule, after the existing ones (the first match wins). */
  add(rule: FaultRule): Promise<FaultHandle>;
  /** The rules with their hit counts. */
  rules(): Promise<FaultRuleState[]>;
  /**
   * Removes every rule, those of tests running in parallel too: prefer
   * {@link FaultHandle.remove}, and rules that match only the test's own repository.
   */
  clear(): Promise<void>;
  /**
   * The requests the proxy saw, oldest first.
   * @param path - a RegExp source the path and query must match
   */
  requests(path?: string): Promise<ProxiedRequest[]>;
}

async function call(url: string, init: RequestInit, expected: number): Promise<Response> {
  const response = await fetch(url, init);
  if (response.status !== expected) {
    const text = await response.text();
    throw new Error(
      `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}: ${text}`,
    );
  }
  return response;
}

/**
 * Makes a client for a fault proxy's control endpoint.
 *
 * @param controlUrl - `TestbedInfo.faults.controlUrl` (or a proxy's own `controlUrl`)
 * @returns the client
 */
export function faultClient(controlUrl: string): FaultClient {
  const origin = new URL(controlUrl).origin;
  const rules = async (): Promise<FaultRuleState[]> => {
    const response = await call(controlUrl, {}, 200);
    return ((await response.json()) as { rules: FaultRuleState[] }).rules;
  };
  return {
    async add(rule) {
      const response = await call(
        controlUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(rule),
        },
        201,
      );
      const { id } = (await response.json()) as { id: number };
      return {
        id,
        hits: async () => (await rules()).find((state) => state.id === id)?.hits ?? 0,
        remove: async () => {
          await call(`${controlUrl}/${id}`, { method: 'DELETE' }, 204);
        },
      };
    },
    rules,
    async clear() {
      await call(controlUrl, { method: 'DELETE' }, 204);
    },
    async requests(path) {
      const url = new URL('/_requests', origin);
      if (path !== undefined) url.searchParams.set('path', path);
      const response = await call(url.href, {}, 200);
      return ((await response.json()) as { requests: ProxiedRequest[] }).requests;
    },
  };
}
