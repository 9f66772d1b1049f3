import {
  encodeBasicAuth,
  findCredentialKey,
  formatChallenge,
  formatScope,
  mergeScopes,
  parseChallenges,
  scopesCover,
  staticCredentials,
} from '@ocikit/auth';
import { isOciError } from '@ocikit/digest';
import { check } from './check.ts';

/** Parses challenges, merges scopes and looks up credentials through the built @ocikit/auth. */
export async function smokeAuth(): Promise<void> {
  const challenges = parseChallenges([
    'Basic realm="basic", Bearer realm="https://auth.example/token",service="reg",scope="repository:a:push,pull"',
    'Negotiate abc==',
  ]);
  check(challenges.length === 3, 'three challenges from two header values');
  check(challenges[1]?.params.scope === 'repository:a:push,pull', 'quoted scope with a comma');
  check(challenges[2]?.token68 === 'abc==', 'token68');
  const header = formatChallenge({ scheme: 'Bearer', params: { realm: 'a"b' } });
  check(parseChallenges(header)[0]?.params.realm === 'a"b', 'challenge round trip');
  try {
    parseChallenges('Bearer realm="unterminated');
    check(false, 'parseChallenges accepted garbage');
  } catch (error) {
    check(isOciError(error, 'CHALLENGE_INVALID'), 'parseChallenges error code');
  }

  const merged = mergeScopes(['repository:a:push', 'repository:b:pull', 'repository:a:pull']);
  check(
    merged.map(formatScope).join(' ') === 'repository:a:pull,push repository:b:pull',
    'scopes merged with sorted actions',
  );
  check(scopesCover(merged, ['repository:a:push']), 'scope coverage');
  check(!scopesCover(merged, ['repository:b:push']), 'scope non-coverage');

  check(
    findCredentialKey(['https://index.docker.io/v1/'], 'registry-1.docker.io') ===
      'https://index.docker.io/v1/',
    'Docker Hub key',
  );
  const source = staticCredentials({ 'localhost:5000': { username: 'u', password: 'p' } });
  const credential = await source.get('https://localhost:5000/v2/');
  check(credential !== undefined && 'password' in credential, 'static credential lookup');
  check(encodeBasicAuth('u', 'p') === 'dTpw', 'basic auth encoding');
}
