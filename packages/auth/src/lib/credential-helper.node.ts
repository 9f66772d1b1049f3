import { abortError, OciError } from '@ocikit/digest';
import type { BasicCredential, Credential, IdentityTokenCredential } from './credential.ts';
import { isHelperName } from './docker-config.ts';
import type { Environment } from './env-credentials.ts';
import { isRecord } from './json.ts';

/** Options of {@link credentialHelper}. */
export interface CredentialHelperOptions {
  /**
   * The environment of the helper process; its `PATH` is where
   * `docker-credential-<name>` is looked up.
   * @default process.env
   */
  env?: Environment;
  /**
   * The longest a helper may run, in milliseconds; then it is killed.
   * @default 30000
   */
  timeout?: number;
  /**
   * The most bytes a helper may print; more and it is killed.
   * @default 1048576 (1 MiB)
   */
  maxOutputBytes?: number;
  /**
   * Where the helper is configured, for the hint in error messages, such as
   * `"credsStore" in /home/me/.docker/config.json`.
   * @default none
   */
  configuredIn?: string;
}

/** Options of one helper call. */
export interface CredentialHelperCallOptions {
  /** Cancels the call; the helper process is killed. */
  signal?: AbortSignal;
}

/**
 * A `docker-credential-<name>` program, spoken to by the
 * docker-credential-helpers protocol: the action as the only argument, the
 * server URL or a JSON document on stdin, JSON on stdout.
 *
 * @see https://github.com/docker/docker-credential-helpers#development
 */
export interface CredentialHelper {
  /** The helper's name, such as `desktop`; the program is `docker-credential-<name>`. */
  readonly name: string;
  /**
   * `get`: the credential stored for a server URL. The user name `<token>`
   * marks an identity token, as Docker stores them.
   *
   * @param serverUrl - the key, such as `ghcr.io` or `https://index.docker.io/v1/`
   * @param options - {@link CredentialHelperCallOptions}
   * @returns the credential, or `undefined` when the helper has none
   *   ("credentials not found in native keychain" is not an error)
   * @throws {OciError} `CREDENTIAL_HELPER_FAILED`; `ABORTED`
   */
  get(serverUrl: string, options?: CredentialHelperCallOptions): Promise<Credential | undefined>;
  /**
   * `store`: saves a credential under a server URL; an identity token is
   * stored with the user name `<token>`.
   *
   * @param serverUrl - the key
   * @param credential - a user name and password, or an identity token
   * @param options - {@link CredentialHelperCallOptions}
   * @throws {OciError} `CREDENTIAL_HELPER_FAILED`; `ABORTED`
   */
  store(
    serverUrl: string,
    credential: BasicCredential | IdentityTokenCredential,
    options?: CredentialHelperCallOptions,
  ): Promise<void>;
  /**
   * `erase`: removes the credential stored under a server URL.
   *
   * @param serverUrl - the key
   * @param options - {@link CredentialHelperCallOptions}
   * @returns whether there was one
   * @throws {OciError} `CREDENTIAL_HELPER_FAILED`; `ABORTED`
   */
  erase(serverUrl: string, options?: CredentialHelperCallOptions): Promise<boolean>;
  /**
   * `list`: the server URLs the helper holds credentials for, with their user names.
   *
   * @param options - {@link CredentialHelperCallOptions}
   * @returns server URL → user name
   * @throws {OciError} `CREDENTIAL_HELPER_FAILED`; `ABORTED`
   */
  list(options?: CredentialHelperCallOptions): Promise<Map<string, string>>;
}

/** The answer helpers give for a server they hold nothing for. */
const NOT_FOUND = 'credentials not found in native keychain';
/** The user name under which Docker stores identity tokens in helpers. */
const TOKEN_USERNAME = '<token>';
const STDERR_BYTES = 4096;

/**
 * A credential helper by name. Nothing runs until a method is called.
 *
 * @param name - such as `desktop`, `osxkeychain`, `ecr-login`
 * @param options - {@link CredentialHelperOptions}
 * @returns the helper
 * @throws {OciError} `OPTION_INVALID` for a name that is not a plain name
 *   (it could point outside `PATH`) or a bad limit
 * @see https://github.com/docker/docker-credential-helpers
 */
