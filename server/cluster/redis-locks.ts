/**
 * Locks in Redis: `SET key token NX PX ttl` to take, and Lua compare-and-delete /
 * compare-and-expire so that only the token's holder releases or renews.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { LockLease, Locks } from './types.js'

const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`

export interface RedisLocksOptions {
  redis: Redis
  /** Prepended to every key, so that tests and deployments can share one Redis. */
  prefix: string
}

export function createRedisLocks({ redis, prefix }: RedisLocksOptions): Locks {
  const keyOf = (name: string) => `${prefix}lock:${name}`
  return {
    async tryAcquire(name, ttlMs) {
      const token = randomBytes(16).toString('hex')
      const key = keyOf(name)
      const ok = await redis.set(key, token, 'PX', ttlMs, 'NX')
      if (ok !== 'OK') return null
      const lease: LockLease = {
        name,
        token,
        isHeld: async () => (await redis.get(key)) === token,
        renew: async (ttl) => (await redis.eval(RENEW_SCRIPT, 1, key, token, String(ttl))) === 1,
        release: async () => (await redis.eval(RELEASE_SCRIPT, 1, key, token)) === 1,
      }
      return lease
    },
    async destroy() {
      // The Redis connection belongs to whoever created it.
    },
  }
}
