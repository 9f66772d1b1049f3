/** One step of a request, reported to {@link TransportOptions.onTrace}. Secrets are redacted. */
export type TraceEvent =
  | {
      readonly type: 'request';
      /** Numbers the requests of one transport; events of one request share it. */
      readonly id: number;
      readonly method: string;
      /** The URL with its query redacted. */
      readonly url: string;
      /** 0 for the first attempt. */
      readonly attempt: number;
      /** Request headers, credentials redacted. */
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly method: string;
      readonly url: string;
      readonly status: number;
      /** Time to the response headers, in whole milliseconds. */
      readonly durationMs: number;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'retry';
      readonly id: number;
      /** What went wrong: a status such as `503`, or an error code. */
      readonly reason: string;
      readonly delayMs: number;
    }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly method: string;
      readonly url: string;
      /** The `OciError` code the request failed with. */
      readonly code: string;
      readonly message: string;
    };
