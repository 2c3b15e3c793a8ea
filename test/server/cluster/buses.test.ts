/** One contract for the document bus and the event bus: in-process and Redis. */
import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { MemoryCluster, createMemoryDocBus, createRedisDocBus, type DocBus } from '../../../server/cluster/doc-bus.js'
import { createMemoryBus, createRedisEventBus, type EventBus } from '../../../server/cluster/events.js'
import { createRedisPresence } from '../../../server/cluster/presence.js'
import { createRedisPair } from '../../../server/cluster/redis-pair.js'
import { REDIS_URL, uniqueName } from '../../helpers/env.js'
import { waitFor } from '../../helpers/wait.js'

const fail = (error: unknown) => {
  throw error
}

const adapters: [string, () => Promise<[DocBus, DocBus]>][] = [
  [
    'in-process',
    async () => {
      const cluster = new MemoryCluster()
      return [createMemoryDocBus(cluster, 'a'), createMemoryDocBus(cluster, 'b')]
    },
  ],
  [
    'redis',
    async () => {
      const prefix = `${uniqueName('t')}:`
      const [pairA, pairB] = await Promise.all([createRedisPair(REDIS_URL, fail), createRedisPair(REDIS_URL, fail)])
      onTestFinished(async () => {
        await pairA.destroy()
        await pairB.destroy()
      })
      return [createRedisDocBus({ pair: pairA, prefix, nodeId: 'a', onError: fail }), createRedisDocBus({ pair: pairB, prefix, nodeId: 'b', onError: fail })]
    },
  ],
]

describe.each(adapters)('document bus (%s)', (_name, create) => {
  it('carries updates and awareness to the other nodes of a document, not back to the sender', async () => {
    const [a, b] = await create()
    const heardByA: string[] = []
    const heardByB: string[] = []
    await a.subscribe('ast_doc', (kind, payload) => heardByA.push(`${kind}:${Buffer.from(payload).toString()}`))
    const stopB = await b.subscribe('ast_doc', (kind, payload) => heardByB.push(`${kind}:${Buffer.from(payload).toString()}`))
    await b.subscribe('ast_other', (kind) => heardByB.push(`other:${kind}`))
    a.publish('ast_doc', 'update', Buffer.from('u1'))
    a.publish('ast_doc', 'awareness', Buffer.from('w1'))
    b.publish('ast_doc', 'update', Buffer.from('u2'))
    await waitFor(() => heardByB.length === 2 && heardByA.length === 1, { what: 'the messages' })
    expect(heardByB).toEqual(['update:u1', 'awareness:w1'])
    expect(heardByA).toEqual(['update:u2'])
    await stopB()
    a.publish('ast_doc', 'update', Buffer.from('u3'))
    b.publish('ast_doc', 'update', Buffer.from('u4'))
    await waitFor(() => heardByA.length === 2, { what: 'the last message' })
    expect(heardByB).toEqual(['update:u1', 'awareness:w1'])
  })
})

/** Events that reached a bus on another channel of the same connections. */
const strays: number[] = []

describe.each([
  ['in-process', async (): Promise<[EventBus<{ n: number }>, EventBus<{ n: number }>]> => {
    const bus = createMemoryBus<{ n: number }>()
    return [bus, bus]
  }],
  ['redis', async (): Promise<[EventBus<{ n: number }>, EventBus<{ n: number }>]> => {
    const channel = uniqueName('t')
    const [pairA, pairB] = await Promise.all([createRedisPair(REDIS_URL, fail), createRedisPair(REDIS_URL, fail)])
    onTestFinished(async () => {
      await pairA.destroy()
      await pairB.destroy()
    })
    // Another bus on the same connections must not hear this channel's events.
    const bystander = await createRedisEventBus<{ n: number }>({ pair: pairB, channel: `${channel}:other`, nodeId: 'b', onError: fail })
    bystander.subscribe((e) => strays.push(e.n))
    const a = await createRedisEventBus<{ n: number }>({ pair: pairA, channel, nodeId: 'a', onError: fail })
    const b = await createRedisEventBus<{ n: number }>({ pair: pairB, channel, nodeId: 'b', onError: fail })
    return [a, b]
  }],
])('event bus (%s)', (_name, create) => {
  it('delivers an event once to every listener, on this node and the others', async () => {
    const [a, b] = await create()
    const heard: string[] = []
    a.subscribe((e) => heard.push(`a${e.n}`))
    b.subscribe((e) => heard.push(`b${e.n}`))
    a.publish({ n: 1 })
    await waitFor(() => heard.length === 2, { what: 'both listeners' })
    expect(heard.sort()).toEqual(['a1', 'b1'])
    expect(strays).toEqual([])
  })
})

describe('presence in Redis', () => {
  it('lists entries until they expire, and renews them on the heartbeat', async () => {
    const redis = new Redis(REDIS_URL)
    const prefix = `${uniqueName('t')}:`
    onTestFinished(async () => {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      redis.disconnect()
    })
    let now = 1_000_000
    const presence = createRedisPresence({ redis, prefix, now: () => now })
    const entry = { document: 'ast_x', userId: 'alice', name: 'Alice', access: 'write' as const, since: 'then' }
    await presence.set('lib', 'node1:c1', entry)
    await presence.set('lib', 'node2:c2', { ...entry, userId: 'bob', name: 'Bob' })
    expect((await presence.list('lib')).map((e) => e.userId).sort()).toEqual(['alice', 'bob'])
    now += 20_000
    await presence.heartbeat([{ libraryId: 'lib', key: 'node1:c1', entry }])
    now += 20_000
    // node2 stopped renewing (killed): its user is gone; node1's is still there.
    expect((await presence.list('lib')).map((e) => e.userId)).toEqual(['alice'])
    await presence.remove('lib', 'node1:c1')
    expect(await presence.list('lib')).toEqual([])
  })
})
