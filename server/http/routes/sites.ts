/** Sites (instance-wide, for instance admins) and their connections to libraries. */
import { createRoute } from '@hono/zod-openapi'
import { createId } from '../../../shared/ids.js'
import { createDeliveryKey, hashDeliveryKey } from '../../auth/delivery-keys.js'
import { requireInstanceAdmin, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { LibraryParams, LibrarySiteParams, PageQuery, Site, SiteParams, pageOf } from '../schemas.js'

const CreateSite = z.object({ name: z.string().trim().min(1).max(200), stagingEnabled: z.boolean().default(false) })
const UpdateSite = z
  .object({ name: z.string().trim().min(1).max(200), stagingEnabled: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })


export function siteRoutes(deps: AppDeps) {
  const { sites } = deps
  const app = createRouter()

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Create a site; the response shows its delivery key, once',
      security: BEARER,
      request: jsonBody(CreateSite),
      responses: { 201: json(Site.extend({ deliveryKey: z.string() }), 'The new site and its key'), ...errors(400, 401, 403) },
    }),
    async (c) => {
      requireInstanceAdmin(c, 'create sites')
      const body = c.req.valid('json')
      const deliveryKey = createDeliveryKey()
      const site = await sites.createSite({
        id: createId('site'),
        name: body.name,
        stagingEnabled: body.stagingEnabled,
        deliveryKeyHash: hashDeliveryKey(deliveryKey),
      })
      deps.logger.info({ user: c.get('user').id, site: site.id }, 'site created')
      return c.json({ ...site, deliveryKey }, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'All sites',
      security: BEARER,
      request: { query: PageQuery },
      responses: { 200: json(pageOf(Site), 'Sites'), ...errors(400, 401, 403) },
    }),
    async (c) => {
      requireInstanceAdmin(c, 'list sites')
      return c.json(pageOrBadCursor(await sites.listSites(c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{site}',
      summary: "Rename a site or change its staging flag (not off while a staging library uses it)",
      security: BEARER,
      request: { params: SiteParams, ...jsonBody(UpdateSite) },
      responses: { 200: json(Site, 'The changed site'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      requireInstanceAdmin(c, 'change sites')
      const { site: siteId } = c.req.valid('param')
      const body = c.req.valid('json')
      if (!(await sites.getSite(siteId))) throw new ApiError('not_found', `no site ${siteId}`)
      if (body.stagingEnabled === false) {
        const staging = await sites.stagingLibrariesOf(siteId)
        if (staging.length > 0) {
          throw new ApiError('staging_rule', `libraries with staging on use this site: ${staging.join(', ')}; disconnect them first`)
        }
      }
      const site = await sites.updateSite(siteId, body)
      if (!site) throw new ApiError('not_found', `no site ${siteId}`)
      return c.json(site, 200)
    },
  )

  return app
}

export function librarySiteRoutes(deps: AppDeps) {
  const { sites } = deps
  const app = createRouter()

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/sites',
      summary: 'Sites connected to a library',
      security: BEARER,
      request: { params: LibraryParams, query: PageQuery },
      responses: { 200: json(pageOf(Site), 'Connected sites'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json(pageOrBadCursor(await sites.sitesOfLibrary(library.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{lib}/sites/{site}',
      summary: 'Connect a site (a library with staging on only connects sites with staging on)',
      security: BEARER,
      request: { params: LibrarySiteParams },
      responses: { 204: { description: 'Connected' }, ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'MANAGE_SITES')
      const site = await sites.getSite(params.site)
      if (!site) throw new ApiError('not_found', `no site ${params.site}`)
      if (library.stagingEnabled && !site.stagingEnabled) {
        throw new ApiError('staging_rule', `library ${library.id} has staging on; site ${site.id} does not`)
      }
      await sites.connectSite(library.id, site.id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/sites/{site}',
      summary: 'Disconnect a site',
      security: BEARER,
      request: { params: LibrarySiteParams },
      responses: { 204: { description: 'Disconnected' }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'MANAGE_SITES')
      if (!(await sites.disconnectSite(library.id, params.site))) {
        throw new ApiError('not_found', `site ${params.site} is not connected to ${library.id}`)
      }
      return c.body(null, 204)
    },
  )

  return app
}
