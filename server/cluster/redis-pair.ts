/**
 * The two Redis connections a node's buses share: one that publishes (and runs commands), one that
 * only subscribes (a subscribed connection can do nothing else). One pair serves every channel.
 */
import { Redis } from 'ioredis'

export interface RedisPair {
  readonly publisher: Redis
  readonly subscriber: Redis
  destroy(): Promise<void>
}

export async function createRedisPair(url: string, onError: (error: unknown) => void): Promise<RedisPair> {
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  const subscriber = new Redis(url, { lazyConnect: true })
  publisher.on('error', onError)
  subscriber.on('error', onError)
  await Promise.all([publisher.connect(), subscriber.connect()])
  return {
    publisher,
    subscriber,
    async destroy() {
      subscriber.disconnect()
      publisher.disconnect()
    },
  }
}
