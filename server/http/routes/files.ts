/**
 * Document assets' files: streamed uploads (raw body or multipart), every upload a new version,
 * downloads with the stored type, and check-out: one user's exclusive right to upload.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createRoute } from '@hono/zod-openapi'
import busboy from 'busboy'
import type { Context } from 'hono'
import { stream } from 'hono/streaming'
import { detectType } from '../../blobs/detect-type.js'
import type { PutResult } from '../../blobs/blob-store.js'
import type { Asset } from '../../store/asset-store.js'
import type { Checkout } from '../../store/file-store.js'
import { requireAsset, requireLibrary } from '../access.js'
import type { AppDeps, AppEnv } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, z } from '../openapi.js'
import { AssetParams, PageQuery, pageOf } from '../schemas.js'

const FileVersion = z
  .object({
    assetId: z.string(),
    version: z.number(),
    size: z.number(),
    contentType: z.string().openapi({ description: 'Detected from the bytes, never taken from the client' }),
    filename: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('FileVersion')

const CheckoutSchema = z
  .object({ assetId: z.string(), userId: z.string(), expiresAt: z.string(), createdAt: z.string() })
  .openapi('Checkout')

const VersionParams = AssetParams.extend({
  version: z.coerce.number().int().min(1).max(2 ** 31 - 1).openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
})
const UploadQuery = z.object({ filename: z.string().max(255).optional() })
const CheckoutBody = z.object({
  ttlSeconds: z.number().int().min(10).max(30 * 24 * 3600).optional(),
  force: z.boolean().optional().openapi({ description: 'Take over another user’s check-out (OVERRIDE_CHECKOUT)' }),
})

/** Keeps printable characters of a client's file name, without paths. */
function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255)
  return clean === '' ? 'file' : clean
}

function heldMessage(held: Checkout): string {
  return `checked out by ${held.userId} until ${held.expiresAt}`
}

