export {
  CLOSE_NORMAL,
  CLOSE_GOING_AWAY,
  CLOSE_UNSUPPORTED_DATA,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_INTERNAL_ERROR,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_BAD_MESSAGE,
  CLOSE_UNAUTHORIZED,
  CLOSE_FORBIDDEN,
  CLOSE_NOT_FOUND,
  CLOSE_TOO_MANY_CONNECTIONS,
  isTerminalCloseCode,
} from './close-codes.js'
export { createId, isId, isUserId, isLocale, normalizeTag, parseDocumentName, formatDocumentName } from './ids.js'
export type { IdPrefix, DocumentName } from './ids.js'
export { bodySchema } from './schema.js'
export type { ProseMirrorJSON } from './schema.js'
export { readEventStream } from './event-stream.js'
