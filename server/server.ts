/**
 * Builds a Folio node from a parsed config and its adapters: the Hono app, the collaboration hub
 * and the WebSocket transport on one Node HTTP server. Nothing here reads the environment.
 *
 * @example
 *   const server = createServer(config, { database, locks, logger, verifyToken })
 *   const { url } = await server.listen()
 */
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import type { Redis } from 'ioredis'
import type * as Y from 'yjs'
import { FIELDS_KEY } from './content/web-content.js'
import type { TokenVerifier } from './auth/tokens.js'
import type { Locks } from './cluster/types.js'
import { createCollabHub, type CollabHub } from './collab/hub.js'
import type { Config } from './config.js'
import { documentAccess, permissionsOf } from './domain/permissions.js'
import { createApp } from './http/app.js'
import { attachCollabSockets } from './http/collab-socket.js'
import type { Logger } from './logger.js'
import type { OpenDatabase } from './store/db.js'
import { createDocLog } from './store/doc-log.js'
import { createAssetStore, type AssetStore } from './store/asset-store.js'
import { createLibraryStore, type LibraryStore } from './store/library-store.js'
import { createSiteStore, type SiteStore } from './store/site-store.js'
import { createTaxonomyStore } from './store/taxonomy-store.js'
import { createFileStore } from './store/file-store.js'
import { createBlobStore } from './blobs/blob-store.js'
import { createMemoryBus, type EventBus } from './cluster/events.js'
import { createPublisher, type Failpoint, type PublicationEvent } from './publishing/publisher.js'
import { createRemoteClient, type RemoteClient } from './publishing/remote.js'
import { createMetrics } from './metrics.js'
import type { LockLease } from './cluster/types.js'
import type { DocBus } from './cluster/doc-bus.js'
import { createRedisPresence } from './cluster/presence.js'
import type { AccessEvent } from './http/context.js'
import { createLiveStore } from './store/live-store.js'
import { createVersionStore } from './store/version-store.js'
import { createTranslationStore } from './store/translation-store.js'

export interface ServerDeps {
  database: OpenDatabase
  locks: Locks
  redis?: Redis
  logger: Logger
  verifyToken: TokenVerifier
  /** The built browser app (dist/client). */
  clientDir?: string
  /** How Remote Live reaches other instances; plain fetch when not given. */
  remote?: RemoteClient
  /** Publication events; in-process when not given. */
  events?: EventBus<PublicationEvent>
  /** Fan-out of documents between nodes (Redis); none for a single node. */
  bus?: DocBus
  /** Role changes, to every node (Redis); in-process when not given. */
  accessEvents?: EventBus<AccessEvent>
}

export interface FolioServer {
  readonly hub: CollabHub
  readonly libraries: LibraryStore
  readonly sites: SiteStore
  readonly assets: AssetStore
  readonly app: ReturnType<typeof createApp>
  /** Test-only switches (FAILPOINTS), changeable while running. */
  readonly failpoints: Set<Failpoint>
  listen(): Promise<{ port: number; url: string }>
  /** Commits pending edits, closes connections and the listener. Idempotent. */
  close(): Promise<void>
}

/** REST bodies are small JSON documents; uploads (later) get their own limit. */
const MAX_JSON_BYTES = 1024 * 1024
/** A recipient this far behind is disconnected instead of buffering without end. */
const MAX_BUFFERED_FACTOR = 4

/** Locks that report each time one was already held (lock waits, for metrics). */
function countBusyLocks(locks: Locks, onBusy: (name: string) => void): Locks {
  return {
    async tryAcquire(name, ttlMs): Promise<LockLease | null> {
      const lease = await locks.tryAcquire(name, ttlMs)
      if (!lease) onBusy(name)
      return lease
    },
    destroy: () => locks.destroy(),
  }
}

