/**
 * The one entry point: read the environment once, build the adapters, start a node.
 * With no environment at all it runs the embedded default: SQLite under ./data, in-process
 * locks, a generated dev secret and a seeded demo library.
 */
import { fileURLToPath } from 'node:url'
import { loadOrCreateDevSecret } from './auth/dev-secret.js'
import { createTokenVerifier, mintToken } from './auth/tokens.js'
import { randomUUID } from 'node:crypto'
import { createMemoryLocks, createRedisDocBus, createRedisEventBus, createRedisLocks, createRedisPair } from './cluster/index.js'
import type { AccessEvent } from './http/context.js'
import type { PublicationEvent } from './publishing/publisher.js'
import { parseConfig, type Config } from './config.js'
import { createLogger } from './logger.js'
import { DEMO_USERS, seedDemo, type DemoSeed } from './seed.js'
import { createServer } from './server.js'
import { openDatabase } from './store/db.js'

const DEMO_TOKEN_LIFETIME = '30d'

async function main(): Promise<void> {
  const parsed = parseConfig(process.env)
  if (!parsed.ok) {
    process.stderr.write(`Folio cannot start: the configuration is invalid.\n  ${parsed.errors.join('\n  ')}\n`)
    process.exit(2)
  }
  const { config } = parsed
  const logger = createLogger({ level: config.logLevel })

  const signingSecret =
    config.auth.kind === 'secret' ? config.auth.secret : config.auth.kind === 'dev-secret' ? loadOrCreateDevSecret(config.dataDir) : null
  const verifyToken = createTokenVerifier(
    config.auth.kind === 'jwks' ? { kind: 'jwks', url: config.auth.url } : { kind: 'secret', secret: signingSecret ?? '' },
  )

  const database = await openDatabase(config.store)
  // Several nodes: two Redis connections carry locks, presence, documents and events.
  const onRedisError = (error: unknown) => logger.warn({ err: error }, 'redis error')
  const pair = config.redis ? await createRedisPair(config.redis.url, onRedisError) : null
  const redis = pair?.publisher
  const locks = redis && config.redis ? createRedisLocks({ redis, prefix: config.redis.prefix }) : createMemoryLocks()
  const nodeId = randomUUID()
  const onBusError = (error: unknown) => logger.warn({ err: error }, 'cluster bus error')
  const cluster =
    pair && config.redis
      ? {
          bus: createRedisDocBus({ pair, prefix: config.redis.prefix, nodeId, onError: onBusError }),
          events: await createRedisEventBus<PublicationEvent>({ pair, channel: `${config.redis.prefix}publications`, nodeId, onError: onBusError }),
          accessEvents: await createRedisEventBus<AccessEvent>({ pair, channel: `${config.redis.prefix}access`, nodeId, onError: onBusError }),
        }
      : {}
  const clientDir = fileURLToPath(new URL('../dist/client', import.meta.url))
  const server = createServer(config, { database, locks, logger, verifyToken, clientDir, ...cluster, ...(redis ? { redis } : {}) })
  const seed = config.seedDemo && (await server.libraries.countLibraries()) === 0 ? await seedDemo(server) : null
  const { url } = await server.listen()
  logger.info({ url, store: config.store.kind, redis: Boolean(redis) }, 'listening')
  if (config.seedDemo && signingSecret) printDemo(url, signingSecret, seed, config)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    await server.close()
    await pair?.destroy()
    await database.destroy()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

async function printDemo(url: string, secret: string, seed: DemoSeed | null, config: Config): Promise<void> {
  const lines = ['', `Folio is running at ${url}  (store: ${config.store.kind}, data: ${config.dataDir})`, '']
  if (seed) {
    lines.push(`Seeded a demo library ${seed.libraryId} with ${seed.assetIds.length} assets and site ${seed.siteId}.`)
    lines.push(`Its assets: ${seed.assetIds.join(', ')}`)
    lines.push(`The demo site's delivery key (shown once): ${seed.deliveryKey}`, '')
  }
  lines.push('Demo users (sign-in links and tokens, valid for 30 days):')
  for (const user of DEMO_USERS) {
    const token = await mintToken(secret, { sub: user.id, name: user.name, admin: user.admin, expiresIn: DEMO_TOKEN_LIFETIME })
    lines.push(`  ${user.name} (${user.role}${user.admin ? ', instance admin' : ''}): ${token}`)
    lines.push(`    sign in: ${url}/?token=${token}`)
  }
  lines.push('', `Try: curl -H "Authorization: Bearer <token>" ${url}/api/v1/libraries`, '')
  process.stdout.write(`${lines.join('\n')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`Folio failed to start: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
