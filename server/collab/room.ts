/**
 * One open document: its Y.Doc, awareness, connections, and the path every change takes.
 *
 * A change is applied to the server's Y.Doc; what the doc emits within one tick is merged and
 * framed once, sent as the same bytes to every connection but its senders, and queued for a group
 * commit. When that commit lands, the same frame goes to the senders: their durable
 * acknowledgement. A joiner's sync step 2 is sent only once everything it contains is committed,
 * so a client may count step 2 as an acknowledgement too; the server's own step 1 waits likewise,
 * so its state vector tells a reconnecting client which of its edits are already durable.
 */
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { DocumentName } from '../../shared/ids.js'
import type { GroupCommitter } from './group-commit.js'
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from './messages.js'
import type { CollabLogger, DocPersistence } from './types.js'

/** The slice of a connection the room talks to. */
export interface RoomMember {
  send(frame: Uint8Array): void
  /** The Yjs client id this member speaks for, once known (from its awareness). */
  clientId: number | null
}

export interface RoomContext {
  committer: GroupCommitter
  persistence: DocPersistence
  logger: CollabLogger
  compactAfterUpdates: number
  /** The store refused a commit: the room must be dropped and its clients resync elsewhere. */
  onCommitFailed(room: Room, error: unknown): void
  onCommitted?(room: Room): void
  /** Hands this node's changes to the other nodes that have the document open. */
  publish?(room: Room, kind: 'update' | 'awareness', payload: Uint8Array): void
}

/** Changes that came from another node (already committed there) or from the store (a resync). */
export const CLUSTER_ORIGIN = 'cluster'
export const STORE_ORIGIN = 'store'

type RoomState = 'open' | 'closing' | 'closed'

const EMPTY_STATE_VECTOR_LENGTH = 1

export class Room {
  readonly doc = new Y.Doc()
  readonly awareness = new Awareness(this.doc)
  readonly members = new Set<RoomMember>()
  /** Which connection speaks for each awareness client id. */
  readonly clientOwners = new Map<number, RoomMember>()
  state: RoomState = 'open'
  /** Users other than connections (a REST request reading the doc, a join in progress). */
  refs = 0

  readonly #context: RoomContext
  #pendingUpdates: Uint8Array[] = []
  #pendingSenders = new Set<RoomMember>()
  /** Changes to relay to this node's clients only: neither committed nor published again. */
  #relayOnly: Uint8Array[] = []
  #flushScheduled = false
  #emittedSeq = 0
  #durableSeq = 0
  #durableWaiters: { seq: number; resolve: () => void }[] = []
  #fullStateFrame: Uint8Array | null = null
  #storedRows: number
  #compacting = false
  #closing: Promise<void> | undefined

  constructor(
    readonly name: string,
    readonly document: DocumentName,
    readonly libraryId: string,
    stored: readonly Uint8Array[],
    context: RoomContext,
  ) {
    this.#context = context
    this.#storedRows = stored.length
    this.awareness.setLocalState(null)
    this.doc.transact(() => {
      for (const update of stored) Y.applyUpdate(this.doc, update)
    })
    this.doc.on('update', this.#onUpdate)
  }

  /**
   * Applies a change with this origin; it is broadcast, committed and acknowledged like any other.
   * Answers false when part of it depends on changes the server does not have: Yjs would park that
   * part as pending and later serve it in step 2 although it was never committed, so it is dropped
   * instead, and the sender must resync.
   */
  apply(update: Uint8Array, origin: RoomMember | string): boolean {
    const store = this.doc.store
    // Another node's updates may wait here for one they depend on (pub/sub does not order
    // publishers); only what this update leaves pending is held against it.
    const hadPending = store.pendingStructs !== null || store.pendingDs !== null
    Y.applyUpdate(this.doc, update, origin)
    if (hadPending || (store.pendingStructs === null && store.pendingDs === null)) return true
    store.pendingStructs = null
    store.pendingDs = null
    return false
  }

  /** Runs a local change (a REST edit) as one transaction. */
  change(origin: string, fn: (doc: Y.Doc) => void): void {
    this.doc.transact(() => fn(this.doc), origin)
  }

  syncStep1Frame(): Uint8Array {
    return encodeSyncStep1(Y.encodeStateVector(this.doc))
  }

  /** Step 2 for a client's state vector; throws on a malformed state vector. */
  syncStep2Frame(stateVector: Uint8Array): Uint8Array {
    if (stateVector.length === EMPTY_STATE_VECTOR_LENGTH && stateVector[0] === 0) {
      return (this.#fullStateFrame ??= encodeSyncStep2(Y.encodeStateAsUpdate(this.doc)))
    }
    return encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector))
  }

  awarenessFrame(): Uint8Array | null {
    const clients = [...this.awareness.getStates().keys()]
    return clients.length === 0 ? null : encodeAwareness(encodeAwarenessUpdate(this.awareness, clients))
  }

  /** Applies an already guarded awareness update and relays it to everyone, the sender included. */
  relayAwareness(update: Uint8Array, origin: RoomMember): void {
    applyAwarenessUpdate(this.awareness, update, origin)
    const frame = encodeAwareness(update)
    for (const member of this.members) member.send(frame)
    this.#context.publish?.(this, 'awareness', update)
  }

