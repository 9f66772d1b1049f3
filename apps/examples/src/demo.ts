// The README's demo: exercises the built packages on content made here, with
// no server needed. Run: pnpm demo
import { createVerifyStream, digestBytes, isOciError, streamFromBytes } from '@ocikit/digest';

const layer = new TextEncoder().encode('a pretend layer\n'.repeat(4096));
const digest = digestBytes(layer);
console.log(`layer of ${layer.byteLength} bytes is ${digest}`);

const verified = streamFromBytes(layer, 4096).pipeThrough(
  createVerifyStream({ digest, size: layer.byteLength }),
);
console.log(`verified stream: ${(await new Response(verified).arrayBuffer()).byteLength} bytes`);

const tampered = Uint8Array.from(layer);
tampered[0] = 0x41;
try {
  await new Response(
    streamFromBytes(tampered).pipeThrough(createVerifyStream({ digest, size: layer.byteLength })),
  ).arrayBuffer();
} catch (error) {
  if (!isOciError(error)) throw error;
  console.log(`tampered stream rejected: ${error.code}: ${error.message}`);
}
