/**
 * One client's socket on one document: decodes each frame, enforces the connection's access, and
 * hands the change to its room. Every refusal closes this socket only; the room and its other
 * clients never see the bad input.
 */
import * as Y from 'yjs'
import { CLOSE_BAD_MESSAGE, CLOSE_TRY_AGAIN_LATER, CLOSE_UNSUPPORTED_DATA } from '../../shared/close-codes.js'
import { guardAwarenessUpdate } from './awareness-guard.js'
import { decodeMessage, encodePermissionDenied, isEmptyUpdate, type ClientMessage } from './messages.js'
import type { Room, RoomMember } from './room.js'
import type { Access, CollabSocket, CollabUser } from './types.js'

export interface ConnectionHooks {
  onClose(connection: Connection): void
  onMessage(): void
  onSend(): void
}

export class Connection implements RoomMember {
  clientId: number | null = null
  readonly joinedAt = new Date().toISOString()
  #open = true
  #answeredReadOnly = false

  constructor(
    readonly socket: CollabSocket,
    readonly user: CollabUser,
    readonly room: Room,
    public access: Access,
    readonly maxBufferedBytes: number,
    readonly hooks: ConnectionHooks,
  ) {}

  get isOpen(): boolean {
    return this.#open
  }

  /** Joins the room and starts the sync: the server's step 1, and who is here. */
  start(): void {
    this.room.add(this)
    this.#sendWhenDurable(this.room.syncStep1Frame())
    const awareness = this.room.awarenessFrame()
    if (awareness) this.send(awareness)
  }

  send(frame: Uint8Array): void {
    if (!this.#open) return
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.close(CLOSE_TRY_AGAIN_LATER, 'too far behind: reconnect to resync')
      return
    }
    this.socket.send(frame)
    this.hooks.onSend()
  }

  /** Applies a new access level at once; a downgrade is announced so the client can go read-only. */
  setAccess(access: Access): void {
    const downgraded = this.access === 'write' && access === 'read'
    this.access = access
    this.#answeredReadOnly = downgraded
    if (downgraded) this.send(encodePermissionDenied(`read-only: your access to ${this.room.name} changed`))
  }

  receiveText(): void {
    this.close(CLOSE_UNSUPPORTED_DATA, 'text frames are not part of the protocol')
  }

  receive(frame: Uint8Array): void {
    if (!this.#open) return
    this.hooks.onMessage()
    const decoded = decodeMessage(frame)
    if (!decoded.ok) {
      this.close(CLOSE_BAD_MESSAGE, decoded.reason)
      return
    }
    this.#handle(decoded.message)
  }

  close(code: number, reason: string): void {
    if (!this.#open) return
    this.#open = false
    this.socket.close(code, reason)
    this.hooks.onClose(this)
  }

  /** The transport saw the socket close (client left, network gone). */
  socketClosed(): void {
    if (!this.#open) return
    this.#open = false
    this.hooks.onClose(this)
  }

  #handle(message: ClientMessage): void {
    switch (message.type) {
      case 'sync-step-1':
        this.#answerStep1(message.stateVector)
        return
      case 'sync-step-2':
      case 'sync-update':
        this.#receiveUpdate(message.update)
        return
      case 'awareness':
        this.#receiveAwareness(message.update)
        return
      case 'query-awareness': {
        const frame = this.room.awarenessFrame()
        if (frame) this.send(frame)
        return
      }
      case 'auth':
        // Clients have nothing to say in the auth sub-protocol; the token was checked at join.
        return
    }
  }

  #answerStep1(stateVector: Uint8Array): void {
    let frame: Uint8Array
    try {
      frame = this.room.syncStep2Frame(stateVector)
    } catch {
      // Y.encodeStateAsUpdate throws on a state vector it cannot decode.
      this.close(CLOSE_BAD_MESSAGE, 'malformed state vector')
      return
    }
    this.#sendWhenDurable(frame)
  }

  /** Sync frames describe the doc as it is now; they go out once all of that is committed. */
  #sendWhenDurable(frame: Uint8Array): void {
    if (this.room.isDurable()) {
      this.send(frame)
      return
    }
    void this.room.whenDurable().then(() => this.send(frame))
  }

  #receiveUpdate(update: Uint8Array): void {
    if (this.access === 'read') {
      if (!this.#answeredReadOnly && !isEmptyUpdate(update)) {
        this.#answeredReadOnly = true
        this.send(encodePermissionDenied(`read-only: your changes to ${this.room.name} are not applied`))
      }
      return
    }
    try {
      // Decode the whole update before touching the doc: Y.applyUpdate integrates structs before it
      // reads the delete set, so a truncated update would be half applied, then throw. Only a full
      // decode catches that; Y.parseUpdateMeta reads a missing delete set as an empty one.
      Y.decodeUpdate(update)
    } catch {
      this.close(CLOSE_BAD_MESSAGE, 'malformed Yjs update')
      return
    }
    let complete: boolean
    try {
      complete = this.room.apply(update, this)
    } catch {
      this.close(CLOSE_BAD_MESSAGE, 'Yjs update could not be applied')
      return
    }
    // Not final: the missing changes may reach the server soon (another tab of the same user);
    // the client's sync after reconnecting sends what was dropped again.
    if (!complete) this.close(CLOSE_TRY_AGAIN_LATER, 'update depends on changes the server does not have; resync')
  }

  #receiveAwareness(update: Uint8Array): void {
    const result = guardAwarenessUpdate(update, this.clientId, (id) => this.#ownerOf(id), this.user)
    if (!result.ok) {
      this.close(CLOSE_BAD_MESSAGE, result.reason)
      return
    }
    if (result.clientId !== null && this.clientId === null) {
      this.clientId = result.clientId
      this.room.clientOwners.set(result.clientId, this)
    }
    if (result.update) this.room.relayAwareness(result.update, this)
  }

  #ownerOf(clientId: number): 'self' | 'other' | 'none' {
    const owner = this.room.clientOwners.get(clientId) as Connection | undefined
    if (owner === this) return 'self'
    // The same user's older connection (a reconnect before the old socket timed out) gives way.
    if (owner !== undefined) return owner.user.id === this.user.id ? 'none' : 'other'
    // A live state is someone's, even if its connection is gone; it times out on its own.
    return this.room.awareness.getStates().has(clientId) ? 'other' : 'none'
  }
}
