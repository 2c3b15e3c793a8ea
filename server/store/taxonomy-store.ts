/** Tags and vocabularies of categories of a library, and their assignment to assets. */
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import { nowIso } from './rows.js'
import type { CategoryTable } from './schema.js'

export interface Vocabulary {
  id: string
  libraryId: string
  name: string
  createdAt: string
}

export interface Category {
  id: string
  vocabularyId: string
  parentId: string | null
  name: string
}

export interface TaxonomyStore {
  listTags(libraryId: string, page: PageRequest): Promise<Page<string> | null>
  addTag(libraryId: string, tag: string): Promise<void>
  /** Removes the tag from the library and from every asset; false if it did not exist. */
  deleteTag(libraryId: string, tag: string): Promise<boolean>
  /** Tags an asset, adding the tag to the library if it is new. */
  tagAsset(libraryId: string, assetId: string, tag: string): Promise<void>
  untagAsset(assetId: string, tag: string): Promise<boolean>
  tagsOf(assetIds: readonly string[]): Promise<Map<string, string[]>>

  createVocabulary(input: { id: string; libraryId: string; name: string }): Promise<Vocabulary>
  listVocabularies(libraryId: string, page: PageRequest): Promise<Page<Vocabulary> | null>
  getVocabulary(libraryId: string, id: string): Promise<Vocabulary | null>
  deleteVocabulary(libraryId: string, id: string): Promise<boolean>
  createCategory(input: { id: string; libraryId: string; vocabularyId: string; parentId: string | null; name: string }): Promise<Category>
  getCategory(libraryId: string, id: string): Promise<Category | null>
  listCategories(vocabularyId: string): Promise<Category[]>
  /** Deletes a category with everything below it; answers the ids removed. */
  deleteCategory(libraryId: string, id: string): Promise<string[]>
  /** A category and every category below it. */
  subtreeOf(libraryId: string, id: string): Promise<string[]>
  categorizeAsset(assetId: string, categoryId: string): Promise<void>
  uncategorizeAsset(assetId: string, categoryId: string): Promise<boolean>
  categoriesOf(assetIds: readonly string[]): Promise<Map<string, string[]>>
}

export function createTaxonomyStore({ db }: OpenDatabase): TaxonomyStore {
  const store: TaxonomyStore = {
    async listTags(libraryId, page) {
      const query = db.selectFrom('tags').select('name').where('library_id', '=', libraryId)
      const rows = await readPage(query, [['name', 'text']], (r) => [r.name], page)
      return rows && mapPage(rows, (r) => r.name)
    },

    async addTag(libraryId, tag) {
      await db
        .insertInto('tags')
        .values({ library_id: libraryId, name: tag, created_at: nowIso() })
        .onConflict((oc) => oc.columns(['library_id', 'name']).doNothing())
        .execute()
    },

    async deleteTag(libraryId, tag) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('asset_tags').where('library_id', '=', libraryId).where('tag', '=', tag).execute()
        const result = await trx.deleteFrom('tags').where('library_id', '=', libraryId).where('name', '=', tag).executeTakeFirst()
        return Number(result.numDeletedRows) > 0
      })
    },

    async tagAsset(libraryId, assetId, tag) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tags')
          .values({ library_id: libraryId, name: tag, created_at: nowIso() })
          .onConflict((oc) => oc.columns(['library_id', 'name']).doNothing())
          .execute()
        await trx
          .insertInto('asset_tags')
          .values({ asset_id: assetId, library_id: libraryId, tag })
          .onConflict((oc) => oc.columns(['asset_id', 'tag']).doNothing())
          .execute()
      })
    },

    async untagAsset(assetId, tag) {
      const result = await db.deleteFrom('asset_tags').where('asset_id', '=', assetId).where('tag', '=', tag).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async tagsOf(assetIds) {
      const result = new Map<string, string[]>(assetIds.map((id) => [id, []]))
      if (assetIds.length === 0) return result
      const rows = await db.selectFrom('asset_tags').select(['asset_id', 'tag']).where('asset_id', 'in', assetIds).orderBy('tag').execute()
      for (const row of rows) result.get(row.asset_id)?.push(row.tag)
      return result
    },

    async createVocabulary({ id, libraryId, name }) {
      const row = { id, library_id: libraryId, name, created_at: nowIso() }
      await db.insertInto('vocabularies').values(row).execute()
      return { id, libraryId, name, createdAt: row.created_at }
    },

    async listVocabularies(libraryId, page) {
      const query = db.selectFrom('vocabularies').selectAll().where('library_id', '=', libraryId)
      const rows = await readPage(query, [['created_at', 'text'], ['id', 'text']], (r) => [r.created_at, r.id], page)
      return rows && mapPage(rows, (r) => ({ id: r.id, libraryId: r.library_id, name: r.name, createdAt: r.created_at }))
    },

    async getVocabulary(libraryId, id) {
      const r = await db.selectFrom('vocabularies').selectAll().where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst()
      return r ? { id: r.id, libraryId: r.library_id, name: r.name, createdAt: r.created_at } : null
    },

    async deleteVocabulary(libraryId, id) {
      const result = await db.deleteFrom('vocabularies').where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async createCategory({ id, libraryId, vocabularyId, parentId, name }) {
      const row: CategoryTable = { id, vocabulary_id: vocabularyId, library_id: libraryId, parent_id: parentId, name, created_at: nowIso() }
      await db.insertInto('categories').values(row).execute()
      return toCategory(row)
    },

    async getCategory(libraryId, id) {
      const row = await db.selectFrom('categories').selectAll().where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst()
      return row ? toCategory(row) : null
    },

    async listCategories(vocabularyId) {
      const rows = await db.selectFrom('categories').selectAll().where('vocabulary_id', '=', vocabularyId).orderBy('name').orderBy('id').execute()
      return rows.map(toCategory)
    },

    async subtreeOf(libraryId, id) {
      const root = await store.getCategory(libraryId, id)
      if (!root) return []
      const all = await store.listCategories(root.vocabularyId)
      const below = new Map<string, string[]>()
      for (const c of all) if (c.parentId) below.set(c.parentId, [...(below.get(c.parentId) ?? []), c.id])
      const ids: string[] = []
      const queue = [root.id]
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        ids.push(next)
        queue.push(...(below.get(next) ?? []))
      }
      return ids
    },

    async deleteCategory(libraryId, id) {
      const ids = await store.subtreeOf(libraryId, id)
      if (ids.length > 0) await db.deleteFrom('categories').where('id', 'in', ids).execute()
      return ids
    },

    async categorizeAsset(assetId, categoryId) {
      await db
        .insertInto('asset_categories')
        .values({ asset_id: assetId, category_id: categoryId })
        .onConflict((oc) => oc.columns(['asset_id', 'category_id']).doNothing())
        .execute()
    },

    async uncategorizeAsset(assetId, categoryId) {
      const result = await db
        .deleteFrom('asset_categories')
        .where('asset_id', '=', assetId)
        .where('category_id', '=', categoryId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async categoriesOf(assetIds) {
      const result = new Map<string, string[]>(assetIds.map((id) => [id, []]))
      if (assetIds.length === 0) return result
      const rows = await db
        .selectFrom('asset_categories')
        .select(['asset_id', 'category_id'])
        .where('asset_id', 'in', assetIds)
        .orderBy('category_id')
        .execute()
      for (const row of rows) result.get(row.asset_id)?.push(row.category_id)
      return result
    },
  }
  return store
}

function toCategory(row: CategoryTable): Category {
  return { id: row.id, vocabularyId: row.vocabulary_id, parentId: row.parent_id, name: row.name }
}
