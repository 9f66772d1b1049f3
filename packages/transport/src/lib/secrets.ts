import { type Credential, encodeBasicAuth } from '@ocikit/auth';

const REDACTED = '<redacted>';
/** How deep the `detail` of an error body is kept; deeper values become `…`. */
const MAX_DETAIL_DEPTH = 32;

/**
 * The secrets a transport has sent to one registry host (passwords,
 * identity and registry tokens, Basic values, bearer tokens), in each form
 * a server may echo them back: plain, base64 (`user:password`), and
 * URL-encoded (path and form). Text taken from a response is passed through
 * {@link SentSecrets.redact} before it goes into an error or a trace.
 */
export class SentSecrets {
  readonly #forms = new Set<string>();
  #sorted: string[] = [];

  /**
   * Records a credential used for the host: its secret, and the Basic
   * value (and `user:password`) it is sent as.
   *
   * @param credential - the credential
   */
  addCredential(credential: Credential): void {
    if ('password' in credential) {
      this.#add(credential.password);
      this.#add(encodeBasicAuth(credential.username, credential.password));
      this.#add(`${credential.username}:${credential.password}`);
    } else if ('identityToken' in credential) {
      // A token server may get it as Basic, as `@ocikit/auth` sends it on GET.
      this.#add(credential.identityToken);
      this.#add(encodeBasicAuth(credential.username ?? '<token>', credential.identityToken));
    } else {
      this.#add(credential.registryToken);
    }
  }

  /**
   * Records an `Authorization` value sent to the host: its credentials
   * (`Bearer <token>` → the token, `Basic <base64>` → the base64 value).
   *
   * @param authorization - the header value
   */
  addAuthorization(authorization: string): void {
    const space = authorization.indexOf(' ');
    this.#add(space < 0 ? authorization : authorization.slice(space + 1).trim());
  }

  /**
   * Replaces every recorded secret in a text by `<redacted>`.
   *
   * @param text - text from a response
   * @returns the text without the secrets
   */
  redact(text: string): string {
    let out = text;
    for (const form of this.#sorted) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  }

  /**
   * Redacts every string (and object key) of a parsed JSON value; nesting
   * deeper than 32 levels is cut to `…`.
   *
   * @param value - a value parsed from a response
   * @param depth - how deep `value` sits (for the recursion)
   * @returns the value without the secrets
   */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_DETAIL_DEPTH) return '…';
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        this.redact(key),
        this.redactValue(item, depth + 1),
      ]),
    );
  }

  #add(secret: string): void {
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ];
    let added = false;
    for (const form of forms) {
      if (form === '' || this.#forms.has(form)) continue;
      this.#forms.add(form);
      added = true;
    }
    // Longer forms first, so that a secret inside another is not half-redacted.
    if (added) this.#sorted = [...this.#forms].sort((a, b) => b.length - a.length);
  }
}

const bySentResponse = new WeakMap<Response, SentSecrets>();

/**
 * Ties a response to the secrets sent to its host, for {@link secretsOf}.
 *
 * @param response - a response the transport received
 * @param secrets - what the transport has sent to that host
 */
export function rememberSecrets(response: Response, secrets: SentSecrets): void {
  bySentResponse.set(response, secrets);
}

/**
 * Removes from a text taken from a response every secret the transport has
 * sent to the response's host (a response the transport did not return
 * passes through as it is). Use it for any header or body text that goes
 * into an error message.
 *
 * @param response - the response the text came from
 * @param text - the text
 * @returns the text without the secrets
 */
export function redactEchoedSecrets(response: Response, text: string): string {
  return bySentResponse.get(response)?.redact(text) ?? text;
}

/**
 * The secrets sent to the host of a response the transport returned.
 *
 * @param response - the response
 * @returns the secrets, or undefined for a response from elsewhere
 */
export function secretsOf(response: Response): SentSecrets | undefined {
  return bySentResponse.get(response);
}
