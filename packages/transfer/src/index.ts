export { type CopyDestination, type CopyRequest, type CopySource, copy } from './lib/copy.ts';
export { TransferError, type TransferOrigin } from './lib/errors.ts';
export type { CopyOptions, CopyResult } from './lib/options.ts';
export type { ProgressEvent, ProgressTotals } from './lib/progress.ts';
