/**
 * Locks for a single node: a Map of name → token and expiry. Expiry is checked lazily, so a
 * holder that stalls past its TTL loses the lock to the next taker exactly as with Redis.
 */
import { randomBytes } from 'node:crypto'
import type { LockLease, Locks } from './types.js'

export function createMemoryLocks(now: () => number = Date.now): Locks {
  const held = new Map<string, { token: string; expiresAt: number }>()

  const holds = (name: string, token: string) => {
    const entry = held.get(name)
    return entry !== undefined && entry.token === token && entry.expiresAt > now()
  }

  return {
    async tryAcquire(name, ttlMs) {
      const current = held.get(name)
      if (current && current.expiresAt > now()) return null
      const token = randomBytes(16).toString('hex')
      held.set(name, { token, expiresAt: now() + ttlMs })
      const lease: LockLease = {
        name,
        token,
        isHeld: async () => holds(name, token),
        async renew(ttl) {
          if (!holds(name, token)) return false
          held.set(name, { token, expiresAt: now() + ttl })
          return true
        },
        async release() {
          if (!holds(name, token)) return false
          held.delete(name)
          return true
        },
      }
      return lease
    },
    async destroy() {
      held.clear()
    },
  }
}
