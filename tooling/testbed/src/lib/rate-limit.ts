import { type FaultHandle, faultClient } from './fault-client.ts';
import { makeImage } from './images/image.ts';
import { pushImage } from './push.ts';
import type { RegistryEndpoint } from './registry-auth.ts';

/** Docker Hub's headers for a spent pull budget: 100 pulls per 6 hours (`w=21600`), none left. */
export const SPENT_RATE_LIMIT_HEADERS: Readonly<Record<string, string>> = {
  'ratelimit-limit': '100;w=21600',
  'ratelimit-remaining': '0;w=21600',
};

/**
 * Makes a fault proxy add {@link SPENT_RATE_LIMIT_HEADERS} to every
 * response whose path matches, as Docker Hub does once the budget is spent.
 *
 * @param controlUrl - the proxy's control URL (`TestbedInfo.faults.controlUrl`)
 * @param path - a RegExp source of the paths (put the test's own repository in it)
 * @returns the rule; remove it when the test ends
 */
export function spendRateLimitAt(controlUrl: string, path: string): Promise<FaultHandle> {
  return faultClient(controlUrl).add({
    path,
    times: 'always',
    fault: { type: 'headers', headers: { ...SPENT_RATE_LIMIT_HEADERS } },
  });
}

/**
 * Pushes one small, different image per tag into a repository.
 *
 * @param endpoint - the registry and account
 * @param repo - the repository name
 * @param tags - the tags, pushed in this order
 */
export async function pushTaggedImages(
  endpoint: RegistryEndpoint,
  repo: string,
  tags: readonly string[],
): Promise<void> {
  for (const tag of tags) {
    await pushImage(endpoint, repo, await makeImage({ seed: `${repo}-${tag}` }), { tag });
  }
}
