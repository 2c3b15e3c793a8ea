/**
 * The Hono app: health, then `/api/v1` behind bearer-token authentication.
 *
 * @example
 *   const app = createApp(deps)
 *   const res = await app.request('/healthz')
 */
import { Hono } from 'hono'
import { serveStatic } from '@hono/node-server/serve-static'
import { bodyLimit } from 'hono/body-limit'
import { refreshLocalConnections } from './access.js'
import type { AppDeps, AppEnv } from './context.js'
import { ApiError, errorBody, errorResponse } from './errors.js'
import { createRouter } from './openapi.js'
import { renderApiPage } from './api-page.js'
import { assetLookupRoutes, assetRoutes } from './routes/assets.js'
import { libraryRoutes } from './routes/libraries.js'
import { memberRoutes } from './routes/members.js'
import { librarySiteRoutes, siteRoutes } from './routes/sites.js'
import { taxonomyRoutes } from './routes/taxonomy.js'
import { fileRoutes } from './routes/files.js'
import { deliveryRoutes } from './routes/delivery.js'
import { taskRoutes, versionRoutes } from './routes/versions.js'
import { publicationRoutes } from './routes/publications.js'
import { translationRoutes } from './routes/translations.js'
import { remoteRoutes } from './routes/remote.js'

const BEARER_HEADER = /^Bearer\s+(\S+)$/i
const UPLOAD_PATH = /^\/api\/v1\/libraries\/[^/]+\/(assets\/[^/]+\/files|live-imports\/blobs\/[0-9a-f]+)$/

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  deps.accessEvents?.subscribe((event) => {
    refreshLocalConnections(deps, event.libraryId, event.userId).catch((error: unknown) =>
      deps.logger.error({ err: error, ...event }, 'access refresh failed'),
    )
  })

  app.onError((error, c) => errorResponse(c, error, (e) => deps.logger.error({ err: e, path: c.req.path }, 'request failed')))
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404))

  if (deps.clientDir) {
    // The browser app: its built files, and index.html for every path the app routes itself.
    const root = deps.clientDir
    app.use('/assets/*', serveStatic({ root }))
    for (const path of ['/', '/libraries/*', '/edit/*', '/preview/*']) {
      app.get(path, serveStatic({ root, path: 'index.html' }))
    }
  }
  app.get('/', (c) =>
    c.json({
      name: 'Folio',
      api: '/api/v1',
      collaboration: '/collab/<document>?token=<JWT>',
      health: '/healthz',
      app: 'not built: run `npm run build`',
    }),
  )

  app.get('/metrics', async (c) => {
    if (!deps.metrics) return c.json(errorBody('not_found', 'metrics are not enabled'), 404)
    c.header('content-type', deps.metrics.contentType)
    return c.body(await deps.metrics.metrics(), 200)
  })

  app.get('/healthz', async (c) => {
    const report = await deps.health()
    const ok = report.store && report.redis !== false
    return c.json({ ok, ...report }, ok ? 200 : 503)
  })

  const api = createRouter()
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  const openApiConfig = {
    openapi: '3.0.3',
    info: { title: 'Folio API', version: '1', description: 'Asset libraries, members, sites and assets.' },
    servers: [{ url: '/api/v1' }],
  }
  // The API description is public, like the routes it describes; everything else needs a token.
  api.doc('/openapi.json', openApiConfig)
  // The generator's types are wider than the page needs; the page reads only plain JSON fields.
  api.get('/docs', (c) => c.html(renderApiPage(api.getOpenAPIDocument(openApiConfig) as unknown as Parameters<typeof renderApiPage>[0])))
  // Sites authenticate with their delivery key, not a user's token: mounted before `authenticate`.
  api.route('/delivery', deliveryRoutes(deps))
  const jsonLimit = bodyLimit({
    maxSize: deps.maxJsonBytes,
    onError: () => {
      throw new ApiError('payload_too_large', `request bodies are limited to ${deps.maxJsonBytes} bytes`)
    },
  })
  // Uploads stream to disk under their own limit (MAX_UPLOAD_BYTES); everything else is small JSON.
  api.use(async function limitBodies(c, next) {
    if ((c.req.method === 'POST' || c.req.method === 'PUT') && UPLOAD_PATH.test(c.req.path)) return next()
    return jsonLimit(c, next)
  })
  api.use(async function authenticate(c, next) {
    const match = BEARER_HEADER.exec(c.req.header('authorization') ?? '')
    const result = await deps.verifyToken(match?.[1])
    if (!result.ok) {
      throw new ApiError(result.reason === 'expired' ? 'token_expired' : 'unauthorized', result.message)
    }
    c.set('user', result.user)
    await next()
  })
  api.route('/libraries', libraryRoutes(deps))
  api.route('/libraries', memberRoutes(deps))
  api.route('/libraries', librarySiteRoutes(deps))
  api.route('/libraries', assetRoutes(deps))
  api.route('/libraries', taxonomyRoutes(deps))
  api.route('/libraries', fileRoutes(deps))
  api.route('/libraries', versionRoutes(deps))
  api.route('/libraries', publicationRoutes(deps))
  api.route('/libraries', translationRoutes(deps))
  api.route('/libraries', remoteRoutes(deps))
  api.route('/preview', deliveryRoutes(deps, 'user'))
  api.route('/assets', assetLookupRoutes(deps))
  api.route('/tasks', taskRoutes(deps))
  api.route('/sites', siteRoutes(deps))
  app.route('/api/v1', api)

  return app
}