export function credentialHelper(
  name: string,
  options: CredentialHelperOptions = {},
): CredentialHelper {
  if (!isHelperName(name)) {
    throw new OciError('OPTION_INVALID', `Invalid credential helper name ${JSON.stringify(name)}`);
  }
  const timeout = options.timeout ?? 30_000;
  const maxOutputBytes = options.maxOutputBytes ?? 1024 * 1024;
  for (const [option, value] of [
    ['timeout', timeout],
    ['maxOutputBytes', maxOutputBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new OciError('OPTION_INVALID', `${option} must be a positive integer, not ${value}`);
    }
  }
  const run = (call: HelperCall) => runHelper(name, call, { ...options, timeout, maxOutputBytes });
  return {
    name,
    async get(serverUrl, callOptions = {}) {
      const call = { action: 'get', input: serverUrl, serverUrl, ...callOptions } as const;
      const result = await run(call);
      if (result === NOT_FOUND_RESULT) return undefined;
      const answer = parseAnswer(result, name, call, options);
      const username = typeof answer.Username === 'string' ? answer.Username : '';
      const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
      if (secret === '') return undefined;
      if (username === TOKEN_USERNAME) return { identityToken: secret };
      return username === '' ? undefined : { username, password: secret };
    },
    async store(serverUrl, credential, callOptions = {}) {
      const [username, secret] =
        'identityToken' in credential
          ? [TOKEN_USERNAME, credential.identityToken]
          : [credential.username, credential.password];
      const input = `${JSON.stringify({ ServerURL: serverUrl, Username: username, Secret: secret })}\n`;
      await run({ action: 'store', input, serverUrl, secret, ...callOptions });
    },
    async erase(serverUrl, callOptions = {}) {
      const result = await run({ action: 'erase', input: serverUrl, serverUrl, ...callOptions });
      return result !== NOT_FOUND_RESULT;
    },
    async list(callOptions = {}) {
      const call = { action: 'list', input: 'unused', ...callOptions } as const;
      const result = await run(call);
      const answer = result === NOT_FOUND_RESULT ? {} : parseAnswer(result, name, call, options);
      const servers = new Map<string, string>();
      for (const [server, username] of Object.entries(answer)) {
        servers.set(server, typeof username === 'string' ? username : '');
      }
      return servers;
    },
  };
}

interface HelperCall {
  readonly action: 'get' | 'store' | 'erase' | 'list';
  readonly input: string;
  /** The server URL the call is about, for messages. */
  readonly serverUrl?: string;
  /** A secret sent on stdin, redacted from anything the helper prints back. */
  readonly secret?: string;
  readonly signal?: AbortSignal;
}

/** What a `get`, `erase` or `list` that ended in "credentials not found" returns. */
const NOT_FOUND_RESULT = Symbol('not found');

type ResolvedOptions = CredentialHelperOptions & { timeout: number; maxOutputBytes: number };

/**
 * Runs the helper once: its stdout on success, {@link NOT_FOUND_RESULT}, or
 * an error. `node:child_process` is loaded here, by the first helper run,
 * not by every process that imports this module.
 */
async function runHelper(
  name: string,
  call: HelperCall,
  options: ResolvedOptions,
): Promise<string | typeof NOT_FOUND_RESULT> {
  const { signal } = call;
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const env = Object.fromEntries(
      Object.entries(options.env ?? process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const child = spawn(`docker-credential-${name}`, [call.action], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let failure: OciError | undefined;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: OciError) => {
      failure ??= error;
      if (child.pid === undefined) settle(() => reject(failure));
      else child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      const what = `did not answer "${call.action}" within ${options.timeout} ms`;
      fail(helperError(name, call.serverUrl, what, options));
    }, options.timeout);
    const onAbort = () => fail(abortError(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes <= options.maxOutputBytes) {
        stdout.push(chunk);
        return;
      }
      const what = `printed more than ${options.maxOutputBytes} bytes`;
      fail(helperError(name, call.serverUrl, what, options));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < STDERR_BYTES) stderr.push(chunk);
      stderrBytes += chunk.byteLength;
    });
    child.stdin.on('error', () => {
      // The helper may exit without reading its input; its exit status tells.
    });
    child.stdin.end(call.input);
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      const what = missing
        ? 'is not installed (not found on PATH)'
        : error.code === 'EACCES'
          ? 'is not executable'
          : `could not be started (${error.code ?? 'unknown error'})`;
      fail(helperError(name, call.serverUrl, what, options, missing));
    });
    child.on('close', (code, killedBy) => {
      settle(() => {
        if (failure) {
          reject(failure);
          return;
        }
        const out = Buffer.concat(stdout).toString('utf8');
        if (code === 0) {
          resolve(out);
        } else if (out.trim() === NOT_FOUND && call.action !== 'store') {
          resolve(NOT_FOUND_RESULT);
        } else {
          const said = excerpt(`${out}\n${Buffer.concat(stderr).toString('utf8')}`, call.secret);
          const status = code === null ? `killed by ${killedBy}` : `exit code ${code}`;
          const what = `failed on "${call.action}" (${status}${said === '' ? '' : `: ${said}`})`;
          reject(helperError(name, call.serverUrl, what, options));
        }
      });
    });
  });
}

function parseAnswer(
  output: string,
  name: string,
  call: Pick<HelperCall, 'action' | 'serverUrl'>,
  options: CredentialHelperOptions,
): Record<string, unknown> {
  let answer: unknown;
  try {
    answer = JSON.parse(output);
  } catch {
    answer = undefined;
  }
  if (!isRecord(answer)) {
    const what = `answered "${call.action}" with something that is not a JSON object`;
    throw helperError(name, call.serverUrl, what, options);
  }
  return answer;
}

/** An error that names the helper and the host, says what happened and how to fix it. */
function helperError(
  name: string,
  serverUrl: string | undefined,
  what: string,
  options: Pick<CredentialHelperOptions, 'configuredIn'>,
  missing = false,
): OciError {
  const program = `docker-credential-${name}`;
  const about = serverUrl === undefined ? '' : ` for "${serverUrl}"`;
  const desktop = name === 'desktop' ? ' (Docker Desktop must be running)' : '';
  const remedy = missing ? `install ${program}` : `check that ${program} works${desktop}`;
  const where = options.configuredIn === undefined ? '' : `, or remove ${options.configuredIn}`;
  return new OciError(
    'CREDENTIAL_HELPER_FAILED',
    `Credential helper ${program}${about} ${what}: ${remedy}${where}`,
  );
}

/**
 * The first line of what a failing helper printed, safe to show: no JSON
 * (which could hold credentials), no control characters, the secret it was
 * given redacted, at most 200 characters.
 */
function excerpt(text: string, secret: string | undefined): string {
  const line =
    text
      .split('\n')
      .map((part) => part.trim())
      .find((part) => part !== '') ?? '';
  if (line.startsWith('{') || line.startsWith('[')) return '';
  let safe = line.replace(/[^ -~\u00a0-\uffff]/g, ' ');
  if (secret) safe = safe.split(secret).join('***');
  return safe.length > 200 ? `${safe.slice(0, 200)}…` : safe;
}
