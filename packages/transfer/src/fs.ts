export { FileBlobLocations } from './lib/file-blob-locations.node.ts';
