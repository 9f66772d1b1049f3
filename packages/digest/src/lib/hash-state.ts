/** What a hash backend provides: the running state of one hash computation. */
export interface HashState {
  /** Feeds bytes into the hash. */
  update(data: Uint8Array): void;
  /** Finishes the hash and returns it as lower-case hex; call once. */
  hex(): string;
}
