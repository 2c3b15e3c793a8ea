import type { RedisPair } from './redis-pair.js'

/**
 * A publish/subscribe bus for events every node must hear (a publication went live). The
 * in-process adapter serves one node; a Redis adapter will serve many (see issue 6).
 */

export interface EventBus<T> {
  /** To every listener, on this node and the others. */
  publish(event: T): void
  /** To the listeners on the other nodes only (this node has handled the event already). */
  publishToOthers(event: T): void
  /** Answers the unsubscribe function. */
  subscribe(listener: (event: T) => void): () => void
}

export function createMemoryBus<T>(onListenerError: (error: unknown) => void = () => undefined): EventBus<T> {
  const listeners = new Set<(event: T) => void>()
  return {
    publish(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event)
        } catch (error) {
          // One subscriber's failure (a closed stream) must not keep the event from the others.
          onListenerError(error)
        }
      }
    },
    publishToOthers() {
      // One process, no other nodes.
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export interface RedisEventBusOptions {
  /** The node's Redis connections; the bus does not own them. */
  pair: RedisPair
  /** The full channel name (prefixed). */
  channel: string
  nodeId: string
  onError: (error: unknown) => void
}

/**
 * The same bus across nodes: an event reaches this node's listeners at once and the other nodes'
 * through Redis pub/sub. Events are JSON.
 */
export async function createRedisEventBus<T>(options: RedisEventBusOptions): Promise<EventBus<T> & { destroy(): Promise<void> }> {
  const { publisher, subscriber } = options.pair
  const local = createMemoryBus<T>(options.onError)
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== options.channel) return
    try {
      const { from, event } = JSON.parse(message) as { from: string; event: T }
      if (from !== options.nodeId) local.publish(event)
    } catch (error) {
      options.onError(error)
    }
  })
  await subscriber.subscribe(options.channel)
  const publishToOthers = (event: T) => {
    publisher.publish(options.channel, JSON.stringify({ from: options.nodeId, event })).catch(options.onError)
  }
  return {
    publish(event) {
      local.publish(event)
      publishToOthers(event)
    },
    publishToOthers,
    subscribe: (listener) => local.subscribe(listener),
    async destroy() {
      await subscriber.unsubscribe(options.channel).catch(options.onError)
    },
  }
}
