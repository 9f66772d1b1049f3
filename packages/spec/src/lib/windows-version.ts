/** Windows Server 2022 (LTSC), build 20348: the first release with a stable container ABI. */
const LTSC_2022 = 20348;
/** Long-term servicing releases with a stable container ABI, ascending (2022, 2025). */
const STABLE_ABI_LTSC = [LTSC_2022, 26100];

interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
}

/**
 * Tells whether a Windows host of one `os.version` can run a container image
 * built for another, as containerd decides: same major and minor version;
 * before Windows Server 2022 the same build; from 2022 on, any build from the
 * latest long-term release older than the host up to the host's own. The
 * revision (fourth part) is ignored. A host or image without a version
 * matches anything.
 *
 * @param host - the wanted `os.version`, such as `10.0.26100`
 * @param image - the image's `os.version`, such as `10.0.20348.3091`
 * @returns whether the image runs on the host
 * @see https://learn.microsoft.com/en-us/virtualization/windowscontainers/deploy-containers/version-compatibility
 */
export function windowsVersionMatches(
  host: string | undefined,
  image: string | undefined,
): boolean {
  const hostVersion = parseWindowsVersion(host ?? '');
  if (hostVersion === undefined || image === undefined || image === '') return true;
  const imageVersion = parseWindowsVersion(image);
  if (
    imageVersion === undefined ||
    imageVersion.major !== hostVersion.major ||
    imageVersion.minor !== hostVersion.minor
  ) {
    return false;
  }
  if (hostVersion.build < LTSC_2022) return imageVersion.build === hostVersion.build;
  const oldest = STABLE_ABI_LTSC.filter((build) => build < hostVersion.build).at(-1) ?? LTSC_2022;
  return oldest <= imageVersion.build && imageVersion.build <= hostVersion.build;
}

/**
 * Orders dotted numeric versions (`10.0.26100.3000` after `10.0.26100.2894`);
 * missing or non-numeric parts count as lower.
 *
 * @param a - a version
 * @param b - another version
 * @returns negative when `a` is lower, positive when higher, 0 when equal
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = versionPart(left[index]) - versionPart(right[index]);
    if (difference !== 0) return difference;
  }
  return 0;
}

function versionPart(part: string | undefined): number {
  return part !== undefined && /^\d+$/.test(part) ? Number(part) : -1;
}

/** `major.minor.build[.revision]`, each number in the range Windows gives it. */
function parseWindowsVersion(version: string): WindowsVersion | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,5})(?:\.|$)/.exec(version);
  if (!match) return undefined;
  const [major, minor, build] = match.slice(1).map(Number) as [number, number, number];
  if (major > 255 || minor > 255 || build > 65535) return undefined;
  return { major, minor, build };
}
