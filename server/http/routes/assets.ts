/** Assets of a library: creation, listing, the staged state as JSON, and field edits. */
import { createRoute } from '@hono/zod-openapi'
import { createId, isId, normalizeTag } from '../../../shared/ids.js'
import type { ProseMirrorJSON } from '../../../shared/schema.js'
import {
  CollectionQuery,
  MAX_COLLECTION_ITEMS,
  createCollectionUpdate,
  readCollection,
  setCollectionItems,
  type CollectionSpec,
} from '../../content/collection.js'
import { FIELDS_KEY, checkBody, createFieldsUpdate, createWebContentUpdate, readWebContent } from '../../content/web-content.js'
import type { Asset } from '../../store/asset-store.js'
import { requireAsset, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { Asset as AssetSchema, AssetParams, AssetSummary, FieldName, FieldValue, LibraryParams, PageQuery, pageOf } from '../schemas.js'

const ASSET_TYPES = ['web-content', 'document', 'collection'] as const
const ASSET_STATUSES = ['draft', 'pending', 'approved', 'rejected'] as const

const AssetIdList = z.array(z.string().max(40)).max(MAX_COLLECTION_ITEMS)

const CollectionInput = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('manual'), items: AssetIdList.default([]) }),
    z.object({ kind: z.literal('dynamic'), query: CollectionQuery }),
  ])
  .openapi('CollectionInput', { description: 'Manual: ordered asset ids. Dynamic: a saved query over type, tags, categories.' })

const CreateAsset = z.object({
  type: z.enum(ASSET_TYPES),
  title: z.string().trim().min(1).max(500),
  description: z.string().max(5000).optional(),
  fields: z.record(FieldName, FieldValue).optional(),
  body: z.any().optional().openapi({ description: 'web-content: ProseMirror JSON; an empty paragraph when absent' }),
  collection: CollectionInput.optional().openapi({ description: 'collection: required' }),
})

const PutItems = z.object({ items: AssetIdList })

