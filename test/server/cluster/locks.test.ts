/** One contract for every Locks adapter: in-process and Redis. */
import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createMemoryLocks } from '../../../server/cluster/memory-locks.js'
import { createRedisLocks } from '../../../server/cluster/redis-locks.js'
import type { Locks } from '../../../server/cluster/types.js'
import { REDIS_URL, uniqueName } from '../../helpers/env.js'
import { waitFor } from '../../helpers/wait.js'

const adapters: [string, () => Promise<Locks>][] = [
  ['in-process', async () => createMemoryLocks()],
  [
    'redis',
    async () => {
      const redis = new Redis(REDIS_URL)
      const prefix = `${uniqueName('test')}:`
      onTestFinished(async () => {
        const keys = await redis.keys(`${prefix}*`)
        if (keys.length > 0) await redis.del(...keys)
        redis.disconnect()
      })
      return createRedisLocks({ redis, prefix })
    },
  ],
]

describe.each(adapters)('locks (%s)', (_name, create) => {
  it('gives a lock to one holder at a time', async () => {
    const locks = await create()
    const first = await locks.tryAcquire('publish:lib', 10_000)
    expect(first).not.toBeNull()
    expect(await locks.tryAcquire('publish:lib', 10_000)).toBeNull()
    expect(await locks.tryAcquire('publish:other', 10_000)).not.toBeNull()
    expect(await first!.isHeld()).toBe(true)
    expect(await first!.release()).toBe(true)
    expect(await first!.isHeld()).toBe(false)
    expect(await first!.release()).toBe(false)
    expect(await locks.tryAcquire('publish:lib', 10_000)).not.toBeNull()
  })

  it('expires after its TTL, and the stale holder can neither renew nor release the new lock', async () => {
    const locks = await create()
    const stale = await locks.tryAcquire('compact:doc', 100)
    expect(stale).not.toBeNull()
    const fresh = await waitFor(() => locks.tryAcquire('compact:doc', 10_000), { timeoutMs: 3000, what: 'the TTL to pass' })
    expect(await stale!.isHeld()).toBe(false)
    expect(await stale!.renew(10_000)).toBe(false)
    expect(await stale!.release()).toBe(false)
    expect(await fresh.isHeld()).toBe(true)
    expect(fresh.token).not.toBe(stale!.token)
  })

  it('renews a held lock past its first TTL', async () => {
    const locks = await create()
    const lease = await locks.tryAcquire('checkout:asset', 150)
    expect(await lease!.renew(10_000)).toBe(true)
    const start = Date.now()
    await waitFor(() => Date.now() - start > 300, { what: 'the first TTL to pass' })
    expect(await lease!.isHeld()).toBe(true)
    expect(await locks.tryAcquire('checkout:asset', 1000)).toBeNull()
  })
})
