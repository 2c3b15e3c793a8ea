/**
 * Fan-out of a document's changes between the nodes that have it open. A node publishes the
 * updates its own document emitted (already committed by that node, or on their way) and the
 * awareness it relayed; the others apply them and relay them to their clients. Redis pub/sub in
 * production; in process, nodes that share a `MemoryCluster` (tests, or one process) hear each other.
 */
import type { RedisPair } from './redis-pair.js'

export type DocMessageKind = 'update' | 'awareness'

export interface DocBus {
  /** This node's id; messages it published come back to nobody on it. */
  readonly nodeId: string
  publish(doc: string, kind: DocMessageKind, payload: Uint8Array): void
  /** Answers the unsubscribe function. */
  subscribe(doc: string, onMessage: (kind: DocMessageKind, payload: Uint8Array, sentAt: number) => void): Promise<() => Promise<void>>
  /** Called when the bus was cut off and is back: messages may have been missed meanwhile. */
  onReconnect(listener: () => void): void
  destroy(): Promise<void>
}

const KINDS: readonly DocMessageKind[] = ['update', 'awareness']

/** A frame: node id length, node id, kind, send time (ms, float64), payload. */
function encode(nodeId: string, kind: DocMessageKind, payload: Uint8Array): Buffer {
  const id = Buffer.from(nodeId)
  const head = Buffer.alloc(2 + id.length + 8)
  head[0] = id.length
  id.copy(head, 1)
  head[1 + id.length] = KINDS.indexOf(kind)
  head.writeDoubleBE(Date.now(), 2 + id.length)
  return Buffer.concat([head, payload])
}

function decode(frame: Buffer): { nodeId: string; kind: DocMessageKind; sentAt: number; payload: Uint8Array } | null {
  const idLength = frame[0]
  if (idLength === undefined || frame.length < idLength + 10) return null
  const kind = KINDS[frame[idLength + 1]!]
  if (!kind) return null
  return {
    nodeId: frame.subarray(1, 1 + idLength).toString(),
    kind,
    sentAt: frame.readDoubleBE(idLength + 2),
    payload: new Uint8Array(frame.subarray(idLength + 10)),
  }
}

/** Nodes in one process that hear each other. */
export class MemoryCluster {
  readonly #listeners = new Map<string, Set<(frame: Buffer) => void>>()

  publish(channel: string, frame: Buffer): void {
    for (const listener of this.#listeners.get(channel) ?? []) queueMicrotask(() => listener(frame))
  }

  listen(channel: string, listener: (frame: Buffer) => void): () => void {
    const set = this.#listeners.get(channel) ?? new Set()
    set.add(listener)
    this.#listeners.set(channel, set)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#listeners.delete(channel)
    }
  }
}

export function createMemoryDocBus(cluster: MemoryCluster, nodeId: string): DocBus {
  return {
    nodeId,
    publish(doc, kind, payload) {
      cluster.publish(doc, encode(nodeId, kind, payload))
    },
    async subscribe(doc, onMessage) {
      const stop = cluster.listen(doc, (frame) => {
        const message = decode(frame)
        if (message && message.nodeId !== nodeId) onMessage(message.kind, message.payload, message.sentAt)
      })
      return async () => stop()
    },
    onReconnect() {
      // An in-process cluster is never cut off.
    },
    async destroy() {},
  }
}

export interface RedisDocBusOptions {
  /** The node's Redis connections; the bus does not own them. */
  pair: RedisPair
  prefix: string
  nodeId: string
  onError: (error: unknown) => void
}

export function createRedisDocBus(options: RedisDocBusOptions): DocBus {
  const { publisher, subscriber } = options.pair
  const channelOf = (doc: string) => `${options.prefix}doc:${doc}`
  const handlers = new Map<string, (kind: DocMessageKind, payload: Uint8Array, sentAt: number) => void>()
  const reconnectListeners: (() => void)[] = []
  let wasCutOff = false

  subscriber.on('messageBuffer', (channel: Buffer, frame: Buffer) => {
    const handler = handlers.get(channel.toString())
    const message = handler ? decode(frame) : null
    if (handler && message && message.nodeId !== options.nodeId) handler(message.kind, message.payload, message.sentAt)
  })
  subscriber.on('close', () => {
    wasCutOff = true
  })
  subscriber.on('ready', () => {
    if (!wasCutOff) return
    wasCutOff = false
    // ioredis resubscribes by itself; what was published meanwhile is lost and must be caught up.
    for (const listener of reconnectListeners) listener()
  })

  return {
    nodeId: options.nodeId,
    publish(doc, kind, payload) {
      publisher.publish(channelOf(doc), encode(options.nodeId, kind, payload)).catch(options.onError)
    },
    async subscribe(doc, onMessage) {
      const channel = channelOf(doc)
      handlers.set(channel, onMessage)
      await subscriber.subscribe(channel)
      return async () => {
        handlers.delete(channel)
        await subscriber.unsubscribe(channel).catch(options.onError)
      }
    },
    onReconnect(listener) {
      reconnectListeners.push(listener)
    },
    async destroy() {
      const channels = [...handlers.keys()]
      handlers.clear()
      if (channels.length > 0) await subscriber.unsubscribe(...channels).catch(options.onError)
    },
  }
}
