/** What the collaboration core needs from the outside world, in the narrowest shape it can use. */
import type * as Y from 'yjs'
import type { DocumentName } from '../../shared/ids.js'
import type { DocBus } from '../cluster/doc-bus.js'
import type { PresenceStore } from '../cluster/presence.js'
import type { UpdateSink } from './group-commit.js'

/** The minimal socket the core writes to; the transport owns the real one. */
export interface CollabSocket {
  send(frame: Uint8Array): void
  close(code: number, reason: string): void
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number
}

export interface CollabUser {
  readonly id: string
  readonly name: string
}

export type Access = 'read' | 'write'

export type AuthorizeResult =
  | { ok: true; libraryId: string; access: Access }
  | { ok: false; code: 'forbidden' | 'not_found'; reason: string }

export type AuthenticateResult = { ok: true; user: CollabUser } | { ok: false; reason: string }

/** Durable storage of documents: the update log, read at load and compacted now and then. */
export interface DocPersistence extends UpdateSink {
  load(doc: string): Promise<Uint8Array[]>
  compact(doc: string): Promise<{ status: string; rowsMerged?: number }>
}

export interface CollabLogger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

export interface CollabOptions {
  persistence: DocPersistence
  authenticate(token: string | null): Promise<AuthenticateResult>
  authorize(user: CollabUser, doc: DocumentName): Promise<AuthorizeResult>
  logger: CollabLogger
  /** Group-commit window. */
  commitDelayMs: number
  /** Compact a document's log once it holds this many rows. */
  compactAfterUpdates: number
  /** Unload a document this long after its last connection left. */
  unloadAfterMs: number
  maxConnectionsPerUser: number
  /** A recipient with more than this queued is too slow to keep up and is disconnected. */
  maxBufferedBytes: number
  /** Fan-out to the other nodes; a single node needs none. */
  bus?: DocBus
  /** Told how long a change took from the node that made it to this one (metrics). */
  onFanOut?(milliseconds: number): void
  /** Presence shared by all nodes (Redis); a single node answers from memory. */
  presence?: PresenceStore
  /** Called after a document's changes were committed (for indexes kept beside the documents). */
  onCommitted?(documentName: string, document: DocumentName, doc: Y.Doc): void
}
