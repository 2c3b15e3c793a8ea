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
