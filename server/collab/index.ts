export { CollabHub, createCollabHub } from './hub.js'
export type { JoinTicket, CollabStats } from './hub.js'
export { Connection } from './connection.js'
export type { Room } from './room.js'
export type {
  Access,
  AuthenticateResult,
  AuthorizeResult,
  CollabLogger,
  CollabOptions,
  CollabSocket,
  CollabUser,
  DocPersistence,
} from './types.js'
