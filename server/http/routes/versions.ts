/** Frozen versions of an asset, their diff, the review workflow, and publishing with staging off. */
import { createRoute } from '@hono/zod-openapi'
import { diffWords } from 'diff'
import * as Y from 'yjs'
import { readCollection } from '../../content/collection.js'
import { bodyPlainText } from '../../content/render-html.js'
import { FIELDS_KEY, checkBody, cleanBody, readWebContent } from '../../content/web-content.js'
import { permissionsOf } from '../../domain/permissions.js'
import type { Asset } from '../../store/asset-store.js'
import type { AssetVersion } from '../../store/version-store.js'
import { requireAsset, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { AssetParams, PageQuery, pageOf } from '../schemas.js'

const VersionNumber = z.coerce.number().int().min(1).max(2 ** 31 - 1)
const VersionParams = AssetParams.extend({ version: VersionNumber.openapi({ param: { name: 'version', in: 'path' } }) })
const DiffParams = AssetParams.extend({
  a: VersionNumber.openapi({ param: { name: 'a', in: 'path' } }),
  b: VersionNumber.openapi({ param: { name: 'b', in: 'path' } }),
})
const VersionSchema = z
  .object({
    assetId: z.string(),
    version: z.number(),
    status: z.enum(['pending', 'approved', 'rejected']),
    fields: z.record(z.string(), z.unknown()),
    body: z.any(),
    collection: z.any(),
    fileVersion: z.number().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    reviewedBy: z.string().nullable(),
    reviewedAt: z.string().nullable(),
    reviewComment: z.string().nullable(),
  })
  .openapi('AssetVersion')

const Task = VersionSchema.extend({ libraryId: z.string(), title: z.string() }).openapi('ReviewTask')

const WorkflowBody = z.object({
  action: z.enum(['submit', 'approve', 'reject']),
  comment: z.string().trim().max(5000).optional(),
  version: VersionNumber.optional().openapi({ description: 'approve/reject: the version (default: the newest pending one)' }),
})

const DiffSchema = z
  .object({
    from: z.number(),
    to: z.number(),
    fields: z.object({
      added: z.record(z.string(), z.unknown()),
      removed: z.record(z.string(), z.unknown()),
      changed: z.array(z.object({ key: z.string(), from: z.unknown(), to: z.unknown() })),
    }),
    body: z.array(z.object({ value: z.string(), added: z.boolean(), removed: z.boolean() })),
  })
  .openapi('VersionDiff')

function diffFields(a: Record<string, unknown>, b: Record<string, unknown>) {
  const added: Record<string, unknown> = {}
  const removed: Record<string, unknown> = {}
  const changed: { key: string; from: unknown; to: unknown }[] = []
  for (const key of Object.keys(b)) {
    if (!Object.hasOwn(a, key)) added[key] = b[key]
    else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) changed.push({ key, from: a[key], to: b[key] })
  }
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) removed[key] = a[key]
  return { added, removed, changed }
}

export { VersionSchema }

