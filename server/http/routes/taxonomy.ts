/** Tags and vocabularies of categories, and assigning them to assets. */
import { createRoute } from '@hono/zod-openapi'
import { createId, isId, normalizeTag } from '../../../shared/ids.js'
import type { Category } from '../../store/taxonomy-store.js'
import { requireAsset, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { AssetParams, LibraryParams, PageQuery, pageOf } from '../schemas.js'

const tagParam = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const tag = normalizeTag(value)
    if (tag === null) {
      ctx.addIssue({ code: 'custom', message: 'a tag is 1–64 letters, digits, spaces, - or _, starting with a letter or digit' })
      return z.NEVER
    }
    return tag
  })
  .openapi({ param: { name: 'tag', in: 'path' }, example: 'campaign' })

function idParam(prefix: 'voc' | 'cat', name: string, what: string) {
  return z
    .string()
    .refine((value) => isId(prefix, value), { message: `not a ${what} id` })
    .openapi({ param: { name, in: 'path' } })
}

const TagParams = LibraryParams.extend({ tag: tagParam })
const AssetTagParams = AssetParams.extend({ tag: tagParam })
const VocabularyParams = LibraryParams.extend({ voc: idParam('voc', 'voc', 'vocabulary') })
const CategoryParams = LibraryParams.extend({ cat: idParam('cat', 'cat', 'category') })
const AssetCategoryParams = AssetParams.extend({ cat: idParam('cat', 'cat', 'category') })

const Name = z.object({ name: z.string().trim().min(1).max(200) })
const CreateCategory = Name.extend({ parentId: z.string().optional().openapi({ description: 'A category of the same vocabulary' }) })

const VocabularySchema = z
  .object({ id: z.string(), libraryId: z.string(), name: z.string(), createdAt: z.string() })
  .openapi('Vocabulary')
type CategoryNode = { id: string; name: string; children: CategoryNode[] }
const CategoryTree: z.ZodType<CategoryNode> = z
  .lazy(() => z.object({ id: z.string(), name: z.string(), children: z.array(CategoryTree) }))
  .openapi('CategoryNode', { type: 'object' })
const CategorySchema = z
  .object({ id: z.string(), vocabularyId: z.string(), parentId: z.string().nullable(), name: z.string() })
  .openapi('Category')