  /**
   * Another node's update: applied and relayed here, but committed and published by that node. If
   * it depends on an update from a third node that has not arrived yet, Yjs keeps it pending until
   * that one does.
   */
  applyFromCluster(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, CLUSTER_ORIGIN)
  }

  /** Another node's awareness: applied and relayed to this node's clients. */
  awarenessFromCluster(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, CLUSTER_ORIGIN)
    const frame = encodeAwareness(update)
    for (const member of this.members) member.send(frame)
  }

  /** Catches up with what was committed while this node could not hear the others. */
  resyncFromStore(updates: readonly Uint8Array[]): void {
    this.doc.transact(() => {
      for (const update of updates) Y.applyUpdate(this.doc, update)
    }, STORE_ORIGIN)
  }

  add(member: RoomMember): void {
    this.members.add(member)
  }

  remove(member: RoomMember): void {
    if (!this.members.delete(member)) return
    const clientId = member.clientId
    if (clientId === null || this.clientOwners.get(clientId) !== member) return
    this.clientOwners.delete(clientId)
    if (!this.awareness.getStates().has(clientId)) return
    removeAwarenessStates(this.awareness, [clientId], 'leave')
    const removal = encodeAwarenessUpdate(this.awareness, [clientId])
    const frame = encodeAwareness(removal)
    for (const other of this.members) other.send(frame)
    this.#context.publish?.(this, 'awareness', removal)
  }

  isIdle(): boolean {
    return this.members.size === 0 && this.refs === 0
  }

  /** Resolves when everything the doc holds now is committed. */
  whenDurable(): Promise<void> {
    const target = this.#emittedSeq + (this.#pendingUpdates.length > 0 ? 1 : 0)
    if (this.#durableSeq >= target) return Promise.resolve()
    return new Promise((resolve) => this.#durableWaiters.push({ seq: target, resolve }))
  }

  isDurable(): boolean {
    return this.#pendingUpdates.length === 0 && this.#durableSeq === this.#emittedSeq
  }

  /** Waits for pending commits, compacts if worthwhile, and frees the doc. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= this.#runClose())
  }

  async #runClose(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closing'
    await this.whenDurable()
    if (this.#storedRows > 1) await this.#compact()
    this.destroy()
  }

  destroy(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.doc.off('update', this.#onUpdate)
    this.awareness.destroy()
    this.doc.destroy()
    // Nothing more will become durable; whoever waits must not hang.
    for (const waiter of this.#durableWaiters) waiter.resolve()
    this.#durableWaiters = []
  }

  readonly #onUpdate = (update: Uint8Array, origin: unknown): void => {
    this.#fullStateFrame = null
    if (origin === CLUSTER_ORIGIN || origin === STORE_ORIGIN) this.#relayOnly.push(update)
    else this.#pendingUpdates.push(update)
    if (typeof origin === 'object' && origin !== null && this.members.has(origin as RoomMember)) {
      this.#pendingSenders.add(origin as RoomMember)
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      setImmediate(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    if (this.state === 'closed') return
    if (this.#relayOnly.length > 0) {
      const relayed = this.#relayOnly
      this.#relayOnly = []
      const frame = encodeSyncUpdate(relayed.length === 1 ? relayed[0]! : Y.mergeUpdates(relayed))
      for (const member of this.members) member.send(frame)
    }
    if (this.#pendingUpdates.length === 0) return
    const updates = this.#pendingUpdates
    const senders = this.#pendingSenders
    this.#pendingUpdates = []
    this.#pendingSenders = new Set()
    // Safe to merge: these are the server doc's own updates, never a client's raw bytes.
    const merged = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
    const frame = encodeSyncUpdate(merged)
    // Whoever's own edits are in this update hears it only once it is committed, whoever uploaded
    // them: a client counts any update carrying its client id as an acknowledgement.
    const authors = Y.parseUpdateMeta(merged).to
    const held: RoomMember[] = []
    for (const member of this.members) {
      if (senders.has(member) || (member.clientId !== null && authors.has(member.clientId))) held.push(member)
      else member.send(frame)
    }
    const seq = ++this.#emittedSeq
    this.#context.publish?.(this, 'update', merged)
    this.#context.committer
      .enqueue(this.name, merged)
      .then(
        () => this.#onDurable(seq, frame, held),
        (error: unknown) => this.#context.onCommitFailed(this, error),
      )
      .catch((error: unknown) => this.#context.logger.error({ doc: this.name, err: error }, 'after-commit step failed'))
  }

  #onDurable(seq: number, frame: Uint8Array, held: readonly RoomMember[]): void {
    this.#durableSeq = seq
    for (const member of held) if (this.members.has(member)) member.send(frame)
    if (this.#durableWaiters.length > 0) {
      const ready = this.#durableWaiters.filter((w) => w.seq <= seq)
      this.#durableWaiters = this.#durableWaiters.filter((w) => w.seq > seq)
      for (const waiter of ready) waiter.resolve()
    }
    this.#storedRows++
    this.#context.onCommitted?.(this)
    if (this.#storedRows >= this.#context.compactAfterUpdates && this.state === 'open') void this.#compact()
  }

  async #compact(): Promise<void> {
    if (this.#compacting) return
    this.#compacting = true
    try {
      const result = await this.#context.persistence.compact(this.name)
      if (result.status === 'compacted' && result.rowsMerged !== undefined) {
        this.#storedRows = Math.max(1, this.#storedRows - result.rowsMerged + 1)
      }
    } catch (error) {
      // The log is intact when compaction fails; it is tried again after more updates.
      this.#context.logger.warn({ doc: this.name, err: error }, 'compaction failed')
    } finally {
      this.#compacting = false
    }
  }
}
