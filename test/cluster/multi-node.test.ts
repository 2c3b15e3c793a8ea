/**
 * Several Folio processes sharing PostgreSQL and Redis, as behind a load balancer.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'
import pg from 'pg'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { connectAsset, type AssetConnection } from '../../client/connect-asset.js'
import { readEventStream } from '../../shared/event-stream.js'
import { mintToken } from '../../server/auth/tokens.js'
import { bodyText, paragraphText } from '../helpers/body.js'
import { testDatabaseEnv } from '../helpers/database.js'
import { TEST_SECRET, uniqueName } from '../helpers/env.js'
import { freePort, spawnServer } from '../helpers/process.js'
import { json } from '../helpers/server.js'
import { waitFor } from '../helpers/wait.js'

/** A Redis of the test's own, on a free port, that it may kill and restart without disturbing others. */
async function privateRedis() {
  const port = await freePort()
  let child: ChildProcess | null = null
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    await waitFor(
      async () => {
        const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
        // Refused until the server is up: connect() rejects, which waitFor retries.
        probe.on('error', () => undefined)
        try {
          await probe.connect()
          return (await probe.ping()) === 'PONG'
        } finally {
          probe.disconnect()
        }
      },
      { what: 'the private redis to answer' },
    )
  }
  const kill = async () => {
    const running = child
    if (!running) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  await start()
  onTestFinished(kill)
  return { url: `redis://127.0.0.1:${port}`, start, kill }
}

