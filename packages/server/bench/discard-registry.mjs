// The ceiling of a push: a registry endpoint that answers skopeo's push
// requests and throws every body byte away without hashing or storing it.
// skopeo.bench.ts times skopeo pushing into it, so the push figures of
// distribution and ocikit can be read against what skopeo itself reaches on
// this machine. Prints {"listening":"http://HOST/"} once it listens.
// Usage: node bench/discard-registry.mjs
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

let sessions = 0;
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://discard');
  const answer = (status, headers = {}) => {
    response.writeHead(status, { 'content-length': '0', ...headers });
    response.end();
  };
  if (request.method === 'GET' || request.method === 'HEAD') {
    answer(url.pathname === '/v2/' ? 200 : 404);
    return;
  }
  // Only a manifest is hashed: skopeo reads its digest back.
  const manifest = url.pathname.includes('/manifests/') ? createHash('sha256') : undefined;
  request.on('data', (chunk) => manifest?.update(chunk));
  request.on('end', () => {
    const upload = url.pathname.replace(/\/uploads\/.*$/, '/uploads/');
    if (request.method === 'POST') {
      sessions += 1;
      answer(202, { location: `${upload}${sessions}`, range: '0-0' });
    } else if (request.method === 'PATCH') {
      answer(202, { location: url.pathname, range: '0-0' });
    } else if (manifest) {
      answer(201, { 'docker-content-digest': `sha256:${manifest.digest('hex')}` });
    } else {
      const digest = url.searchParams.get('digest') ?? '';
      answer(201, { location: url.pathname, 'docker-content-digest': digest });
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${port}/` })}\n`);
});
