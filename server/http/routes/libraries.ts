/** Libraries: creation, settings and deletion. */
import { createRoute } from '@hono/zod-openapi'
import { createId } from '../../../shared/ids.js'
import { permissionsOf } from '../../domain/permissions.js'
import { requireInstanceAdmin, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { Library, LibraryParams, PageQuery, pageOf } from '../schemas.js'

const CreateLibrary = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
})

const UpdateLibrary = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000),
    stagingEnabled: z.boolean(),
    workflowEnabled: z.boolean(),
    confirm: z.boolean().openapi({ description: 'Turn staging off although unpublished changes exist' }),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, { message: 'nothing to change' })

export function libraryRoutes(deps: AppDeps) {
  const { libraries, hub } = deps
  const app = createRouter()

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Create a library; the caller becomes its Owner',
      security: BEARER,
      request: jsonBody(CreateLibrary),
      responses: { 201: json(Library, 'The new library'), ...errors(400, 401, 403) },
    }),
    async (c) => {
      requireInstanceAdmin(c, 'create libraries')
      const user = c.get('user')
      const body = c.req.valid('json')
      const library = await libraries.createLibrary({
        id: createId('lib'),
        name: body.name,
        description: body.description ?? '',
        ownerId: user.id,
      })
      deps.logger.info({ user: user.id, library: library.id }, 'library created')
      return c.json({ ...library, role: 'owner', permissions: [...permissionsOf({ kind: 'builtin', role: 'owner' })] }, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'The libraries the caller can view, oldest first',
      security: BEARER,
      request: { query: PageQuery },
      responses: { 200: json(pageOf(Library), 'Libraries'), ...errors(400, 401) },
    }),
    async (c) => {
      const user = c.get('user')
      const page = pageOrBadCursor(await libraries.listLibrariesOf(user.id, c.req.valid('query')))
      const items = []
      for (const library of page.items) {
        const { member, grant } = await libraries.grantOf(library.id, user.id)
        // A member whose custom role was emptied of permissions sees nothing of the library.
        const permissions = permissionsOf(grant)
        if (permissions.has('VIEW')) items.push({ ...library, role: member?.role ?? null, permissions: [...permissions] })
      }
      return c.json({ items, nextCursor: page.nextCursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}',
      summary: 'A library and its settings',
      security: BEARER,
      request: { params: LibraryParams },
      responses: { 200: json(Library, 'The library'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library, member, permissions } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json({ ...library, role: member?.role ?? null, permissions: [...permissions] }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{lib}',
      summary: 'Change name, description or settings; turning staging on disconnects sites without it',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(UpdateLibrary) },
      responses: {
        200: json(Library.extend({ disconnectedSites: z.array(z.string()) }), 'The changed library'),
        ...errors(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const access = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_SETTINGS')
      const { confirm, ...changes } = c.req.valid('json')
      if (changes.stagingEnabled === false && access.library.stagingEnabled && !confirm) {
        // Never silently: the caller sees what stays unpublished, and confirms.
        const unpublished = await deps.publisher.unpublishedChanges(access.library.id)
        if (unpublished.length > 0) {
          throw new ApiError(
            'unpublished_changes',
            `${unpublished.length} change(s) are not live; turning staging off leaves them unpublished: publish them first, or send confirm: true`,
            { unpublishedChanges: unpublished },
          )
        }
      }
      const { library, disconnectedSites } = await libraries.updateLibrary(access.library.id, changes)
      deps.logger.info({ user: c.get('user').id, library: library.id, disconnectedSites }, 'library updated')
      return c.json({ ...library, role: access.member?.role ?? null, permissions: [...access.permissions], disconnectedSites }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/presence',
      summary: 'Who is in which document of the library now',
      security: BEARER,
      request: { params: LibraryParams },
      responses: {
        200: json(
          z.object({
            items: z.array(z.object({ document: z.string(), userId: z.string(), name: z.string(), access: z.enum(['read', 'write']), since: z.string() })),
          }),
          'Presence',
        ),
        ...errors(400, 401, 404),
      },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json({ items: await hub.presence(library.id) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}',
      summary: 'Delete a library with its assets (refused while staging is on)',
      security: BEARER,
      request: { params: LibraryParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'DELETE_LIBRARY')
      if (library.stagingEnabled) {
        throw new ApiError('staging_on', 'turn staging off before deleting the library: it may hold unpublished work')
      }
      await hub.closeLibrary(library.id)
      const assets = await libraries.deleteLibrary(library.id)
      deps.logger.info({ user: c.get('user').id, library: library.id, assets: assets.length }, 'library deleted')
      return c.body(null, 204)
    },
  )

  return app
}