export function versionRoutes(deps: AppDeps) {
  const { versions, hub, files } = deps
  const app = createRouter()

  const assetOf = (libraryId: string, assetId: string) => requireAsset(deps, libraryId, assetId)

  /** Freezes the document as it is now into an immutable version; typing goes on as the next draft. */
  async function freeze(asset: Asset, status: 'pending' | 'approved', userId: string): Promise<AssetVersion> {
    const frozen = await hub.withRoom(asset.id, asset.libraryId, (room) => {
      const ydoc = Y.encodeStateAsUpdate(room.doc)
      switch (asset.type) {
        case 'web-content': {
          const { fields, body } = readWebContent(room.doc)
          return { ydoc, fields, body: cleanBody(body), collection: null }
        }
        case 'collection':
          return { ydoc, fields: room.doc.getMap(FIELDS_KEY).toJSON(), body: null, collection: readCollection(room.doc) }
        default:
          return { ydoc, fields: room.doc.getMap(FIELDS_KEY).toJSON(), body: null, collection: null }
      }
    })
    if (frozen.body !== null) {
      const check = checkBody(frozen.body)
      if (!check.ok) throw new ApiError('invalid_body', `the document does not fit the schema and cannot be frozen: ${check.message}`)
    }
    const file = asset.type === 'document' ? await files.latestVersion(asset.id) : null
    if (asset.type === 'document' && !file) throw new ApiError('unprocessable', 'upload a file before freezing a document asset')
    return versions.createVersion({ assetId: asset.id, status, createdBy: userId, fileVersion: file?.version ?? null, ...frozen })
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/versions',
      summary: 'Freeze the document into a new version: pending review with workflow on, approved otherwise',
      security: BEARER,
      request: { params: AssetParams },
      responses: { 201: json(VersionSchema, 'The new version'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'EDIT')
      const asset = await assetOf(library.id, params.asset)
      const version = await freeze(asset, library.workflowEnabled ? 'pending' : 'approved', c.get('user').id)
      return c.json(version, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/versions',
      summary: 'Version history of an asset, oldest first',
      security: BEARER,
      request: { params: AssetParams, query: PageQuery },
      responses: { 200: json(pageOf(VersionSchema), 'Versions'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await assetOf(library.id, params.asset)
      return c.json(pageOrBadCursor(await versions.listVersions(asset.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/versions/{version}',
      summary: 'One frozen version',
      security: BEARER,
      request: { params: VersionParams },
      responses: { 200: json(VersionSchema, 'The version'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await assetOf(library.id, params.asset)
      const version = await versions.getVersion(asset.id, params.version)
      if (!version) throw new ApiError('not_found', `${asset.id} has no version ${params.version}`)
      return c.json(version, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/versions/{a}/diff/{b}',
      summary: 'What changed from version a to version b: fields, and the body as added and removed text',
      security: BEARER,
      request: { params: DiffParams },
      responses: { 200: json(DiffSchema, 'The difference'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await assetOf(library.id, params.asset)
      const [a, b] = await Promise.all([versions.getVersion(asset.id, params.a), versions.getVersion(asset.id, params.b)])
      if (!a || !b) throw new ApiError('not_found', `${asset.id} has no version ${!a ? params.a : params.b}`)
      const text = (v: AssetVersion) => (v.body ? bodyPlainText(v.body) : '')
      const body = diffWords(text(a), text(b)).map((part) => ({ value: part.value, added: part.added, removed: part.removed }))
      return c.json({ from: a.version, to: b.version, fields: diffFields(a.fields, b.fields), body }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/workflow',
      summary: 'Submit the document for review (EDIT), or approve / reject a pending version (REVIEW)',
      security: BEARER,
      request: { params: AssetParams, ...jsonBody(WorkflowBody) },
      responses: { 200: json(VersionSchema, 'The version decided'), 201: json(VersionSchema, 'The version submitted'), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const body = c.req.valid('json')
      const { library } = await requireLibrary(c, deps, params.lib, body.action === 'submit' ? 'EDIT' : 'REVIEW')
      const asset = await assetOf(library.id, params.asset)
      if (!library.workflowEnabled) {
        throw new ApiError('unprocessable', 'workflow is off in this library: freeze a version with POST …/versions and publish it')
      }
      if (body.action === 'submit') return c.json(await freeze(asset, 'pending', c.get('user').id), 201)
      if (body.action === 'reject' && !body.comment) throw new ApiError('invalid_request', 'comment: a rejection says why')
      let target = body.version
      if (target === undefined) {
        const pending = (await versions.listVersions(asset.id, { limit: 100 }))?.items.filter((v) => v.status === 'pending').pop()
        if (!pending) throw new ApiError('conflict', `${asset.id} has no version waiting for review`)
        target = pending.version
      }
      const decided = await versions.review(asset.id, target, {
        status: body.action === 'approve' ? 'approved' : 'rejected',
        reviewer: c.get('user').id,
        comment: body.comment ?? '',
      })
      if (!decided) throw new ApiError('conflict', `version ${target} of ${asset.id} is not waiting for review`)
      deps.logger.info({ user: c.get('user').id, asset: asset.id, version: target, action: body.action }, 'reviewed')
      return c.json(decided, 200)
    },
  )

  return app
}

export function taskRoutes(deps: AppDeps) {
  const app = createRouter()
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'Versions waiting for the caller’s review, in every library where they hold REVIEW',
      security: BEARER,
      request: { query: PageQuery },
      responses: { 200: json(pageOf(Task), 'Tasks'), ...errors(400, 401) },
    }),
    async (c) => {
      const user = c.get('user')
      const reviewable: string[] = []
      let cursor: string | undefined
      do {
        const page = pageOrBadCursor(await deps.libraries.listLibrariesOf(user.id, { limit: 100, ...(cursor ? { cursor } : {}) }))
        for (const library of page.items) {
          const { grant } = await deps.libraries.grantOf(library.id, user.id)
          if (permissionsOf(grant).has('REVIEW')) reviewable.push(library.id)
        }
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      return c.json(pageOrBadCursor(await deps.versions.pendingIn(reviewable, c.req.valid('query'))), 200)
    },
  )
  return app
}
