import { ctr, getTestbed } from '@ocikit/testbed';
import { expect, it } from 'vitest';

const testbed = getTestbed();

it('runs a containerd of its own: socket and log in the temp dir, CRI plugin off', async () => {
  const { socket, logFile } = testbed.containerd;
  expect(socket.startsWith(testbed.tmpRoot)).toBe(true);
  expect(logFile.startsWith(testbed.tmpRoot)).toBe(true);
  const { stdout } = await ctr(socket, ['plugins', 'ls']);
  expect(stdout).toMatch(/io\.containerd\.content\.v1\s+content\s.*\sok\s*$/m);
  expect(stdout).toMatch(/io\.containerd\.snapshotter\.v1\s+overlayfs\s.*\sok\s*$/m);
  expect(stdout).toMatch(/io\.containerd\.grpc\.v1\s+images\s/);
  expect(stdout).not.toMatch(/io\.containerd\.grpc\.v1\s+cri\s/);
});
