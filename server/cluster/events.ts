/**
 * A publish/subscribe bus for events every node must hear (a publication went live). The
 * in-process adapter serves one node; a Redis adapter will serve many (see issue 6).
 */

export interface EventBus<T> {
  publish(event: T): void
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
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export interface RedisEventBusOptions {
  url: string
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
  const { Redis } = await import('ioredis')
  const local = createMemoryBus<T>(options.onError)
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  const subscriber = new Redis(options.url, { lazyConnect: true })
  publisher.on('error', options.onError)
  subscriber.on('error', options.onError)
  await Promise.all([publisher.connect(), subscriber.connect()])
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      const { from, event } = JSON.parse(message) as { from: string; event: T }
      if (from !== options.nodeId) local.publish(event)
    } catch (error) {
      options.onError(error)
    }
  })
  await subscriber.subscribe(options.channel)
  return {
    publish(event) {
      local.publish(event)
      publisher.publish(options.channel, JSON.stringify({ from: options.nodeId, event })).catch(options.onError)
    },
    subscribe: (listener) => local.subscribe(listener),
    async destroy() {
      subscriber.disconnect()
      publisher.disconnect()
    },
  }
}
