/**
 * The delivery API that sites read, with a site's delivery key: live versions only, and only of
 * libraries connected to the site. Answers carry an ETag (304 on If-None-Match) and are cached by
 * revalidation, so a site sees a publication at its next request; the events stream tells it when.
 */
import { timingSafeEqual } from 'node:crypto'
import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { stream, streamSSE } from 'hono/streaming'
import { isId, isLocale, normalizeTag } from '../../../shared/ids.js'
import { hashDeliveryKey } from '../../auth/delivery-keys.js'
import { permissionsOf } from '../../domain/permissions.js'
import type { CollectionQuery } from '../../content/collection.js'
import { resolveFileMarkers } from '../../content/render-html.js'
import type { LiveAsset } from '../../store/live-store.js'
import type { AppDeps, AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { createRouter, errors, json, z } from '../openapi.js'

const DeliveryParams = z.object({
  site: z.string().refine((v) => isId('site', v), { message: 'not a site id' }).openapi({ param: { name: 'site', in: 'path' } }),
})
const LocaleQuery = z.object({
  locale: z
    .string()
    .refine(isLocale, { message: 'not a locale' })
    .optional()
    .openapi({ description: 'Serve this translation if it went live (falls back to the source)' }),
})
const DeliveryAssetParams = DeliveryParams.extend({
  asset: z.string().refine((v) => isId('ast', v), { message: 'not an asset id' }).openapi({ param: { name: 'asset', in: 'path' } }),
})

const LiveAssetSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    locale: z.string().nullable().openapi({ description: 'The locale served: the one asked for if it went live, else null (the source)' }),
    version: z.number(),
    fields: z.record(z.string(), z.unknown()),
    body: z.any(),
    html: z.string().nullable(),
    file: z.object({ size: z.number(), contentType: z.string(), filename: z.string() }).nullable(),
    publishedAt: z.string(),
  })
  .openapi('LiveAsset')

/** Sites revalidate every read with the ETag: a publication is visible at the next request. */
const CACHE_CONTROL = 'public, no-cache'
const SSE_KEEPALIVE_MS = 25_000
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'])

function liveJson(live: LiveAsset, filesBaseUrl: string, locale?: string) {
  const translation = locale ? live.translations[locale] : undefined
  const html = translation ? translation.html : live.html
  return {
    id: live.assetId,
    type: live.type,
    locale: translation ? (locale ?? null) : null,
    version: live.liveVersion,
    fields: translation ? { ...live.fields, ...translation.fields } : live.fields,
    body: translation ? translation.body : live.body,
    html: html === null ? null : resolveFileMarkers(html, filesBaseUrl),
    file: live.file ? { size: live.file.size, contentType: live.file.contentType, filename: live.file.filename } : null,
    publishedAt: live.publishedAt,
  }
}

/**
 * Who reads: a site with its delivery key (`/delivery`), or a signed-in user previewing what a
 * site receives (`/preview`: the site's libraries that the user can view).
 */
export type DeliveryReader = 'site-key' | 'user'

