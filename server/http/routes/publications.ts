/** Publishing: one asset now (staging off), Publish to Live (staging on), rollback, and the record. */
import { createRoute } from '@hono/zod-openapi'
import { isId } from '../../../shared/ids.js'
import { describeRefusal, type PublishRefusal, type PublishResult } from '../../publishing/publisher.js'
import type { PublicationRequest } from '../../store/live-store.js'
import { requireAsset, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { AssetParams, LibraryParams, PageQuery, pageOf } from '../schemas.js'

const PublicationSchema = z
  .object({
    id: z.string(),
    libraryId: z.string(),
    mode: z.string(),
    status: z.enum(['scheduled', 'running', 'succeeded', 'failed']),
    scheduledAt: z.string().nullable(),
    request: z.any(),
    assetIds: z.array(z.string()),
    generation: z.number().nullable(),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
  })
  .openapi('Publication')

const LiveVersionSchema = z
  .object({
    assetId: z.string(),
    liveVersion: z.number(),
    sourceVersion: z.number().nullable(),
    generation: z.number(),
    fields: z.record(z.string(), z.unknown()),
    html: z.string().nullable(),
    publishedBy: z.string(),
    publishedAt: z.string(),
  })
  .openapi('LiveVersion')

const PublicationParams = LibraryParams.extend({
  publication: z.string().refine((v) => isId('pub', v), { message: 'not a publication id' }).openapi({ param: { name: 'publication', in: 'path' } }),
})
const RestoreParams = AssetParams.extend({
  version: z.coerce.number().int().min(1).max(2 ** 31 - 1).openapi({ param: { name: 'version', in: 'path' } }),
})

const PublishToLive = z
  .object({
    mode: z.enum(['simple', 'advanced']),
    assetIds: z.array(z.string().max(40)).min(1).max(1000).optional(),
    since: z.iso.datetime().optional().openapi({ description: 'advanced: approved versions frozen since this time' }),
    scheduledAt: z.iso.datetime().optional().openapi({ description: 'run then (checked again when it runs)' }),
    target: z.enum(['local', 'remote']).default('local'),
  })
  .refine((v) => v.mode === 'simple' || (v.assetIds !== undefined) !== (v.since !== undefined), {
    message: 'advanced publications name assetIds or a since date (one of them)',
  })

function refusal(result: PublishRefusal): ApiError {
  const code = result.reason === 'busy' ? 'conflict' : result.reason === 'remote_failed' ? 'remote_failed' : 'unprocessable'
  return new ApiError(code, describeRefusal(result))
}

export function publicationRoutes(deps: AppDeps) {
  const { publisher, live } = deps
  const app = createRouter()

  function answer(result: PublishResult) {
    if (!result.ok) throw refusal(result)
    if (result.publication.status === 'failed') {
      throw new ApiError('publication_failed', `publication ${result.publication.id} failed: ${result.publication.error ?? 'unknown error'}; nothing was published`)
    }
    return result.publication
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/publish',
      summary: "Staging off: put the asset's newest approved version live now",
      security: BEARER,
      request: { params: AssetParams },
      responses: { 201: json(PublicationSchema, 'The publication'), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'PUBLISH')
      const asset = await requireAsset(deps, library.id, params.asset)
      if (library.stagingEnabled) throw new ApiError('staging_on', 'staging is on: use Publish to Live (POST …/publications)')
      const result = await publisher.publish({ libraryId: library.id, request: { mode: 'asset', assetIds: [asset.id] }, userId: c.get('user').id })
      return c.json(answer(result), 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/publications',
      summary: 'Publish to Live (staging on): simple = everything changed, deletions included; advanced = chosen assets or a date range',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(PublishToLive) },
      responses: { 201: json(PublicationSchema, 'The publication (done, or scheduled)'), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, body.mode === 'simple' ? 'PUBLISH_LIBRARY' : 'PUBLISH')
      if (!library.stagingEnabled) throw new ApiError('unprocessable', 'staging is off: publish assets one by one (POST …/assets/:asset/publish)')
      const request: PublicationRequest = {
        mode: body.mode,
        target: body.target,
        ...(body.assetIds !== undefined ? { assetIds: body.assetIds } : {}),
        ...(body.since !== undefined ? { since: body.since } : {}),
      }
      const userId = c.get('user').id
      if (body.scheduledAt !== undefined) {
        const at = new Date(body.scheduledAt)
        if (at.getTime() <= Date.now()) throw new ApiError('unprocessable', 'scheduledAt is in the past')
        const result = await publisher.schedule({ libraryId: library.id, request, userId, at })
        if (!result.ok) throw refusal(result)
        return c.json(result.publication, 201)
      }
      return c.json(answer(await publisher.publish({ libraryId: library.id, request, userId })), 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/versions/{version}/restore',
      summary: 'Rollback: publish an older approved version again, as a new live version',
      security: BEARER,
      request: { params: RestoreParams },
      responses: { 201: json(PublicationSchema, 'The publication'), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'PUBLISH')
      const asset = await requireAsset(deps, library.id, params.asset)
      const result = await publisher.publish({
        libraryId: library.id,
        request: { mode: 'restore', assetIds: [asset.id], restoreVersion: params.version },
        userId: c.get('user').id,
      })
      return c.json(answer(result), 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/live',
      summary: 'Live history of an asset, newest first',
      security: BEARER,
      request: { params: AssetParams },
      responses: { 200: json(z.object({ items: z.array(LiveVersionSchema) }), 'Live versions'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      await requireLibrary(c, deps, params.lib, 'VIEW')
      const items = (await live.history(params.asset))
        .filter((v) => v.libraryId === params.lib)
        .map((v) => ({
          assetId: v.assetId,
          liveVersion: v.liveVersion,
          sourceVersion: v.sourceVersion,
          generation: v.generation,
          fields: v.fields,
          html: v.html,
          publishedBy: v.publishedBy,
          publishedAt: v.publishedAt,
        }))
      return c.json({ items }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/publications',
      summary: 'Publications of a library: who, when, mode, assets, status, duration, error',
      security: BEARER,
      request: { params: LibraryParams, query: PageQuery },
      responses: { 200: json(pageOf(PublicationSchema), 'Publications'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json(pageOrBadCursor(await live.listPublications(library.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/publications/{publication}',
      summary: 'One publication',
      security: BEARER,
      request: { params: PublicationParams },
      responses: { 200: json(PublicationSchema, 'The publication'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const publication = await live.getPublication(library.id, params.publication)
      if (!publication) throw new ApiError('not_found', `no publication ${params.publication} in ${library.id}`)
      return c.json(publication, 200)
    },
  )

  return app
}