const UpdateAsset = z
  .object({
    title: z.string().trim().min(1).max(500),
    description: z.string().max(5000),
    fields: z.record(FieldName, FieldValue).openapi({ description: 'Fields to set (title and description included)' }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })

const ListQuery = z.object({
  type: z.enum(ASSET_TYPES).optional(),
  status: z.enum(ASSET_STATUSES).optional(),
  tag: z.string().max(200).optional(),
  category: z.string().max(40).optional().openapi({ description: 'A category id: assets in it or any category below it' }),
}).extend(PageQuery.shape)

export function assetRoutes(deps: AppDeps) {
  const { assets, hub, taxonomy, files } = deps
  const app = createRouter()

  const loadAsset = (libraryId: string, assetId: string) => requireAsset(deps, libraryId, assetId)

  /** Manual items must be assets of the same library; answers them de-duplicated, in order. */
  async function checkedItems(libraryId: string, selfId: string | null, items: readonly string[]): Promise<string[]> {
    const unique = [...new Set(items)]
    const found = new Set((await assets.getAssets(libraryId, unique.filter((id) => isId('ast', id)))).map((a) => a.id))
    const unknown = unique.filter((id) => !found.has(id))
    if (unknown.length > 0) throw new ApiError('unprocessable', `not assets of this library: ${unknown.join(', ')}`)
    if (selfId !== null && unique.includes(selfId)) throw new ApiError('unprocessable', 'a collection cannot contain itself')
    return unique
  }

  async function resolveCollection(libraryId: string, spec: CollectionSpec): Promise<Asset[]> {
    if (spec.kind === 'manual') return assets.getAssets(libraryId, spec.items)
    const { query } = spec
    const tags = query.tags?.map((t) => normalizeTag(t)).filter((t): t is string => t !== null)
    const categoryIds = query.categories
      ? (await Promise.all(query.categories.filter((id) => isId('cat', id)).map((id) => taxonomy.subtreeOf(libraryId, id)))).flat()
      : undefined
    return assets.queryAssets(libraryId, {
      ...(query.type !== undefined ? { type: query.type } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(categoryIds !== undefined ? { categoryIds } : {}),
      sort: query.sort,
      order: query.order,
      limit: query.limit,
    })
  }

  async function withTaxonomy(list: Asset[]) {
    const ids = list.map((a) => a.id)
    const [tags, categories] = await Promise.all([taxonomy.tagsOf(ids), taxonomy.categoriesOf(ids)])
    return list.map((a) => ({ ...a, tags: tags.get(a.id) ?? [], categories: categories.get(a.id) ?? [] }))
  }

  async function assetJson(asset: Asset) {
    const content = await hub.withRoom(asset.id, asset.libraryId, (room) => {
      switch (asset.type) {
        case 'collection':
          return { fields: room.doc.getMap(FIELDS_KEY).toJSON(), body: null, collection: readCollection(room.doc) }
        case 'document':
          return { fields: room.doc.getMap(FIELDS_KEY).toJSON(), body: null }
        default:
          return readWebContent(room.doc)
      }
    })
    const [file, [indexed], live] = await Promise.all([
      asset.type === 'document' ? files.latestVersion(asset.id) : null,
      withTaxonomy([asset]),
      deps.live.liveAsset(asset.libraryId, asset.id),
    ])
    return {
      ...indexed!,
      ...content,
      ...(file ? { file: { version: file.version, size: file.size, contentType: file.contentType, filename: file.filename } } : {}),
      liveVersion: live?.liveVersion ?? null,
    }
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets',
      summary: 'Create an asset',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(CreateAsset) },
      responses: { 201: json(AssetSchema, 'The new asset'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_ASSETS')
      const input = c.req.valid('json')
      const id = createId('ast')
      const common = {
        title: input.title,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.fields !== undefined ? { fields: input.fields } : {}),
      }
      let initialUpdate: Uint8Array
      switch (input.type) {
        case 'web-content': {
          if (input.body !== undefined) {
            const check = checkBody(input.body)
            if (!check.ok) throw new ApiError('invalid_body', `body does not fit the schema: ${check.message}`)
          }
          initialUpdate = createWebContentUpdate({ ...common, ...(input.body !== undefined ? { body: input.body as ProseMirrorJSON } : {}) })
          break
        }
        case 'collection': {
          if (!input.collection) throw new ApiError('unprocessable', 'a collection needs `collection`: {kind: "manual", items} or {kind: "dynamic", query}')
          const spec: CollectionSpec =
            input.collection.kind === 'manual'
              ? { kind: 'manual', items: await checkedItems(library.id, null, input.collection.items) }
              : { kind: 'dynamic', query: input.collection.query }
          initialUpdate = createCollectionUpdate({ ...common, spec })
          break
        }
        case 'document':
          initialUpdate = createFieldsUpdate(common)
          break
      }
      const user = c.get('user')
      const asset = await assets.createAsset({
        id,
        libraryId: library.id,
        type: input.type,
        title: input.title,
        createdBy: user.id,
        initialUpdate,
      })
      deps.logger.info({ user: user.id, library: library.id, asset: asset.id }, 'asset created')
      return c.json(await assetJson(asset), 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets',
      summary: 'A page of the library’s assets, oldest first; filter by type and status',
      security: BEARER,
      request: { params: LibraryParams, query: ListQuery },
      responses: { 200: json(pageOf(AssetSummary), 'Assets'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      const { cursor, limit, tag, category, ...filter } = c.req.valid('query')
      const normalizedTag = tag === undefined ? undefined : normalizeTag(tag)
      if (normalizedTag === null) throw new ApiError('invalid_request', `tag: "${tag}" is not a tag`)
      if (category !== undefined && !isId('cat', category)) throw new ApiError('invalid_request', `category: "${category}" is not a category id`)
      const categoryIds = category === undefined ? undefined : await taxonomy.subtreeOf(library.id, category)
      const page = await assets.listAssets(
        library.id,
        { ...filter, ...(normalizedTag !== undefined ? { tag: normalizedTag } : {}), ...(categoryIds !== undefined ? { categoryIds } : {}) },
        { limit, ...(cursor !== undefined ? { cursor } : {}) },
      )
      if (!page) throw new ApiError('invalid_request', 'cursor: not a cursor this server gave out')
      return c.json({ items: await withTaxonomy(page.items), nextCursor: page.nextCursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}',
      summary: 'The staged state of an asset',
      security: BEARER,
      request: { params: AssetParams },
      responses: { 200: json(AssetSchema, 'The asset'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      return c.json(await assetJson(await loadAsset(library.id, params.asset)), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{lib}/assets/{asset}',
      summary: 'Change fields as one Yjs transaction: connected editors see it live',
      security: BEARER,
      request: { params: AssetParams, ...jsonBody(UpdateAsset) },
      responses: { 200: json(AssetSchema, 'The changed asset'), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'EDIT')
      const asset = await loadAsset(library.id, params.asset)
      const input = c.req.valid('json')
      const changes: Record<string, string | number | boolean | null> = { ...input.fields }
      if (input.title !== undefined) changes.title = input.title
      if (input.description !== undefined) changes.description = input.description
      await hub.withRoom(asset.id, asset.libraryId, async (room) => {
        room.change(`rest:${c.get('user').id}`, (doc) => {
          const fields = doc.getMap(FIELDS_KEY)
          for (const [key, value] of Object.entries(changes)) fields.set(key, value)
        })
        await room.whenDurable()
      })
      if (typeof changes.title === 'string') await assets.setTitle(asset.id, changes.title)
      return c.json(await assetJson((await assets.getAsset(asset.id)) ?? asset), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/items',
      summary: "A collection's assets, in order: a manual list, or a dynamic query run now",
      security: BEARER,
      request: { params: AssetParams },
      responses: { 200: json(z.object({ items: z.array(AssetSummary) }), 'The members'), ...errors(400, 401, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await loadAsset(library.id, params.asset)
      if (asset.type !== 'collection') throw new ApiError('unprocessable', `${asset.id} is a ${asset.type}, not a collection`)
      const spec = await hub.withRoom(asset.id, asset.libraryId, (room) => readCollection(room.doc))
      return c.json({ items: await withTaxonomy(await resolveCollection(library.id, spec)) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{lib}/assets/{asset}/items',
      summary: "Replace a manual collection's items, as one Yjs transaction that open editors see",
      security: BEARER,
      request: { params: AssetParams, ...jsonBody(PutItems) },
      responses: { 200: json(AssetSchema, 'The collection'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'EDIT')
      const asset = await loadAsset(library.id, params.asset)
      if (asset.type !== 'collection') throw new ApiError('unprocessable', `${asset.id} is a ${asset.type}, not a collection`)
      const items = await checkedItems(library.id, asset.id, c.req.valid('json').items)
      await hub.withRoom(asset.id, asset.libraryId, async (room) => {
        if (readCollection(room.doc).kind !== 'manual') throw new ApiError('unprocessable', 'a dynamic collection has a query, not items')
        room.change(`rest:${c.get('user').id}`, (doc) => setCollectionItems(doc, items))
        await room.whenDurable()
      })
      return c.json(await assetJson(asset), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/assets/{asset}',
      summary: 'Delete an asset; its open documents are closed with 4404',
      security: BEARER,
      request: { params: AssetParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'MANAGE_ASSETS')
      const asset = await loadAsset(library.id, params.asset)
      await hub.closeAsset(asset.id)
      await assets.deleteAsset(asset.id)
      deps.logger.info({ user: c.get('user').id, library: library.id, asset: asset.id }, 'asset deleted')
      // Staging off: what is deleted leaves the live store at once. Staging on: the next Publish to Live takes it down.
      if (!library.stagingEnabled && (await deps.live.liveAsset(library.id, asset.id))) {
        const result = await deps.publisher.publish({ libraryId: library.id, request: { mode: 'asset', assetIds: [asset.id] }, userId: c.get('user').id })
        if (!result.ok || result.publication.status !== 'succeeded') {
          deps.logger.error({ library: library.id, asset: asset.id }, 'deleted asset is still live: its removal was not published')
        }
      }
      return c.body(null, 204)
    },
  )

  return app
}

/** `/assets/:asset`: an asset by its id alone, for deep links that do not name the library. */
export function assetLookupRoutes(deps: AppDeps) {
  const app = createRouter()
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{asset}',
      summary: 'Where an asset lives: its library, type and title',
      security: BEARER,
      request: { params: AssetParams.pick({ asset: true }) },
      responses: { 200: json(AssetSummary.pick({ id: true, libraryId: true, type: true, title: true, status: true }), 'The asset'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const assetId = c.req.valid('param').asset
      const asset = await deps.assets.getAsset(assetId)
      if (!asset) throw new ApiError('not_found', `no asset ${assetId}`)
      // Someone who cannot see the library learns nothing of the asset either.
      await requireLibrary(c, deps, asset.libraryId, 'VIEW').catch(() => {
        throw new ApiError('not_found', `no asset ${assetId}`)
      })
      return c.json({ id: asset.id, libraryId: asset.libraryId, type: asset.type, title: asset.title, status: asset.status }, 200)
    },
  )
  return app
}