export function deliveryRoutes(deps: AppDeps, reader: DeliveryReader = 'site-key') {
  const { sites, live, assets, taxonomy } = deps
  const app = createRouter()
  if (reader === 'site-key') {
    app.openAPIRegistry.registerComponent('securitySchemes', 'deliveryKey', { type: 'http', scheme: 'bearer', description: "A site's delivery key" })
  }
  const DELIVERY_SECURITY = reader === 'site-key' ? [{ deliveryKey: [] }] : [{ bearer: [] }]

  /** Checks who reads for the site in the path; 401 for a wrong key, 404 for a site a user cannot know. */
  async function authenticateSite(c: Context<AppEnv>, siteId: string): Promise<void> {
    if (reader === 'user') {
      if (!(await sites.getSite(siteId))) throw new ApiError('not_found', `no site ${siteId}`)
      return
    }
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')
    const stored = await sites.deliveryKeyHash(siteId)
    const given = match?.[1] ? Buffer.from(hashDeliveryKey(match[1]), 'hex') : null
    if (!stored || !given || !timingSafeEqual(Buffer.from(stored, 'hex'), given)) {
      throw new ApiError('unauthorized', 'a valid delivery key for this site is required')
    }
  }

  /** Where this reader fetches the files that published HTML shows as images. */
  const filesBase = (siteId: string) => `${deps.publicUrl ?? ''}/api/v1/${reader === 'site-key' ? 'delivery' : 'preview'}/sites/${siteId}/files`

  /** Whether this reader sees a library's live content through the site. */
  async function sees(c: Context<AppEnv>, siteId: string, libraryId: string): Promise<boolean> {
    if (!(await sites.isConnected(libraryId, siteId))) return false
    if (reader === 'site-key') return true
    const { grant } = await deps.libraries.grantOf(libraryId, c.get('user').id)
    return permissionsOf(grant).has('VIEW')
  }

  /** The live version of an asset as the site may see it: published, and from a connected library. */
  async function visible(c: Context<AppEnv>, siteId: string, assetId: string): Promise<LiveAsset> {
    const libraryId = await live.libraryOfLiveAsset(assetId)
    const found = libraryId && (await sees(c, siteId, libraryId)) ? await live.liveAsset(libraryId, assetId) : null
    if (!found) throw new ApiError('not_found', `no live asset ${assetId} for this site`)
    return found
  }

  function notModified(c: Context<AppEnv>, etag: string): boolean {
    c.header('etag', etag)
    c.header('cache-control', CACHE_CONTROL)
    const given = c.req.header('if-none-match')
    return given !== undefined && given.split(',').some((tag) => tag.trim() === etag)
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{site}/assets/{asset}',
      summary: 'The live version of an asset: fields, body and safe HTML',
      security: DELIVERY_SECURITY,
      request: { params: DeliveryAssetParams, query: LocaleQuery },
      responses: { 200: json(LiveAssetSchema, 'The live asset'), 304: { description: 'Not modified' }, ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { site, asset } = c.req.valid('param')
      await authenticateSite(c, site)
      const { locale } = c.req.valid('query')
      const found = await visible(c, site, asset)
      if (notModified(c, `"${found.assetId}.${found.liveVersion}.${found.generation}${locale ? `.${locale}` : ''}"`)) return c.body(null, 304)
      return c.json(liveJson(found, filesBase(site), locale), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{site}/collections/{asset}',
      summary: "A live collection's live members, in order",
      security: DELIVERY_SECURITY,
      request: { params: DeliveryAssetParams },
      responses: { 200: json(LiveAssetSchema.extend({ items: z.array(LiveAssetSchema) }), 'The collection'), 304: { description: 'Not modified' }, ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { site, asset } = c.req.valid('param')
      await authenticateSite(c, site)
      const found = await visible(c, site, asset)
      if (found.type !== 'collection') throw new ApiError('not_found', `${asset} is not a collection`)
      const spec = found.collection as { kind: 'manual'; items: string[] } | { kind: 'dynamic'; query: CollectionQuery }
      let ids: string[]
      if (spec.kind === 'manual') ids = spec.items
      else {
        // Dynamic: the saved query picks from the library's index; only live members are shown.
        const tags = spec.query.tags?.map((t) => normalizeTag(t)).filter((t): t is string => t !== null)
        const categoryIds = spec.query.categories
          ? (await Promise.all(spec.query.categories.filter((id) => isId('cat', id)).map((id) => taxonomy.subtreeOf(found.libraryId, id)))).flat()
          : undefined
        const matches = await assets.queryAssets(found.libraryId, {
          ...(spec.query.type !== undefined ? { type: spec.query.type } : {}),
          ...(tags !== undefined ? { tags } : {}),
          ...(categoryIds !== undefined ? { categoryIds } : {}),
          sort: spec.query.sort,
          order: spec.query.order,
          limit: spec.query.limit,
        })
        ids = matches.map((a) => a.id)
      }
      const members = await live.liveAssets(found.libraryId, ids)
      const generation = await live.currentGeneration(found.libraryId)
      if (notModified(c, `"${found.assetId}.${found.liveVersion}.g${generation}"`)) return c.body(null, 304)
      return c.json({ ...liveJson(found, filesBase(site)), items: members.map((m) => liveJson(m, filesBase(site))) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{site}/files/{asset}',
      summary: "The live file of a document asset, with its stored type",
      security: DELIVERY_SECURITY,
      request: { params: DeliveryAssetParams },
      responses: { 200: { description: 'The bytes' }, 304: { description: 'Not modified' }, ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { site, asset } = c.req.valid('param')
      await authenticateSite(c, site)
      const found = await visible(c, site, asset)
      const file = found.file
      if (!file) throw new ApiError('not_found', `${asset} has no live file`)
      if (notModified(c, `"${file.blobHash}"`)) return c.body(null, 304)
      const disposition = INLINE_TYPES.has(file.contentType) ? 'inline' : 'attachment'
      c.header('content-type', file.contentType)
      c.header('content-length', String(file.size))
      c.header('x-content-type-options', 'nosniff')
      c.header('content-security-policy', "default-src 'none'; sandbox")
      c.header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      return stream(c, async (out) => {
        for await (const chunk of deps.blobs.open(file.blobHash)) await out.write(chunk as Uint8Array)
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{site}/events',
      summary: 'Server-sent events: one `publication` event per publication that touches this site',
      security: DELIVERY_SECURITY,
      request: { params: DeliveryParams },
      responses: { 200: { description: 'text/event-stream' }, ...errors(400, 401) },
    }),
    async (c) => {
      const { site } = c.req.valid('param')
      await authenticateSite(c, site)
      return streamSSE(c, async (out) => {
        let closed = false
        // Events are written one after another, in the order they came; a long-lived stream keeps
        // only the tail of that chain.
        let writing: Promise<unknown> = Promise.resolve()
        const unsubscribe = deps.events.subscribe((event) => {
          writing = writing
            .then(() => sees(c, site, event.libraryId))
            .then((connected) => {
              if (!connected || closed) return
              return out.writeSSE({ event: 'publication', id: event.publicationId, data: JSON.stringify(event) })
            })
            .catch((error: unknown) => deps.logger.debug({ err: error, site }, 'event not written'))
        })
        out.onAbort(() => {
          closed = true
          unsubscribe()
        })
        await out.writeSSE({ event: 'ready', data: JSON.stringify({ site }) })
        while (!closed) {
          await out.sleep(SSE_KEEPALIVE_MS)
          if (!closed) await out.write(': keepalive\n\n')
        }
        await writing
      })
    },
  )

  return app
}
