export { createBlobStore, SNIFF_BYTES } from './blob-store.js'
export type { BlobStore, PutResult } from './blob-store.js'
export { detectType, OCTET_STREAM } from './detect-type.js'
