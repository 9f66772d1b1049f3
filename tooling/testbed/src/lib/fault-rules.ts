/**
 * What the fault proxy can do to a request, and which requests it does it to.
 * Plain JSON, so tests in worker processes can send rules over HTTP.
 */

/** One injected fault. */
export type Fault =
  | {
      /** Answer this status without forwarding (the request body is read first). */
      type: 'status';
      /** The status, such as 503 or 429. */
      status: number;
      /** A `Retry-After` delay in seconds. */
      retryAfter?: number;
      /**
       * How to send `retryAfter`: delta seconds, or an HTTP date that many
       * seconds after the fault fires.
       * @default 'seconds'
       */
      retryAfterFormat?: 'seconds' | 'http-date';
      /** The body; a distribution-style JSON error by default. */
      body?: string;
      /** Extra response headers. */
      headers?: Record<string, string>;
    }
  | {
      /** Close the connection in the middle of the response headers. */
      type: 'drop-headers';
    }
  | {
      /**
       * Forward, then close the connection after `afterBytes` body bytes,
       * with the upstream `Content-Length` still announced.
       */
      type: 'drop-body';
      afterBytes: number;
    }
  | {
      /**
       * Forward, but send only the first `bytes` body bytes, correctly framed
       * (`Content-Length: bytes`): a well-formed response with a short body.
       */
      type: 'truncate';
      bytes: number;
    }
  | {
      /**
       * Forward, and add (or replace) response headers, such as `Warning` or
       * `RateLimit-Remaining`; an array sends the header once per value.
       */
      type: 'headers';
      headers: Record<string, string | string[]>;
    }
  | {
      /**
       * Read `afterBytes` of the request body, then close the connection
       * without forwarding anything: a buffering proxy or load balancer that
       * loses the client mid-upload (the registry never sees the request).
       */
      type: 'drop-request';
      afterBytes: number;
    }
  | {
      /**
       * Forward, sending the response body at no more than `bytesPerSecond`
       * (per response, so per connection): a link whose connections are slow.
       */
      type: 'throttle';
      bytesPerSecond: number;
    }
  | {
      /** Wait `ms` milliseconds, then forward. */
      type: 'delay';
      ms: number;
    }
  | {
      /** Forward, with the body byte at `offset` inverted (all bits flipped). */
      type: 'corrupt';
      /** @default 0 */
      offset?: number;
    };

/** Which requests get a fault, and how often. */
export interface FaultRule {
  /** The HTTP method (any case); any method when absent. */
  method?: string;
  /**
   * A regular expression (source text) tested against the request's path and
   * query, as sent and percent-decoded, such as `/v2/my-repo-123/blobs/` or
   * `scope=repository:my-repo-123:`. Put the test's unique repository name in
   * it: every test shares the proxy.
   */
  path: string;
  /**
   * How many matching requests get the fault; later ones pass through.
   * @default 1
   */
  times?: number | 'always';
  /** What to do. */
  fault: Fault;
}

/** A rule as the proxy keeps it. */
export interface FaultRuleState extends FaultRule {
  /** Its id, for removal. */
  id: number;
  /** How many requests it has faulted. */
  hits: number;
}

/** A request the fault proxy saw. */
export interface ProxiedRequest {
  /** When it arrived (ISO 8601). */
  time: string;
  method: string;
  /** The path and query. */
  path: string;
  /** The status sent, or 0 when the connection was dropped before one. */
  status: number;
  /** The rule that faulted it, if any. */
  fault?: { rule: number; type: Fault['type'] };
}

/**
 * Checks the shape of a rule sent over HTTP.
 *
 * @param value - the parsed JSON
 * @returns the rule
 * @throws {Error} naming the first bad field
 */
export function validateFaultRule(value: unknown): FaultRule {
  const rule = value as FaultRule;
  if (typeof rule !== 'object' || rule === null) throw new Error('A fault rule must be an object');
  if (typeof rule.path !== 'string') throw new Error('A fault rule needs "path" (a RegExp source)');
  new RegExp(rule.path);
  if (rule.method !== undefined && typeof rule.method !== 'string') {
    throw new Error('"method" must be a string');
  }
  const times = rule.times ?? 1;
  if (times !== 'always' && !(Number.isInteger(times) && times > 0)) {
    throw new Error(`"times" must be a positive integer or "always", not ${JSON.stringify(times)}`);
  }
  const types: Fault['type'][] = [
    'status',
    'drop-headers',
    'drop-body',
    'drop-request',
    'truncate',
    'throttle',
    'headers',
    'delay',
    'corrupt',
  ];
  if (typeof rule.fault !== 'object' || !types.includes(rule.fault?.type)) {
    throw new Error(`"fault.type" must be one of ${types.join(', ')}`);
  }
  if (rule.fault.type === 'headers') {
    const headers = rule.fault.headers as unknown;
    const isValue = (value: unknown) =>
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (typeof headers !== 'object' || headers === null || !Object.values(headers).every(isValue)) {
      throw new Error('"fault.headers" must map header names to strings or arrays of strings');
    }
  }
  return rule;
}

/**
 * Finds the first rule with faults left that matches a request, and uses one.
 *
 * @param rules - the rules, in the order they were added
 * @param method - the request method
 * @param path - the request path and query, as sent
 * @returns the rule, its `hits` incremented, or undefined
 */
export function takeFault(
  rules: FaultRuleState[],
  method: string,
  path: string,
): FaultRuleState | undefined {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // not percent-encoded validly: match the raw form only
  }
  for (const rule of rules) {
    const times = rule.times ?? 1;
    if (times !== 'always' && rule.hits >= times) continue;
    if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
    const regex = new RegExp(rule.path);
    if (!regex.test(path) && !regex.test(decoded)) continue;
    rule.hits++;
    return rule;
  }
  return undefined;
}
