/**
 * A real Folio server on an ephemeral port, in this process, torn down when the test ends.
 */
import { Writable } from 'node:stream'
import { onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { connectAsset, type AssetConnection } from '../../client/connect-asset.js'
import { createTokenVerifier, mintToken, type MintOptions } from '../../server/auth/tokens.js'
import { createMemoryLocks } from '../../server/cluster/memory-locks.js'
import type { Locks } from '../../server/cluster/types.js'
import { parseConfig } from '../../server/config.js'
import { createLogger } from '../../server/logger.js'
import { createServer, type FolioServer } from '../../server/server.js'
import { openDatabase, type OpenDatabase } from '../../server/store/db.js'
import { testDatabaseEnv } from './database.js'
import { TEST_SECRET, type StoreKind } from './env.js'

export interface TestServer {
  readonly url: string
  readonly port: number
  readonly folio: FolioServer
  readonly database: OpenDatabase
  readonly dataDir: string
  /** The server's locks, to hold one from a test. */
  readonly locks: Locks
  /** Every log line the server wrote, parsed. */
  readonly logs: Record<string, unknown>[]
  token(sub: string, options?: Omit<MintOptions, 'sub'>): Promise<string>
  /** fetch against the server with a bearer token. */
  api(path: string, token: string | null, init?: { method?: string; body?: unknown }): Promise<Response>
  /** The same, answering the status and the parsed JSON body. */
  call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>
  connect(document: string, token: string, options?: { maxBackoffTimeMs?: number }): AssetConnection
  close(): Promise<void>
}

export interface StartOptions {
  store?: StoreKind
  env?: Record<string, string>
  /** Serve the built browser app from here. */
  clientDir?: string
}

export async function startServer({ store = 'sqlite', env = {}, clientDir }: StartOptions = {}): Promise<TestServer> {
  const parsed = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_SECRET: TEST_SECRET,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    ...testDatabaseEnv(store),
    ...env,
  })
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  const { config } = parsed
  const logs: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line))
      callback()
    },
  })
  const logger = createLogger({ level: config.logLevel, destination })
  const database = await openDatabase(config.store)
  const locks = createMemoryLocks()
  const folio = createServer(config, {
    database,
    locks,
    logger,
    verifyToken: createTokenVerifier({ kind: 'secret', secret: TEST_SECRET }),
    ...(clientDir ? { clientDir } : {}),
  })
  const { port } = await folio.listen()
  const url = `http://127.0.0.1:${port}`
  const connections: AssetConnection[] = []
  let closed: Promise<void> | undefined
  const server: TestServer = {
    url,
    port,
    folio,
    database,
    dataDir: config.dataDir,
    locks,
    logs,
    token: (sub, options = {}) => mintToken(TEST_SECRET, { sub, ...options }),
    api: (path, token, init = {}) =>
      fetch(`${url}/api/v1${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      }),
    async call(method, path, token, body) {
      const response = await server.api(path, token, { method, ...(body !== undefined ? { body } : {}) })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : null }
    },
    connect(document, token, options = {}) {
      const connection = connectAsset(url, document, {
        token,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
        maxBackoffTimeMs: options.maxBackoffTimeMs ?? 500,
      })
      connections.push(connection)
      return connection
    },
    close: () =>
      (closed ??= (async () => {
        for (const connection of connections) connection.destroy()
        await folio.close()
        await database.destroy()
      })()),
  }
  onTestFinished(() => server.close())
  return server
}

/** A library with an owner (an instance admin), a member and a reviewer, and one web-content asset. */
export async function createFixture(server: TestServer, body?: unknown) {
  const owner = await server.token('owner', { name: 'Olga Owner', admin: true })
  const member = await server.token('member', { name: 'Mia Member' })
  const reviewer = await server.token('reviewer', { name: 'Rex Reviewer' })
  const outsider = await server.token('outsider', { name: 'Otto Outsider' })
  const library = await json(await server.api('/libraries', owner, { method: 'POST', body: { name: 'Fixture' } }))
  await expectOk(server.api(`/libraries/${library.id}/members/member`, owner, { method: 'PUT', body: { role: 'member' } }))
  await expectOk(server.api(`/libraries/${library.id}/members/reviewer`, owner, { method: 'PUT', body: { role: 'reviewer' } }))
  const asset = await json(
    await server.api(`/libraries/${library.id}/assets`, owner, {
      method: 'POST',
      body: { type: 'web-content', title: 'Fixture asset', ...(body !== undefined ? { body } : {}) },
    }),
  )
  return { owner, member, reviewer, outsider, libraryId: library.id as string, assetId: asset.id as string }
}

export async function json(response: Response): Promise<any> {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.status} ${response.url}: ${text}`)
  return text ? JSON.parse(text) : null
}

async function expectOk(response: Promise<Response>): Promise<void> {
  await json(await response)
}
