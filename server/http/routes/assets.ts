/** Assets of a library: creation and the staged state as JSON. */
import { Hono } from 'hono'
import { z } from 'zod'
import { createId, isId } from '../../../shared/ids.js'
import type { ProseMirrorJSON } from '../../../shared/schema.js'
import { checkBody, createWebContentUpdate, readWebContent } from '../../content/web-content.js'
import type { Asset } from '../../store/library-store.js'
import { requireLibrary } from '../access.js'
import type { AppDeps, AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { validate } from '../validation.js'

const fieldValue = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()])

const createAssetBody = z.object({
  type: z.enum(['web-content', 'document', 'collection']),
  title: z.string().trim().min(1).max(500),
  description: z.string().max(5000).optional(),
  fields: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'field names are letters, digits, _ and -'), fieldValue)
    .optional(),
  body: z.unknown().optional(),
})

export function assetRoutes(deps: AppDeps) {
  const { libraries, hub } = deps
  const app = new Hono<AppEnv>()

  app.post('/:lib/assets', validate('json', createAssetBody), async (c) => {
    const { library } = await requireLibrary(c, libraries, c.req.param('lib'), 'MANAGE_ASSETS')
    const input = c.req.valid('json')
    if (input.type !== 'web-content') {
      throw new ApiError('unsupported_asset_type', `${input.type} assets are not available yet; create web-content`)
    }
    if (input.body !== undefined) {
      const check = checkBody(input.body)
      if (!check.ok) throw new ApiError('invalid_body', `body does not fit the schema: ${check.message}`)
    }
    const user = c.get('user')
    const asset = await libraries.createAsset({
      id: createId('ast'),
      libraryId: library.id,
      type: input.type,
      createdBy: user.id,
      initialUpdate: createWebContentUpdate({
        title: input.title,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.fields !== undefined ? { fields: input.fields } : {}),
        ...(input.body !== undefined ? { body: input.body as ProseMirrorJSON } : {}),
      }),
    })
    deps.logger.info({ user: user.id, library: library.id, asset: asset.id }, 'asset created')
    return c.json(await assetJson(asset), 201)
  })

  app.get('/:lib/assets/:asset', async (c) => {
    const { library } = await requireLibrary(c, libraries, c.req.param('lib'), 'VIEW')
    const assetId = c.req.param('asset')
    if (!isId('ast', assetId)) throw new ApiError('invalid_request', `"${assetId}" is not an asset id`)
    const asset = await libraries.getAsset(assetId)
    if (!asset || asset.libraryId !== library.id) throw new ApiError('not_found', `no asset ${assetId} in ${library.id}`)
    return c.json(await assetJson(asset))
  })

  async function assetJson(asset: Asset) {
    const content = await hub.withRoom(asset.id, asset.libraryId, (room) => readWebContent(room.doc))
    return { ...asset, ...content, liveVersion: null }
  }

  return app
}
