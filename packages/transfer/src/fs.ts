export { FileBlobLocations } from './lib/file-blob-locations.node.ts';
export { FileUploadSessions } from './lib/file-upload-sessions.node.ts';