export function fileRoutes(deps: AppDeps) {
  const { files, blobs } = deps
  const app = createRouter()

  async function documentOf(libraryId: string, assetId: string): Promise<Asset> {
    const asset = await requireAsset(deps, libraryId, assetId)
    if (asset.type !== 'document') throw new ApiError('unprocessable', `${asset.id} is a ${asset.type}; files belong to document assets`)
    return asset
  }

  /** Streams the request body (raw, or the first file of a multipart form) into the blob store. */
  async function receive(c: Context<AppEnv>): Promise<{ result: PutResult; filename: string | undefined }> {
    const body = c.req.raw.body
    if (!body) throw new ApiError('invalid_request', 'the request has no body')
    const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream)
    const maxBytes = deps.maxUploadBytes
    const contentType = c.req.header('content-type') ?? ''
    if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
      return { result: await blobs.put(source, { maxBytes }), filename: c.req.query('filename') }
    }
    return new Promise((resolve, reject) => {
      let parser: busboy.Busboy
      try {
        parser = busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fileSize: maxBytes + 1 } })
      } catch (error) {
        reject(new ApiError('invalid_request', `multipart body: ${(error as Error).message}`))
        return
      }
      let handled = false
      parser.on('file', (_field, file, info) => {
        handled = true
        blobs.put(file, { maxBytes }).then((result) => resolve({ result, filename: info.filename }), reject)
      })
      parser.on('error', (error) => reject(new ApiError('invalid_request', `multipart body: ${(error as Error).message}`)))
      parser.on('close', () => {
        if (!handled) reject(new ApiError('invalid_request', 'the multipart body holds no file'))
      })
      pipeline(source, parser).catch((error: unknown) => reject(new ApiError('invalid_request', `upload interrupted: ${String(error)}`)))
    })
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/files',
      summary: 'Upload a new file version: the raw body (name in ?filename=) or the first file of a multipart form',
      security: BEARER,
      request: {
        params: AssetParams,
        query: UploadQuery,
        body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
      },
      responses: { 201: json(FileVersion, 'The new version'), ...errors(400, 401, 403, 404, 409, 413, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'EDIT')
      const asset = await documentOf(library.id, params.asset)
      const user = c.get('user')
      const held = await files.getCheckout(asset.id)
      if (held && held.userId !== user.id) throw new ApiError('conflict', heldMessage(held))
      const { result, filename } = await receive(c)
      if (!result.ok) {
        if (result.reason === 'too_large') throw new ApiError('payload_too_large', `files are limited to ${deps.maxUploadBytes} bytes`)
        throw new ApiError('invalid_request', 'the file is empty')
      }
      const added = await files.addVersion({
        assetId: asset.id,
        blobHash: result.hash,
        size: result.size,
        contentType: await detectType(result.head),
        filename: cleanFilename(filename),
        createdBy: user.id,
      })
      if (!added.ok) throw new ApiError('conflict', heldMessage(added.heldBy))
      deps.logger.info({ user: user.id, asset: asset.id, version: added.version.version }, 'file uploaded')
      const { blobHash: _hash, ...version } = added.version
      return c.json(version, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/files',
      summary: 'Every file version of a document asset, oldest first',
      security: BEARER,
      request: { params: AssetParams, query: PageQuery },
      responses: { 200: json(pageOf(FileVersion), 'Versions'), ...errors(400, 401, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await documentOf(library.id, params.asset)
      const page = pageOrBadCursor(await files.listVersions(asset.id, c.req.valid('query')))
      return c.json({ items: page.items.map(({ blobHash: _hash, ...v }) => v), nextCursor: page.nextCursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/files/{version}',
      summary: 'Download a file version, with its stored type, as an attachment',
      security: BEARER,
      request: { params: VersionParams },
      responses: { 200: { description: 'The bytes' }, ...errors(400, 401, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await documentOf(library.id, params.asset)
      const version = await files.getVersion(asset.id, params.version)
      if (!version) throw new ApiError('not_found', `${asset.id} has no file version ${params.version}`)
      c.header('content-type', version.contentType)
      c.header('content-length', String(version.size))
      c.header('x-content-type-options', 'nosniff')
      c.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(version.filename)}`)
      c.header('cache-control', 'private, max-age=0')
      return stream(c, async (out) => {
        for await (const chunk of blobs.open(version.blobHash)) await out.write(chunk as Uint8Array)
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/assets/{asset}/checkout',
      summary: 'Who holds the check-out, if anyone',
      security: BEARER,
      request: { params: AssetParams },
      responses: { 200: json(CheckoutSchema, 'The check-out'), ...errors(400, 401, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, params.lib, 'VIEW')
      const asset = await documentOf(library.id, params.asset)
      const held = await files.getCheckout(asset.id)
      if (!held) throw new ApiError('not_found', `${asset.id} is not checked out`)
      return c.json(held, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/assets/{asset}/checkout',
      summary: 'Check out (or renew): only the holder may upload until check-in, cancel or expiry',
      security: BEARER,
      request: { params: AssetParams, body: { content: { 'application/json': { schema: CheckoutBody } }, required: false } },
      responses: { 200: json(CheckoutSchema, 'Checked out'), ...errors(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library, permissions } = await requireLibrary(c, deps, params.lib, 'EDIT')
      const asset = await documentOf(library.id, params.asset)
      const body = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : {}
      if (body.force && !permissions.has('OVERRIDE_CHECKOUT')) {
        throw new ApiError('forbidden', 'OVERRIDE_CHECKOUT is needed to take over a check-out')
      }
      const ttlMs = body.ttlSeconds !== undefined ? body.ttlSeconds * 1000 : deps.checkoutTtlMs
      const result = await files.checkout(asset.id, c.get('user').id, ttlMs, { force: body.force ?? false })
      if (!result.ok) throw new ApiError('conflict', heldMessage(result.heldBy))
      return c.json(result.checkout, 200)
    },
  )

  for (const action of ['checkin', 'cancel'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: action === 'checkin' ? '/{lib}/assets/{asset}/checkin' : '/{lib}/assets/{asset}/checkout/cancel',
        summary:
          action === 'checkin'
            ? 'Check in: keep the versions uploaded, let others upload again'
            : 'Cancel the check-out: drop the versions uploaded under it',
        security: BEARER,
        request: { params: AssetParams },
        responses: {
          200: json(z.object({ released: CheckoutSchema, discardedVersions: z.number() }), 'Released'),
          ...errors(400, 401, 403, 404, 422),
        },
      }),
      async (c) => {
        const params = c.req.valid('param')
        const { library, permissions } = await requireLibrary(c, deps, params.lib, 'EDIT')
        const asset = await documentOf(library.id, params.asset)
        const held = await files.getCheckout(asset.id)
        if (!held) throw new ApiError('not_found', `${asset.id} is not checked out`)
        if (held.userId !== c.get('user').id && !permissions.has('OVERRIDE_CHECKOUT')) {
          throw new ApiError('forbidden', `${heldMessage(held)}; OVERRIDE_CHECKOUT is needed to end someone else’s`)
        }
        const { released, discarded } = await files.release(asset.id, { discard: action === 'cancel', holder: held })
        if (!released) throw new ApiError('conflict', `the check-out of ${asset.id} changed hands meanwhile; look again`)
        return c.json({ released, discardedVersions: discarded }, 200)
      },
    )
  }

  return app
}