export function createServer(config: Config, deps: ServerDeps): FolioServer {
  const { database, logger } = deps
  const libraries = createLibraryStore(database)
  const sites = createSiteStore(database)
  const assets = createAssetStore(database)
  const taxonomy = createTaxonomyStore(database)
  const files = createFileStore(database)
  const blobs = createBlobStore({ dir: join(config.dataDir, 'blobs') })
  const versions = createVersionStore(database)
  const live = createLiveStore(database)
  const translations = createTranslationStore(database)
  const events: EventBus<PublicationEvent> =
    deps.events ?? createMemoryBus((error) => logger.warn({ err: error }, 'publication event listener failed'))
  const failpoints = new Set(config.failpoints)
  // Gauges read the hub when scraped, after everything below exists.
  const metrics = createMetrics(() => hub.stats())
  const locks = countBusyLocks(deps.locks, (name) => metrics.lockBusy.inc({ lock: name.split(':')[0] ?? name }))
  const publisher = createPublisher({
    live,
    versions,
    assets,
    files,
    translations,
    blobs,
    remote: deps.remote ?? createRemoteClient(),
    locks,
    events,
    logger,
    failpoints,
    onFinished: (status, ms) => metrics.publicationSeconds.observe({ status }, ms / 1000),
  })
  const docLog = createDocLog(database, locks)

  // The asset row keeps a copy of the title for listings; collaborative edits update it after commit.
  const knownTitles = new WeakMap<Y.Doc, string>()
  const syncTitle = (assetId: string, doc: Y.Doc) => {
    const title = doc.getMap(FIELDS_KEY).get('title')
    if (typeof title !== 'string' || knownTitles.get(doc) === title) return
    knownTitles.set(doc, title)
    assets.setTitle(assetId, title).catch((error: unknown) => logger.warn({ err: error, asset: assetId }, 'title index not updated'))
  }

  const hub = createCollabHub({
    persistence: docLog,
    logger,
    commitDelayMs: config.durability.commitDelayMs,
    compactAfterUpdates: config.durability.compactAfterUpdates,
    unloadAfterMs: config.durability.unloadAfterMs,
    maxConnectionsPerUser: config.limits.maxConnectionsPerUser,
    maxBufferedBytes: config.limits.maxMessageBytes * MAX_BUFFERED_FACTOR,
    ...(deps.bus ? { bus: deps.bus, onFanOut: (ms: number) => metrics.fanOutSeconds.observe(ms / 1000) } : {}),
    ...(deps.redis && config.redis ? { presence: createRedisPresence({ redis: deps.redis, prefix: config.redis.prefix, ttlMs: config.redis.presenceTtlMs }) } : {}),
    onCommitted: (_name, document, doc) => {
      if (document.kind === 'asset') syncTitle(document.assetId, doc)
    },
    async authenticate(token) {
      const result = await deps.verifyToken(token)
      return result.ok ? { ok: true, user: result.user } : { ok: false, reason: result.message }
    },
    async authorize(user, document) {
      const asset = await assets.getAsset(document.assetId)
      if (!asset) return { ok: false, code: 'not_found', reason: `no asset ${document.assetId}` }
      const { grant } = await libraries.grantOf(asset.libraryId, user.id)
      const access = documentAccess(permissionsOf(grant), document.kind)
      if (access === 'none') return { ok: false, code: 'forbidden', reason: 'you may not view this asset' }
      return { ok: true, libraryId: asset.libraryId, access }
    },
  })


  const app = createApp({
    metrics: metrics.registry,
    ...(deps.accessEvents ? { accessEvents: deps.accessEvents } : {}),
    libraries,
    sites,
    assets,
    taxonomy,
    files,
    blobs,
    versions,
    live,
    translations,
    publisher,
    events,
    hub,
    logger,
    maxJsonBytes: MAX_JSON_BYTES,
    maxUploadBytes: config.limits.maxUploadBytes,
    clientDir: deps.clientDir,
    publicUrl: config.publicUrl,
    checkoutTtlMs: config.checkoutTtlMs,
    verifyToken: deps.verifyToken,
    async health() {
      const store = await database.ping()
      if (!deps.redis) return { store }
      const redis = await deps.redis.ping().then(
        (answer) => answer === 'PONG',
        () => false,
      )
      return { store, redis }
    },
  })

  const httpServer = createAdaptorServer({ fetch: app.fetch }) as Server
  const sockets = attachCollabSockets(httpServer, hub, {
    maxMessageBytes: config.limits.maxMessageBytes,
    allowedOrigins: config.allowedOrigins,
    publicUrl: config.publicUrl,
    logger,
  })
  let closing: Promise<void> | undefined

  return {
    hub,
    libraries,
    sites,
    assets,
    app,
    failpoints,
    listen: async () => {
      // Publications scheduled before this node started run at their time too.
      await publisher.start()
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject)
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject)
          const { port } = httpServer.address() as AddressInfo
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
          resolve({ port, url: config.publicUrl ?? `http://${host}:${port}` })
        })
      })
    },
    close: () =>
      (closing ??= (async () => {
        publisher.stop()
        await hub.destroy()
        await sockets.close()
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve())
          httpServer.closeAllConnections()
        })
      })()),
  }
}
