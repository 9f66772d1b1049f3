import { isOciError } from '@ocikit/digest';
import {
  familiarMatch,
  familiarString,
  formatLocation,
  parse,
  parseAnyReference,
  parseDockerRef,
  parseLocation,
  parseNormalized,
} from '@ocikit/reference';
import { check } from './check.ts';

/** Parses references and locations through the built @ocikit/reference. */
export async function smokeReference(): Promise<void> {
  const ubuntu = parseNormalized('ubuntu:24.04');
  check(ubuntu.toString() === 'docker.io/library/ubuntu:24.04', 'parseNormalized');
  check(familiarString(ubuntu) === 'ubuntu:24.04', 'familiarString');
  check(parse('localhost:5000/app').registry === 'localhost:5000', 'parse registry');
  check(parseDockerRef('busybox').tag === 'latest', 'parseDockerRef default tag');
  check(!('name' in parseAnyReference('a'.repeat(64))), 'parseAnyReference image ID');
  check(familiarMatch('ubu*', ubuntu), 'familiarMatch');
  const location = parseLocation('oci:out:example.com/app:v1');
  check(location.kind === 'ocidir' && location.tag === 'example.com/app:v1', 'parseLocation oci:');
  check(
    formatLocation(parseLocation('ocifile://x.tar:v1')) === 'ocifile://x.tar:v1',
    'formatLocation',
  );
  try {
    parse('upper/Case:tag');
    check(false, 'parse accepted an upper-case path');
  } catch (error) {
    check(isOciError(error, 'REFERENCE_INVALID'), 'parse error code');
  }
}
