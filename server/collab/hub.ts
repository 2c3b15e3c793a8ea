/**
 * The collaboration core: which documents are open, who is connected to them, and joining.
 *
 * It knows nothing of WebSockets, HTTP or SQL: the transport gives it a token, a document name
 * and later a minimal socket; storage and permission checks are functions it was handed.
 *
 * @example
 *   const hub = createCollabHub(options)
 *   const ticket = await hub.join(token, 'ast_…')
 *   if (!ticket.ok) denyAndClose(ticket.closeCode, ticket.reason)
 *   else { const connection = ticket.accept(socket); socket.onmessage = (f) => connection.receive(f) }
 */
import {
  CLOSE_FORBIDDEN,
  CLOSE_GOING_AWAY,
  CLOSE_INTERNAL_ERROR,
  CLOSE_NOT_FOUND,
  CLOSE_TOO_MANY_CONNECTIONS,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNAUTHORIZED,
} from '../../shared/close-codes.js'
import { parseDocumentName, type DocumentName } from '../../shared/ids.js'
import { Connection } from './connection.js'
import { GroupCommitter } from './group-commit.js'
import { Room, type RoomContext } from './room.js'
import type { PresenceEntry } from '../cluster/presence.js'
import type { Access, CollabOptions, CollabSocket, CollabUser } from './types.js'

export type JoinTicket =
  | {
      ok: true
      user: CollabUser
      access: Access
      /** Attaches the socket; the connection starts syncing at once (null: closed, retry later). */
      accept(socket: CollabSocket): Connection | null
      /** The upgrade failed after all: give back what the ticket held. */
      cancel(): void
    }
  | { ok: false; closeCode: number; reason: string; userId: string | null }

export interface CollabStats {
  documents: number
  connections: number
  messagesIn: number
  messagesOut: number
}

export class CollabHub {
  readonly #options: CollabOptions
  readonly #committer: GroupCommitter
  readonly #rooms = new Map<string, Room>()
  readonly #loading = new Map<string, Promise<Room>>()
  readonly #unloadTimers = new Map<Room, ReturnType<typeof setTimeout>>()
  readonly #unsubscribes = new Map<Room, () => Promise<void>>()
  readonly #connectionsPerUser = new Map<string, number>()
  readonly #roomContext: RoomContext
  #connections = 0
  #connectionIds = new WeakMap<Connection, string>()
  #heartbeat: ReturnType<typeof setInterval> | null = null
  #messagesIn = 0
  #messagesOut = 0
  #destroyed: Promise<void> | undefined

  constructor(options: CollabOptions) {
    this.#options = options
    this.#committer = new GroupCommitter(options.persistence, { delayMs: options.commitDelayMs })
    this.#roomContext = {
      committer: this.#committer,
      persistence: options.persistence,
      logger: options.logger,
      compactAfterUpdates: options.compactAfterUpdates,
      onCommitFailed: (room, error) => this.#dropRoom(room, error),
      ...(options.onCommitted
        ? { onCommitted: (room: Room) => options.onCommitted?.(room.name, room.document, room.doc) }
        : {}),
      ...(options.bus ? { publish: (room: Room, kind: 'update' | 'awareness', payload: Uint8Array) => options.bus?.publish(room.name, kind, payload) } : {}),
    }
    options.bus?.onReconnect(() => void this.#resyncAll())
  }

  stats(): CollabStats {
    return {
      documents: this.#rooms.size,
      connections: this.#connections,
      messagesIn: this.#messagesIn,
      messagesOut: this.#messagesOut,
    }
  }

