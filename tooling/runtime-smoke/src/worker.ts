// An edge module: the consumer smoke bundles it with esbuild under the
// conditions of workerd, Vercel edge and none at all, checks that the bundle
// imports nothing from `node:`, and runs it.
import { digestBytes } from '@ocikit/digest';

const empty = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
if (digestBytes('') !== empty) throw new Error('smoke check failed: sha256 of nothing');
const data = new TextEncoder().encode('hello, ocikit');
if (digestBytes(data, 'sha512').length !== 'sha512:'.length + 128) {
  throw new Error('smoke check failed: sha512');
}