async function cluster(size: number, redisUrl = 'redis://127.0.0.1:6379', extra: Record<string, string> = {}) {
  const env = {
    ...extra,
    ...testDatabaseEnv('postgres'),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `${uniqueName('t')}:`,
    AUTH_SECRET: TEST_SECRET,
    SEED_DEMO: 'false',
    PORT: '0',
  }
  const nodes: Awaited<ReturnType<typeof spawnServer>>[] = []
  for (let i = 0; i < size; i++) nodes.push(await spawnServer(env))
  const owner = await mintToken(TEST_SECRET, { sub: 'owner', name: 'Owner', admin: true })
  const member = await mintToken(TEST_SECRET, { sub: 'member', name: 'Member' })
  const call = (node: number, method: string, path: string, token: string, body?: unknown) =>
    fetch(`${nodes[node]!.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  const library = await json(await call(0, 'POST', '/libraries', owner, { name: 'Cluster' }))
  await json(await call(1 % size, 'PUT', `/libraries/${library.id}/members/member`, owner, { role: 'member' }))
  const asset = await json(await call(2 % size, 'POST', `/libraries/${library.id}/assets`, owner, { type: 'web-content', title: 'Shared' }))
  const connect = (node: number, token: string): AssetConnection =>
    connectAsset(nodes[node]!.url, asset.id, { token, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, maxBackoffTimeMs: 300 })
  return { nodes, env, owner, member, call, libraryId: library.id as string, assetId: asset.id as string, connect }
}

describe('a cluster of nodes on Redis and PostgreSQL', () => {
  it('converges clients spread over three nodes, and the store with them', async () => {
    const { nodes, connect, owner, member, call, libraryId, assetId } = await cluster(3)
    const clients = [connect(0, owner), connect(1, member), connect(2, owner)]
    await Promise.all(clients.map((c) => c.whenSynced()))
    // Presence is shared: any node answers for all of them.
    const present = await json(await call(1, 'GET', `/libraries/${libraryId}/presence`, owner))
    expect(present.items.map((p: { userId: string; document: string }) => `${p.userId}@${p.document}`).sort()).toEqual(
      [`member@${assetId}`, `owner@${assetId}`, `owner@${assetId}`],
    )
    clients[0]!.provider.awareness.setLocalStateField('cursor', { at: 1 })
    await waitFor(() => clients[2]!.provider.awareness.getStates().get(clients[0]!.doc.clientID)?.cursor?.at === 1, {
      what: 'awareness to cross nodes',
    })
    const typed: string[] = []
    for (let round = 0; round < 15; round++) {
      clients.forEach((client, i) => {
        const token = `<${i}.${round}>`
        typed.push(token)
        const text = paragraphText(client.doc)
        // At either end, so that no token lands inside another and every one stays findable.
        text.insert(Math.random() < 0.5 ? 0 : text.length, token)
      })
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await waitFor(
      () => clients.every((c) => bodyText(c.doc) === bodyText(clients[0]!.doc)) && typed.every((t) => bodyText(clients[0]!.doc).includes(t)),
      { timeoutMs: 15_000, what: 'all clients to converge' },
    ).catch((error) => {
      throw new Error(`${error}\n${clients.map((c) => `${bodyText(c.doc).length}: missing ${typed.filter((t) => !bodyText(c.doc).includes(t)).join(' ')}`).join('\n')}`)
    })
    await Promise.all(clients.map((c) => c.whenAcknowledged()))
    for (const node of [0, 1, 2]) {
      const stored = await json(await call(node, 'GET', `/libraries/${libraryId}/assets/${assetId}`, owner))
      const text = JSON.stringify(stored.body)
      expect(typed.filter((t) => !text.includes(t)), `node ${node}`).toEqual([])
    }
    const metrics = await (await fetch(`${nodes[1]!.url}/metrics`)).text()
    expect(Number(/folio_fanout_latency_seconds_count (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0)
    clients.forEach((c) => c.destroy())
    await waitFor(async () => (await json(await call(0, 'GET', `/libraries/${libraryId}/presence`, owner))).items.length === 0, {
      what: 'presence to empty when everyone left',
    })
  })

  it('downgrades a connection on one node within a second of a role change made through another', async () => {
    const { connect, owner, call, libraryId, member } = await cluster(2)
    const m = connect(1, member)
    await m.whenSynced()
    const started = Date.now()
    expect((await call(0, 'PUT', `/libraries/${libraryId}/members/member`, owner, { role: 'reviewer' })).status).toBe(200)
    await waitFor(() => m.deniedReason?.startsWith('read-only'), { timeoutMs: 1000, what: 'the downgrade on the other node' })
    expect(Date.now() - started).toBeLessThan(1000)
    const closed = new Promise<{ code: number }>((resolve) => m.on('closed', resolve))
    await call(0, 'DELETE', `/libraries/${libraryId}/members/member`, owner)
    expect((await closed).code).toBe(4403)
    m.destroy()
  })

  it('announces a publication made on one node to a site listening on another', async () => {
    const { nodes, owner, call, libraryId, assetId } = await cluster(2)
    const site = await json(await call(0, 'POST', '/sites', owner, { name: 'Web' }))
    await call(0, 'PUT', `/libraries/${libraryId}/sites/${site.id}`, owner)
    const controller = new AbortController()
    const response = await fetch(`${nodes[1]!.url}/api/v1/delivery/sites/${site.id}/events`, {
      headers: { authorization: `Bearer ${site.deliveryKey}` },
      signal: controller.signal,
    })
    const heard: string[] = []
    const read = readEventStream(response.body!, (event) => heard.push(event)).catch(() => undefined)
    await waitFor(() => heard.includes('ready'), { what: 'the stream to open' })
    await call(0, 'POST', `/libraries/${libraryId}/assets/${assetId}/versions`, owner)
    expect((await call(0, 'POST', `/libraries/${libraryId}/assets/${assetId}/publish`, owner)).status).toBe(201)
    await waitFor(() => heard.includes('publication'), { timeoutMs: 5000, what: 'the event on the other node' })
    controller.abort()
    await read
  })

  it('loses nothing when Redis restarts in the middle of editing, and converges afterwards', async () => {
    const redis = await privateRedis()
    const { connect, owner, member, call, libraryId, assetId } = await cluster(2, redis.url)
    const a = connect(0, owner)
    const b = connect(1, member)
    await Promise.all([a.whenSynced(), b.whenSynced()])
    const typed: string[] = []
    const type = (label: string) => {
      for (const [i, client] of [a, b].entries()) {
        const token = `<${label}${i}>`
        typed.push(token)
        const text = paragraphText(client.doc)
        text.insert(text.length, token)
      }
    }
    type('before')
    await waitFor(() => bodyText(a.doc) === bodyText(b.doc) && typed.every((t) => bodyText(b.doc).includes(t)), { what: 'the first round' })

    await redis.kill()
    // Redis is away: each node goes on editing and committing on its own.
    for (let i = 0; i < 5; i++) type(`during${i}`)
    await Promise.all([a.whenAcknowledged(), b.whenAcknowledged()])
    await redis.start()
    type('after')
    await waitFor(() => typed.every((t) => bodyText(a.doc).includes(t) && bodyText(b.doc).includes(t)) && bodyText(a.doc) === bodyText(b.doc), {
      timeoutMs: 20_000,
      what: 'both nodes to converge after Redis came back',
    })
    await Promise.all([a.whenAcknowledged(), b.whenAcknowledged()])
    const stored = JSON.stringify((await json(await call(0, 'GET', `/libraries/${libraryId}/assets/${assetId}`, owner))).body)
    expect(typed.filter((t) => !stored.includes(t))).toEqual([])
    a.destroy()
    b.destroy()
  })

  it('keeps what a killed node committed: its clients continue on another node, its presence expires', async () => {
    const { nodes, connect, owner, member, call, libraryId, assetId } = await cluster(2, undefined, { PRESENCE_TTL_MS: '1500' })
    const a = connect(0, owner)
    const b = connect(1, member)
    await Promise.all([a.whenSynced(), b.whenSynced()])
    const typed: { token: string; clock: number }[] = []
    let i = 0
    const typing = setInterval(() => {
      const token = `<k${i++}>`
      const text = paragraphText(a.doc)
      text.insert(text.length, token)
      typed.push({ token, clock: Y.getState(a.doc.store, a.doc.clientID) })
    }, 3)
    await waitFor(() => typed.filter((t) => t.clock <= a.acknowledgedClock).length > 20, { what: 'acknowledged edits on the first node' })
    nodes[0]!.child.kill('SIGKILL')
    await nodes[0]!.exited
    clearInterval(typing)
    const acknowledged = typed.filter((t) => t.clock <= a.acknowledgedClock).map((t) => t.token)
    // The balancer sends the client to the surviving node; the same document continues there.
    const doc = a.doc
    a.destroy()
    const again = connectAsset(nodes[1]!.url, assetId, { token: owner, doc, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket })
    await again.whenSynced()
    await again.whenAcknowledged()
    await waitFor(() => typed.every((t) => bodyText(b.doc).includes(t.token)), { what: 'everything typed to reach the other client' })
    const stored = JSON.stringify((await json(await call(1, 'GET', `/libraries/${libraryId}/assets/${assetId}`, owner))).body)
    expect(acknowledged.filter((t) => !stored.includes(t))).toEqual([])
    expect(typed.filter((t) => !stored.includes(t.token))).toEqual([])
    // The killed node's presence disappears within its TTL; the survivors' stays.
    await waitFor(
      async () => {
        const items = (await json(await call(1, 'GET', `/libraries/${libraryId}/presence`, owner))).items as { userId: string }[]
        return items.length === 2 && items.some((p) => p.userId === 'member')
      },
      { timeoutMs: 5000, what: 'the dead node’s presence to expire' },
    )
    again.destroy()
    b.destroy()
  })

  it('lets any node compact a document that two nodes write, one at a time, losing nothing', async () => {
    const { env, connect, owner, member, call, libraryId, assetId } = await cluster(2, undefined, { COMPACT_AFTER_UPDATES: '3', COMMIT_DELAY_MS: '0' })
    const a = connect(0, owner)
    const b = connect(1, member)
    await Promise.all([a.whenSynced(), b.whenSynced()])
    const typed: string[] = []
    for (let round = 0; round < 40; round++) {
      for (const [i, client] of [a, b].entries()) {
        const token = `<c${i}.${round}>`
        typed.push(token)
        const text = paragraphText(client.doc)
        text.insert(text.length, token)
      }
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    await Promise.all([a.whenAcknowledged(), b.whenAcknowledged()])
    await waitFor(() => typed.every((t) => bodyText(a.doc).includes(t) && bodyText(b.doc).includes(t)), { what: 'convergence' })
    const stored = JSON.stringify((await json(await call(1, 'GET', `/libraries/${libraryId}/assets/${assetId}`, owner))).body)
    expect(typed.filter((t) => !stored.includes(t))).toEqual([])
    // Both nodes compacted as they went: far fewer rows than the commits that wrote them.
    const client = new pg.Client({ connectionString: env.DATABASE_URL })
    await client.connect()
    try {
      const { rows } = await client.query(`select count(*)::int as n from "${env.DATABASE_SCHEMA}".doc_updates where doc = $1`, [assetId])
      expect(rows[0].n).toBeLessThan(typed.length / 4)
    } finally {
      await client.end()
    }
    a.destroy()
    b.destroy()
  })
})