  async join(token: string | null, documentName: string): Promise<JoinTicket> {
    const auth = await this.#options.authenticate(token)
    if (!auth.ok) return { ok: false, closeCode: CLOSE_UNAUTHORIZED, reason: auth.reason, userId: null }
    const { user } = auth
    const document = parseDocumentName(documentName)
    if (!document) return { ok: false, closeCode: CLOSE_NOT_FOUND, reason: 'unknown document', userId: user.id }
    const decision = await this.#options.authorize(user, document)
    if (!decision.ok) {
      const closeCode = decision.code === 'not_found' ? CLOSE_NOT_FOUND : CLOSE_FORBIDDEN
      return { ok: false, closeCode, reason: decision.reason, userId: user.id }
    }
    if (this.#destroyed) return { ok: false, closeCode: CLOSE_GOING_AWAY, reason: 'server shutting down', userId: user.id }
    // Counted from the ticket on, so that concurrent joins cannot slip past the limit together.
    if (!this.#countConnection(user.id)) {
      return { ok: false, closeCode: CLOSE_TOO_MANY_CONNECTIONS, reason: 'too many open connections', userId: user.id }
    }
    let room: Room
    try {
      room = await this.#openRoom(documentName, document, decision.libraryId)
    } catch (error) {
      this.#uncountConnection(user.id)
      throw error
    }
    let settled = false
    return {
      ok: true,
      user,
      access: decision.access,
      accept: (socket) => {
        if (settled) throw new Error('join ticket used twice')
        settled = true
        room.refs--
        if (room.state !== 'open' || this.#destroyed) {
          // Dropped after a store failure, or shutting down, while the upgrade completed.
          this.#uncountConnection(user.id)
          socket.close(CLOSE_TRY_AGAIN_LATER, 'document is being reloaded; retry')
          return null
        }
        return this.#attach(socket, user, room, decision.access)
      },
      cancel: () => {
        if (settled) return
        settled = true
        this.#uncountConnection(user.id)
        this.#release(room)
      },
    }
  }

  /**
   * Runs `fn` with a document loaded (from memory or the store); the room stays loaded meanwhile.
   * Changes made through `room.change` are broadcast and committed like a client's.
   */
  async withRoom<T>(documentName: string, libraryId: string, fn: (room: Room) => T | Promise<T>): Promise<T> {
    if (this.#destroyed) throw new Error('the collaboration hub is shut down')
    const document = parseDocumentName(documentName)
    if (!document) throw new Error(`not a document name: ${documentName}`)
    const room = await this.#openRoom(documentName, document, libraryId)
    try {
      return await fn(room)
    } finally {
      this.#release(room)
    }
  }

  /**
   * Re-checks the access of every open connection of a user in a library, after a role change:
   * `accessFor` answers for each document kind; 'none' closes the connection with 4403.
   */
  refreshAccess(libraryId: string, userId: string, accessFor: (document: DocumentName) => Access | 'none'): number {
    let changed = 0
    for (const room of this.#rooms.values()) {
      if (room.libraryId !== libraryId) continue
      const access = accessFor(room.document)
      for (const member of room.members) {
        const connection = member as Connection
        if (connection.user.id !== userId || connection.access === access) continue
        changed++
        if (access === 'none') connection.close(CLOSE_FORBIDDEN, 'access revoked')
        else connection.setAccess(access)
        this.#options.logger.info({ user: userId, doc: room.name, access }, 'access changed')
      }
    }
    return changed
  }

  /** Who is in which document of a library now: on every node with shared presence, else here. */
  async presence(libraryId: string): Promise<PresenceEntry[]> {
    if (this.#options.presence) return this.#options.presence.list(libraryId)
    return this.localPresence(libraryId)
  }

  /** Who is in which document of a library on this node. */
  localPresence(libraryId: string): PresenceEntry[] {
    const entries: PresenceEntry[] = []
    for (const room of this.#rooms.values()) {
      if (room.libraryId !== libraryId) continue
      for (const member of room.members) {
        const connection = member as Connection
        entries.push({ document: room.name, userId: connection.user.id, name: connection.user.name, access: connection.access, since: connection.joinedAt })
      }
    }
    return entries
  }

  /**
   * Closes every connection to a library's documents with 4404 and unloads them, committing what
   * is pending first: the library is about to be deleted.
   */
  closeLibrary(libraryId: string): Promise<void> {
    return this.#closeRooms((room) => room.libraryId === libraryId, 'library deleted')
  }

  /** The same for one asset's documents (the asset, its comments, its translations). */
  closeAsset(assetId: string): Promise<void> {
    return this.#closeRooms((room) => room.document.assetId === assetId, 'asset deleted')
  }

  async #closeRooms(which: (room: Room) => boolean, reason: string): Promise<void> {
    const rooms = [...this.#rooms.values()].filter(which)
    for (const room of rooms) {
      for (const member of [...room.members]) (member as Connection).close(CLOSE_NOT_FOUND, reason)
    }
    await Promise.allSettled(rooms.map((room) => room.close()))
    for (const room of rooms) {
      this.#unsubscribeRoom(room)
      if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name)
    }
  }

  /** Commits what is pending, unloads every document and closes every connection. */
  destroy(): Promise<void> {
    return (this.#destroyed ??= this.#runDestroy())
  }

  async #runDestroy(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat)
    for (const timer of this.#unloadTimers.values()) clearTimeout(timer)
    this.#unloadTimers.clear()
    await Promise.allSettled(this.#loading.values())
    for (const room of this.#rooms.values()) {
      for (const member of [...room.members]) (member as Connection).close(CLOSE_GOING_AWAY, 'server shutting down')
    }
    await this.#committer.flush()
    await Promise.allSettled([...this.#rooms.values()].map((room) => room.close()))
    for (const room of this.#rooms.values()) this.#unsubscribeRoom(room)
    this.#rooms.clear()
  }

  /** Opens (or finds) a document's room and holds a reference on it. */
  async #openRoom(name: string, document: DocumentName, libraryId: string): Promise<Room> {
    for (;;) {
      const existing = this.#rooms.get(name)
      if (existing && existing.state === 'open') {
        this.#retain(existing)
        return existing
      }
      if (existing) {
        // It is being unloaded (or was dropped): wait until it is gone, then load it afresh. A
        // failed close was already logged by whoever started it, so its error is not ours to report.
        await existing.close().catch(() => undefined)
        if (this.#rooms.get(name) === existing) this.#rooms.delete(name)
        continue
      }
      let loading = this.#loading.get(name)
      if (!loading) {
        loading = this.#load(name, document, libraryId)
        this.#loading.set(name, loading)
        void loading.then(
          () => this.#loading.delete(name),
          () => this.#loading.delete(name),
        )
      }
      const room = await loading
      if (room.state !== 'open') continue
      this.#retain(room)
      return room
    }
  }

  async #load(name: string, document: DocumentName, libraryId: string): Promise<Room> {
    // Subscribed before loading: nothing another node publishes meanwhile is missed.
    const early: Uint8Array[] = []
    let room: Room | null = null
    const unsubscribe = this.#options.bus
      ? await this.#options.bus.subscribe(name, (kind, payload, sentAt) => {
          this.#options.onFanOut?.(Date.now() - sentAt)
          if (!room) {
            if (kind === 'update') early.push(payload)
            return
          }
          if (room.state !== 'open') return
          if (kind === 'update') room.applyFromCluster(payload)
          else room.awarenessFromCluster(payload)
        })
      : null
    const stored = await this.#options.persistence.load(name)
    room = new Room(name, document, libraryId, stored, this.#roomContext)
    for (const update of early) room.applyFromCluster(update)
    if (unsubscribe) this.#unsubscribes.set(room, unsubscribe)
    this.#rooms.set(name, room)
    return room
  }

  /** After the bus was cut off: every open document catches up with the store. */
  async #resyncAll(): Promise<void> {
    for (const room of [...this.#rooms.values()]) {
      if (room.state !== 'open') continue
      try {
        room.resyncFromStore(await this.#options.persistence.load(room.name))
      } catch (error) {
        this.#options.logger.warn({ doc: room.name, err: error }, 'resync after reconnect failed')
      }
    }
    this.#options.logger.info({ documents: this.#rooms.size }, 'resynchronised documents after the cluster bus reconnected')
  }

  #unsubscribeRoom(room: Room): void {
    const unsubscribe = this.#unsubscribes.get(room)
    this.#unsubscribes.delete(room)
    void unsubscribe?.()
  }

  #retain(room: Room): void {
    room.refs++
    const timer = this.#unloadTimers.get(room)
    if (timer) {
      clearTimeout(timer)
      this.#unloadTimers.delete(room)
    }
  }

  #release(room: Room): void {
    room.refs--
    this.#scheduleUnload(room)
  }

  #scheduleUnload(room: Room): void {
    if (!room.isIdle() || room.state !== 'open' || this.#unloadTimers.has(room) || this.#destroyed) return
    const timer = setTimeout(() => {
      this.#unloadTimers.delete(room)
      if (!room.isIdle() || room.state !== 'open') return
      void room.close().then(
        () => {
          this.#unsubscribeRoom(room)
          if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name)
        },
        (error: unknown) => this.#dropRoom(room, error),
      )
    }, this.#options.unloadAfterMs)
    timer.unref()
    this.#unloadTimers.set(room, timer)
  }

  /** Shared presence (several nodes): this connection is here, renewed until it leaves. */
  #announce(connection: Connection): void {
    const presence = this.#options.presence
    if (!presence) return
    const key = `${this.#options.bus?.nodeId ?? 'node'}:${crypto.randomUUID()}`
    this.#connectionIds.set(connection, key)
    presence.set(connection.room.libraryId, key, this.#entryOf(connection)).catch((error: unknown) => this.#options.logger.warn({ err: error }, 'presence not written'))
    this.#heartbeat ??= setInterval(() => {
      const entries = [...this.#rooms.values()].flatMap((room) =>
        [...room.members].flatMap((member) => {
          const key = this.#connectionIds.get(member as Connection)
          return key ? [{ libraryId: room.libraryId, key, entry: this.#entryOf(member as Connection) }] : []
        }),
      )
      presence.heartbeat(entries).catch((error: unknown) => this.#options.logger.warn({ err: error }, 'presence heartbeat failed'))
    }, presence.heartbeatMs)
    this.#heartbeat.unref()
  }

  #withdraw(connection: Connection): void {
    const key = this.#connectionIds.get(connection)
    if (!key) return
    this.#connectionIds.delete(connection)
    this.#options.presence?.remove(connection.room.libraryId, key).catch((error: unknown) => this.#options.logger.warn({ err: error }, 'presence not removed'))
  }

  #entryOf(connection: Connection): PresenceEntry {
    return { document: connection.room.name, userId: connection.user.id, name: connection.user.name, access: connection.access, since: connection.joinedAt }
  }

  #countConnection(userId: string): boolean {
    const open = this.#connectionsPerUser.get(userId) ?? 0
    if (open >= this.#options.maxConnectionsPerUser) return false
    this.#connectionsPerUser.set(userId, open + 1)
    return true
  }

  #uncountConnection(userId: string): void {
    const left = (this.#connectionsPerUser.get(userId) ?? 1) - 1
    if (left <= 0) this.#connectionsPerUser.delete(userId)
    else this.#connectionsPerUser.set(userId, left)
  }

  #attach(socket: CollabSocket, user: CollabUser, room: Room, access: Access): Connection {
    const connection = new Connection(socket, user, room, access, this.#options.maxBufferedBytes, {
      onClose: (c) => this.#detach(c),
      onMessage: () => {
        this.#messagesIn++
      },
      onSend: () => {
        this.#messagesOut++
      },
    })
    this.#connections++
    connection.start()
    this.#announce(connection)
    this.#options.logger.info({ user: user.id, doc: room.name, access }, 'join')
    return connection
  }

  #detach(connection: Connection): void {
    const { room, user } = connection
    this.#connections--
    this.#uncountConnection(user.id)
    room.remove(connection)
    this.#withdraw(connection)
    this.#options.logger.info({ user: user.id, doc: room.name }, 'leave')
    this.#scheduleUnload(room)
  }

  /** The store failed under this room: drop it; clients resync their unacknowledged edits on reconnect. */
  #dropRoom(room: Room, error: unknown): void {
    if (room.state === 'closed') return
    this.#options.logger.error({ doc: room.name, err: error }, 'commit failed; document dropped')
    for (const member of [...room.members]) (member as Connection).close(CLOSE_INTERNAL_ERROR, 'storage unavailable')
    room.destroy()
    this.#unsubscribeRoom(room)
    if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name)
  }
}

export function createCollabHub(options: CollabOptions): CollabHub {
  return new CollabHub(options)
}
