/**
 * Remote Live, both ends. The sending library keeps a target (another instance's URL, library and
 * bearer token); the receiving instance exposes its live state and takes files and generations
 * from senders that hold PUBLISH_LIBRARY on its library. The receiver renders HTML itself from
 * the bodies it is sent: what another instance calls HTML is never passed through.
 */
import { Readable } from 'node:stream'
import { createRoute } from '@hono/zod-openapi'
import { isId, isLocale } from '../../../shared/ids.js'
import type { ProseMirrorJSON } from '../../../shared/schema.js'
import { renderHtml } from '../../content/render-html.js'
import { cleanBody } from '../../content/web-content.js'
import { describeRefusal } from '../../publishing/publisher.js'
import type { LiveEntry, LiveTranslation } from '../../store/live-store.js'
import { requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { LibraryParams } from '../schemas.js'

const RemoteTargetBody = z.object({
  url: z.url({ protocol: /^https?$/ }),
  libraryId: z.string().refine((v) => isId('lib', v), { message: 'not a library id' }),
  token: z.string().min(10).max(8192).openapi({ description: 'A bearer token of the other instance; never shown again' }),
})
const RemoteTargetSchema = z.object({ url: z.string(), libraryId: z.string(), configured: z.boolean() }).openapi('RemoteTarget')

const HashParams = LibraryParams.extend({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in hex').openapi({ param: { name: 'hash', in: 'path' } }),
})

const AssetId = z.string().refine((v) => isId('ast', v), { message: 'not an asset id' })
const ImportEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('put'),
    assetId: AssetId,
    sourceVersion: z.number().int(),
    type: z.enum(['web-content', 'document', 'collection']),
    fields: z.record(z.string(), z.unknown()),
    body: z.any().nullable(),
    collection: z.any().nullable(),
    file: z
      .object({ version: z.number().int(), blobHash: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().min(0), contentType: z.string().max(200), filename: z.string().max(255) })
      .nullable(),
    translations: z.record(z.string().refine(isLocale), z.object({ fields: z.record(z.string(), z.unknown()), body: z.any().nullable() })).default({}),
  }),
  z.object({ kind: z.literal('delete'), assetId: AssetId }),
])
const ImportBody = z.object({ entries: z.array(ImportEntry).min(1).max(5000) })

function rendered(body: unknown): { body: ProseMirrorJSON | null; html: string | null } {
  if (body === null || body === undefined) return { body: null, html: null }
  const clean = cleanBody(body)
  return { body: clean, html: renderHtml(clean) }
}

export function remoteRoutes(deps: AppDeps) {
  const { live, publisher, blobs } = deps
  const app = createRouter()

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{lib}/remote',
      summary: 'Set the Remote Live target: another instance, its library, and a token it gave',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(RemoteTargetBody) },
      responses: { 200: json(RemoteTargetSchema, 'The target (without its token)'), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_SETTINGS')
      const body = c.req.valid('json')
      await live.setRemoteTarget(library.id, { url: body.url, remoteLibraryId: body.libraryId, token: body.token })
      return c.json({ url: body.url, libraryId: body.libraryId, configured: true }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/remote',
      summary: 'The Remote Live target (its token is never shown)',
      security: BEARER,
      request: { params: LibraryParams },
      responses: { 200: json(RemoteTargetSchema, 'The target'), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_SETTINGS')
      const target = await live.getRemoteTarget(library.id)
      if (!target) throw new ApiError('not_found', `library ${library.id} has no Remote Live target`)
      return c.json({ url: target.url, libraryId: target.remoteLibraryId, configured: true }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/remote',
      summary: 'Forget the Remote Live target',
      security: BEARER,
      request: { params: LibraryParams },
      responses: { 204: { description: 'Forgotten' }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_SETTINGS')
      await live.setRemoteTarget(library.id, null)
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/live-state',
      summary: 'What is live in this library: asset → the version it came from (for Remote Live senders)',
      security: BEARER,
      request: { params: LibraryParams },
      responses: { 200: json(z.object({ generation: z.number(), assets: z.record(z.string(), z.number().nullable()) }), 'Live state'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      const state = await live.liveState(library.id)
      return c.json({ generation: await live.currentGeneration(library.id), assets: Object.fromEntries(state) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{lib}/live-imports/blobs/{hash}',
      summary: 'Remote Live: receive a file by its SHA-256 before the generation that uses it',
      security: BEARER,
      request: { params: HashParams, body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } } },
      responses: { 204: { description: 'Stored' }, ...errors(400, 401, 403, 404, 413, 422) },
    }),
    async (c) => {
      const { lib, hash } = c.req.valid('param')
      await requireLibrary(c, deps, lib, 'PUBLISH_LIBRARY')
      if (await blobs.exists(hash)) return c.body(null, 204)
      const body = c.req.raw.body
      if (!body) throw new ApiError('invalid_request', 'the request has no body')
      const result = await blobs.put(Readable.fromWeb(body as import('node:stream/web').ReadableStream), { maxBytes: deps.maxUploadBytes })
      if (!result.ok) throw new ApiError(result.reason === 'too_large' ? 'payload_too_large' : 'invalid_request', `file refused: ${result.reason}`)
      if (result.hash !== hash) throw new ApiError('unprocessable', `the bytes hash to ${result.hash}, not ${hash}`)
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/live-imports',
      summary: 'Remote Live: receive a generation and switch to it, all or nothing',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(ImportBody) },
      responses: { 201: json(z.object({ id: z.string(), generation: z.number().nullable(), status: z.string() }), 'The import'), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'PUBLISH_LIBRARY')
      const entries: LiveEntry[] = []
      for (const entry of c.req.valid('json').entries) {
        if (entry.kind === 'delete') {
          entries.push(entry)
          continue
        }
        if (entry.file && !(await blobs.exists(entry.file.blobHash))) {
          throw new ApiError('unprocessable', `file ${entry.file.blobHash} of ${entry.assetId} was not sent first`)
        }
        const translations: Record<string, LiveTranslation> = {}
        for (const [locale, t] of Object.entries(entry.translations)) translations[locale] = { fields: t.fields, ...rendered(t.body) }
        entries.push({ ...entry, ...rendered(entry.body), collection: entry.collection ?? null, translations })
      }
      const result = await publisher.importGeneration(library.id, entries, c.get('user').id)
      if (!result.ok) throw new ApiError(result.reason === 'busy' ? 'conflict' : 'unprocessable', describeRefusal(result))
      if (result.publication.status !== 'succeeded') {
        throw new ApiError('publication_failed', `import ${result.publication.id} failed: ${result.publication.error ?? 'unknown error'}`)
      }
      return c.json({ id: result.publication.id, generation: result.publication.generation, status: result.publication.status }, 201)
    },
  )

  return app
}