function treeOf(categories: readonly Category[]): CategoryNode[] {
  const nodes = new Map(categories.map((c) => [c.id, { id: c.id, name: c.name, children: [] as CategoryNode[] }]))
  const roots: CategoryNode[] = []
  for (const c of categories) {
    const node = nodes.get(c.id)!
    const parent = c.parentId ? nodes.get(c.parentId) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}

export function taxonomyRoutes(deps: AppDeps) {
  const { taxonomy } = deps
  const app = createRouter()

  const assetOf = (libraryId: string, assetId: string) => requireAsset(deps, libraryId, assetId)

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/tags',
      summary: 'Tags of a library',
      security: BEARER,
      request: { params: LibraryParams, query: PageQuery },
      responses: { 200: json(pageOf(z.string()), 'Tags, alphabetically'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json(pageOrBadCursor(await taxonomy.listTags(library.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{lib}/tags/{tag}',
      summary: 'Add a tag to the library (idempotent; stored in lower case)',
      security: BEARER,
      request: { params: TagParams },
      responses: { 204: { description: 'The tag exists' }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { lib, tag } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'MANAGE_ASSETS')
      await taxonomy.addTag(library.id, tag)
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/tags/{tag}',
      summary: 'Remove a tag from the library and from every asset',
      security: BEARER,
      request: { params: TagParams },
      responses: { 204: { description: 'Removed' }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { lib, tag } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'MANAGE_ASSETS')
      if (!(await taxonomy.deleteTag(library.id, tag))) throw new ApiError('not_found', `no tag "${tag}" in ${library.id}`)
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/vocabularies',
      summary: 'Vocabularies of a library',
      security: BEARER,
      request: { params: LibraryParams, query: PageQuery },
      responses: { 200: json(pageOf(VocabularySchema), 'Vocabularies'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json(pageOrBadCursor(await taxonomy.listVocabularies(library.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/vocabularies',
      summary: 'Create a vocabulary',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(Name) },
      responses: { 201: json(VocabularySchema, 'The new vocabulary'), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_ASSETS')
      const vocabulary = await taxonomy.createVocabulary({ id: createId('voc'), libraryId: library.id, name: c.req.valid('json').name })
      return c.json(vocabulary, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/vocabularies/{voc}',
      summary: 'A vocabulary with its tree of categories',
      security: BEARER,
      request: { params: VocabularyParams },
      responses: {
        200: json(VocabularySchema.extend({ categories: z.array(CategoryTree) }), 'The vocabulary'),
        ...errors(400, 401, 404),
      },
    }),
    async (c) => {
      const { lib, voc } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'VIEW')
      const vocabulary = await taxonomy.getVocabulary(library.id, voc)
      if (!vocabulary) throw new ApiError('not_found', `no vocabulary ${voc} in ${library.id}`)
      return c.json({ ...vocabulary, categories: treeOf(await taxonomy.listCategories(vocabulary.id)) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/vocabularies/{voc}',
      summary: 'Delete a vocabulary and its categories',
      security: BEARER,
      request: { params: VocabularyParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { lib, voc } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'MANAGE_ASSETS')
      if (!(await taxonomy.deleteVocabulary(library.id, voc))) throw new ApiError('not_found', `no vocabulary ${voc} in ${library.id}`)
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/vocabularies/{voc}/categories',
      summary: 'Add a category, at the top or below another one of the same vocabulary',
      security: BEARER,
      request: { params: VocabularyParams, ...jsonBody(CreateCategory) },
      responses: { 201: json(CategorySchema, 'The new category'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { lib, voc } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'MANAGE_ASSETS')
      const vocabulary = await taxonomy.getVocabulary(library.id, voc)
      if (!vocabulary) throw new ApiError('not_found', `no vocabulary ${voc} in ${library.id}`)
      const { name, parentId } = c.req.valid('json')
      if (parentId !== undefined) {
        const parent = isId('cat', parentId) ? await taxonomy.getCategory(library.id, parentId) : null
        if (!parent || parent.vocabularyId !== vocabulary.id) {
          throw new ApiError('unprocessable', `parentId ${parentId} is not a category of vocabulary ${vocabulary.id}`)
        }
      }
      const category = await taxonomy.createCategory({
        id: createId('cat'),
        libraryId: library.id,
        vocabularyId: vocabulary.id,
        parentId: parentId ?? null,
        name,
      })
      return c.json(category, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/categories/{cat}',
      summary: 'Delete a category with everything below it',
      security: BEARER,
      request: { params: CategoryParams },
      responses: { 200: json(z.object({ deleted: z.array(z.string()) }), 'The categories removed'), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { lib, cat } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'MANAGE_ASSETS')
      const deleted = await taxonomy.deleteCategory(library.id, cat)
      if (deleted.length === 0) throw new ApiError('not_found', `no category ${cat} in ${library.id}`)
      return c.json({ deleted }, 200)
    },
  )

  for (const method of ['put', 'delete'] as const) {
    app.openapi(
      createRoute({
        method,
        path: '/{lib}/assets/{asset}/tags/{tag}',
        summary: method === 'put' ? 'Tag an asset (new tags join the library)' : 'Untag an asset',
        security: BEARER,
        request: { params: AssetTagParams },
        responses: { 204: { description: 'Done' }, ...errors(400, 401, 403, 404) },
      }),
      async (c) => {
        const { lib, asset: assetId, tag } = c.req.valid('param')
        const { library } = await requireLibrary(c, deps, lib, 'EDIT')
        const asset = await assetOf(library.id, assetId)
        if (method === 'put') await taxonomy.tagAsset(library.id, asset.id, tag)
        else if (!(await taxonomy.untagAsset(asset.id, tag))) throw new ApiError('not_found', `asset ${asset.id} has no tag "${tag}"`)
        return c.body(null, 204)
      },
    )

    app.openapi(
      createRoute({
        method,
        path: '/{lib}/assets/{asset}/categories/{cat}',
        summary: method === 'put' ? 'Put an asset in a category' : 'Take an asset out of a category',
        security: BEARER,
        request: { params: AssetCategoryParams },
        responses: { 204: { description: 'Done' }, ...errors(400, 401, 403, 404) },
      }),
      async (c) => {
        const { lib, asset: assetId, cat } = c.req.valid('param')
        const { library } = await requireLibrary(c, deps, lib, 'EDIT')
        const asset = await assetOf(library.id, assetId)
        if (!(await taxonomy.getCategory(library.id, cat))) throw new ApiError('not_found', `no category ${cat} in ${library.id}`)
        if (method === 'put') await taxonomy.categorizeAsset(asset.id, cat)
        else if (!(await taxonomy.uncategorizeAsset(asset.id, cat))) throw new ApiError('not_found', `asset ${asset.id} is not in ${cat}`)
        return c.body(null, 204)
      },
    )
  }

  return app
}
