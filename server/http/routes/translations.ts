/** Translation processes: one collaborative document per locale, XLIFF 1.2 out and in, approval. */
import { createRoute } from '@hono/zod-openapi'
import * as Y from 'yjs'
import { isLocale } from '../../../shared/ids.js'
import { readWebContent, cleanBody } from '../../content/web-content.js'
import { XLIFF_CONTENT_TYPE, applyUnits, exportXliff, parseXliff, unknownUnits } from '../../content/xliff.js'
import type { Asset } from '../../store/asset-store.js'
import { requireAsset, requireLibrary, type LibraryAccess } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { AssetParams } from '../schemas.js'

const Locale = z.string().refine(isLocale, { message: 'not a locale (like fr or pt-BR)' })
const LocaleParams = AssetParams.extend({ locale: Locale.openapi({ param: { name: 'locale', in: 'path' }, example: 'fr' }) })
const StartTranslation = z.object({ locales: z.array(Locale).min(1).max(50), sourceLocale: Locale.default('en') })

const TranslationSchema = z
  .object({
    assetId: z.string(),
    locale: z.string(),
    sourceLocale: z.string(),
    status: z.enum(['in_progress', 'approved']),
    approved: z.any(),
    approvedBy: z.string().nullable(),
    approvedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Translation')

export function translationRoutes(deps: AppDeps) {
  const { hub, translations } = deps
  const app = createRouter()

  async function webContentOf(libraryId: string, assetId: string): Promise<Asset> {
    const asset = await requireAsset(deps, libraryId, assetId)
    if (asset.type !== 'web-content') throw new ApiError('unprocessable', `${asset.id} is a ${asset.type}; web content is what gets translated`)
    return asset
  }

  async function translationOf(asset: Asset, locale: string) {
    const translation = await translations.get(asset.id, locale)
    if (!translation) throw new ApiError('not_found', `${asset.id} is not being translated into ${locale}`)
    return translation
  }

  function requireTranslator(access: LibraryAccess): void {
    if (!access.permissions.has('TRANSLATE') && !access.permissions.has('EDIT')) {
      throw new ApiError('forbidden', 'TRANSLATE or EDIT is needed to change a translation')
    }
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/translations',
      summary: 'Start translating into locales: each gets a collaborative document seeded from the source',
      security: BEARER,
      request: { params: AssetParams, ...jsonBody(StartTranslation) },
      responses: { 201: json(z.object({ items: z.array(TranslationSchema) }), 'The translations'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'EDIT')
      const asset = await webContentOf(library.id, params.asset)
      const { locales, sourceLocale } = c.req.valid('json')
      const fresh = await translations.start(asset.id, sourceLocale, [...new Set(locales)])
      if (fresh.length > 0) {
        // The server's own encoding of the source document seeds each new translation document.
        const seed = await hub.withRoom(asset.id, asset.libraryId, (room) => Y.encodeStateAsUpdate(room.doc))
        for (const locale of fresh) {
          await hub.withRoom(`${asset.id}/translations/${locale}`, asset.libraryId, async (room) => {
            room.change('seed', (doc) => Y.applyUpdate(doc, seed))
            await room.whenDurable()
          })
        }
      }
      return c.json({ items: await translations.list(asset.id) }, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/translations',
      summary: 'Translations of an asset',
      security: BEARER,
      request: { params: AssetParams },
      responses: { 200: json(z.object({ items: z.array(TranslationSchema) }), 'The translations'), ...errors(400, 401, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await webContentOf(library.id, params.asset)
      return c.json({ items: await translations.list(asset.id) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/translations/{locale}/xliff',
      summary: 'Export a locale as XLIFF 1.2: string fields and text blocks, source and current target',
      security: BEARER,
      request: { params: LocaleParams },
      responses: { 200: { description: 'XLIFF 1.2', content: { 'application/x-xliff+xml': { schema: z.string() } } }, ...errors(400, 401, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await webContentOf(library.id, params.asset)
      const translation = await translationOf(asset, params.locale)
      const xml = await hub.withRoom(asset.id, asset.libraryId, (source) =>
        hub.withRoom(`${asset.id}/translations/${params.locale}`, asset.libraryId, (target) =>
          exportXliff({ original: asset.id, sourceLocale: translation.sourceLocale, targetLocale: params.locale, source: source.doc, target: target.doc }),
        ),
      )
      c.header('content-type', XLIFF_CONTENT_TYPE)
      c.header('content-disposition', `attachment; filename="${asset.id}.${params.locale}.xlf"`)
      return c.body(xml, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/translations/{locale}/xliff',
      summary: 'Import XLIFF 1.2 targets into a locale, as one Yjs transaction that open editors see',
      security: BEARER,
      request: { params: LocaleParams, body: { content: { 'application/x-xliff+xml': { schema: z.string() } } } },
      responses: { 200: json(z.object({ applied: z.number() }), 'Imported'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const access = await requireLibrary(c, deps, params.lib, 'VIEW')
      requireTranslator(access)
      const asset = await webContentOf(access.library.id, params.asset)
      await translationOf(asset, params.locale)
      const parsed = parseXliff(await c.req.text())
      if (!parsed.ok) throw new ApiError('invalid_request', `XLIFF: ${parsed.message}`)
      if (parsed.original !== asset.id) throw new ApiError('unprocessable', `this XLIFF is for ${parsed.original}, not ${asset.id}`)
      if (parsed.targetLocale !== params.locale) {
        throw new ApiError('unprocessable', `this XLIFF targets ${parsed.targetLocale}, not ${params.locale}`)
      }
      await hub.withRoom(`${asset.id}/translations/${params.locale}`, asset.libraryId, async (room) => {
        const unknown = unknownUnits(room.doc, parsed.units)
        if (unknown.length > 0) throw new ApiError('unprocessable', `unknown trans-units: ${unknown.slice(0, 20).join(', ')}`)
        room.change(`xliff:${c.get('user').id}`, (doc) => applyUnits(doc, parsed.units))
        await room.whenDurable()
      })
      deps.logger.info({ user: c.get('user').id, asset: asset.id, locale: params.locale, units: parsed.units.length }, 'xliff imported')
      return c.json({ applied: parsed.units.length }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/translations/{locale}/approve',
      summary: 'Approve a translation as it is now (REVIEW with workflow on, EDIT otherwise); it goes live with the asset',
      security: BEARER,
      request: { params: LocaleParams },
      responses: { 200: json(TranslationSchema, 'The approved translation'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const access = await requireLibrary(c, deps, params.lib, 'VIEW')
      const needed = access.library.workflowEnabled ? 'REVIEW' : 'EDIT'
      if (!access.permissions.has(needed)) throw new ApiError('forbidden', `${needed} is needed to approve a translation`)
      const asset = await webContentOf(access.library.id, params.asset)
      await translationOf(asset, params.locale)
      const content = await hub.withRoom(`${asset.id}/translations/${params.locale}`, asset.libraryId, (room) => readWebContent(room.doc))
      const approved = await translations.approve(asset.id, params.locale, { fields: content.fields, body: cleanBody(content.body) }, c.get('user').id)
      if (!approved) throw new ApiError('not_found', `${asset.id} is not being translated into ${params.locale}`)
      return c.json(approved, 200)
    },
  )

  return app
}
