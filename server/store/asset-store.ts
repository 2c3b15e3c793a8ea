/** Assets of libraries: the rows that index their collaborative documents. */
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import { nowIso } from './rows.js'
import type { AssetTable } from './schema.js'

export interface Asset {
  id: string
  libraryId: string
  type: string
  title: string
  status: string
  createdBy: string
  createdAt: string
  updatedAt: string
}

export interface AssetFilter {
  type?: string
  status?: string
  tag?: string
  /** Assets in any of these categories (a category and its subcategories). */
  categoryIds?: readonly string[]
}

export interface AssetQuery {
  type?: string
  /** Assets carrying every one of these tags. */
  tags?: readonly string[]
  /** Assets in any of these categories. */
  categoryIds?: readonly string[]
  sort: 'title' | 'createdAt' | 'updatedAt'
  order: 'asc' | 'desc'
  limit: number
}

export type AssetPage = Page<Asset>

export interface AssetStore {
  /** Creates the asset row and its document's first update in one transaction. */
  createAsset(input: {
    id: string
    libraryId: string
    type: string
    title: string
    createdBy: string
    initialUpdate: Uint8Array
  }): Promise<Asset>
  getAsset(id: string): Promise<Asset | null>
  /** A page of a library's assets, oldest first; null if the cursor is not one of ours. */
  listAssets(libraryId: string, filter: AssetFilter, page: PageRequest): Promise<AssetPage | null>
  /** The assets of a library among `ids`, in the order of `ids`; unknown ids are left out. */
  getAssets(libraryId: string, ids: readonly string[]): Promise<Asset[]>
  /** A dynamic collection's query. */
  queryAssets(libraryId: string, query: AssetQuery): Promise<Asset[]>
  setTitle(id: string, title: string): Promise<void>
  /** Ids of every asset of a library. */
  allIds(libraryId: string): Promise<string[]>
  /** Deletes an asset with its documents' logs, tags, categories, file versions and check-out. */
  deleteAsset(id: string): Promise<boolean>
}

const SORT_COLUMNS = { title: 'title', createdAt: 'created_at', updatedAt: 'updated_at' } as const

export function createAssetStore({ db }: OpenDatabase): AssetStore {
  const store: AssetStore = {
    async createAsset({ id, libraryId, type, title, createdBy, initialUpdate }) {
      const at = nowIso()
      const row: AssetTable = {
        id,
        library_id: libraryId,
        type,
        title,
        status: 'draft',
        created_by: createdBy,
        created_at: at,
        updated_at: at,
      }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('assets').values(row).execute()
        await trx.insertInto('doc_updates').values({ doc: id, data: initialUpdate, created_at: at }).execute()
      })
      return toAsset(row)
    },

    async getAsset(id) {
      const row = await db.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toAsset(row) : null
    },

    async listAssets(libraryId, filter, { cursor, limit }) {
      let query = db.selectFrom('assets').selectAll().where('library_id', '=', libraryId)
      if (filter.type !== undefined) query = query.where('type', '=', filter.type)
      if (filter.status !== undefined) query = query.where('status', '=', filter.status)
      if (filter.tag !== undefined) {
        const tag = filter.tag
        query = query.where('id', 'in', (eb) => eb.selectFrom('asset_tags').select('asset_id').where('tag', '=', tag))
      }
      if (filter.categoryIds !== undefined) {
        const ids = filter.categoryIds.length > 0 ? [...filter.categoryIds] : ['']
        query = query.where('id', 'in', (eb) => eb.selectFrom('asset_categories').select('asset_id').where('category_id', 'in', ids))
      }
      const page = await readPage(query, [['created_at', 'text'], ['id', 'text']], (row) => [row.created_at, row.id], { cursor, limit })
      return page && mapPage(page, toAsset)
    },

    async getAssets(libraryId, ids) {
      if (ids.length === 0) return []
      const rows = await db.selectFrom('assets').selectAll().where('library_id', '=', libraryId).where('id', 'in', [...ids]).execute()
      const byId = new Map(rows.map((row) => [row.id, toAsset(row)]))
      return ids.flatMap((id) => byId.get(id) ?? [])
    },

    async queryAssets(libraryId, query) {
      let q = db.selectFrom('assets').selectAll().where('library_id', '=', libraryId)
      if (query.type !== undefined) q = q.where('type', '=', query.type)
      for (const tag of query.tags ?? []) {
        q = q.where('id', 'in', (eb) => eb.selectFrom('asset_tags').select('asset_id').where('tag', '=', tag))
      }
      if (query.categoryIds !== undefined) {
        const ids = query.categoryIds.length > 0 ? [...query.categoryIds] : ['']
        q = q.where('id', 'in', (eb) => eb.selectFrom('asset_categories').select('asset_id').where('category_id', 'in', ids))
      }
      const rows = await q.orderBy(SORT_COLUMNS[query.sort], query.order).orderBy('id', query.order).limit(query.limit).execute()
      return rows.map(toAsset)
    },

    async allIds(libraryId) {
      return (await db.selectFrom('assets').select('id').where('library_id', '=', libraryId).orderBy('id').execute()).map((r) => r.id)
    },

    async deleteAsset(id) {
      return db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('doc_updates')
          .where((eb) => eb.or([eb('doc', '=', id), eb('doc', 'like', `${id}/%`)]))
          .execute()
        const result = await trx.deleteFrom('assets').where('id', '=', id).executeTakeFirst()
        return Number(result.numDeletedRows) > 0
      })
    },

    async setTitle(id, title) {
      await db.updateTable('assets').set({ title, updated_at: nowIso() }).where('id', '=', id).execute()
    },
  }
  return store
}

function toAsset(row: AssetTable): Asset {
  return {
    id: row.id,
    libraryId: row.library_id,
    type: row.type,
    title: row.title,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
