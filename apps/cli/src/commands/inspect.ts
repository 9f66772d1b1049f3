import type { InspectResult } from '@ocikit/client';
import type { CommandRun } from '../lib/program.ts';
import { formatBytes } from '../lib/units.ts';

/** `ocikit inspect LOCATION`: `Client.inspect` as JSON, a summary, or the manifest bytes. */
export const run: CommandRun = async ([location], _flags, session) => {
  const client = await session.client();
  const result = await client.inspect(location as string);
  if (session.format === 'raw') session.out(result.manifest.bytes);
  else if (session.format === 'json') session.json(inspectJson(result));
  else session.out(inspectText(result));
};

/** The documented JSON shape of `inspect` (README, "JSON shapes"). */
function inspectJson(result: InspectResult): unknown {
  const { manifest, config } = result;
  return {
    name: result.name,
    digest: result.digest,
    mediaType: result.mediaType,
    kind: result.kind,
    size: result.descriptor.size,
    totalSize: result.totalSize,
    platforms: result.platforms.map(({ platform, descriptor }) => ({
      platform: platform ?? null,
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      size: descriptor.size,
    })),
    config:
      config === undefined
        ? null
        : {
            digest: config.descriptor.digest,
            mediaType: config.descriptor.mediaType,
            size: config.descriptor.size,
            created: config.created ?? null,
            platform: config.platform,
            labels: config.labels,
            history: config.history,
          },
    layers:
      manifest.kind === 'manifest'
        ? manifest.value.layers.map(({ digest, mediaType, size }) => ({ digest, mediaType, size }))
        : [],
  };
}

function inspectText(result: InspectResult): string {
  const lines = [
    `Name:       ${result.name}`,
    `Digest:     ${result.digest}`,
    `Media type: ${result.mediaType}`,
    `Size:       ${formatBytes(result.totalSize)} in all`,
  ];
  if (result.platforms.length > 0) {
    lines.push('Platforms:');
    for (const { platform, descriptor } of result.platforms) {
      lines.push(`  ${(platform ?? 'unknown').padEnd(20)} ${descriptor.digest}`);
    }
  }
  const config = result.config;
  if (config !== undefined) {
    lines.push(`Platform:   ${config.platform}`, `Created:    ${config.created ?? 'unknown'}`);
    const labels = Object.entries(config.labels);
    if (labels.length > 0) {
      lines.push('Labels:');
      for (const [key, value] of labels) lines.push(`  ${key}=${value}`);
    }
  }
  if (result.manifest.kind === 'manifest') {
    lines.push('Layers:');
    for (const layer of result.manifest.value.layers) {
      lines.push(`  ${layer.digest}  ${formatBytes(layer.size).padStart(10)}  ${layer.mediaType}`);
    }
  }
  if (config !== undefined && config.history.length > 0) {
    lines.push('History:');
    for (const step of config.history) {
      lines.push(`  ${step.created ?? ''}  ${(step.created_by ?? '').slice(0, 100)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
