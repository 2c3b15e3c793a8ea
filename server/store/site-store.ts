/** Sites and their connections to libraries. */
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import { asFlag, nowIso } from './rows.js'
import type { SiteTable } from './schema.js'

export interface Site {
  id: string
  name: string
  stagingEnabled: boolean
  createdAt: string
}

export interface SiteStore {
  createSite(input: { id: string; name: string; stagingEnabled: boolean; deliveryKeyHash: string }): Promise<Site>
  getSite(id: string): Promise<Site | null>
  listSites(page: PageRequest): Promise<Page<Site> | null>
  updateSite(id: string, changes: { name?: string; stagingEnabled?: boolean }): Promise<Site | null>
  connectSite(libraryId: string, siteId: string): Promise<void>
  disconnectSite(libraryId: string, siteId: string): Promise<boolean>
  sitesOfLibrary(libraryId: string, page: PageRequest): Promise<Page<Site> | null>
  /** The stored hash of a site's delivery key; null for an unknown site. */
  deliveryKeyHash(siteId: string): Promise<string | null>
  isConnected(libraryId: string, siteId: string): Promise<boolean>
  /** Ids of the libraries a site is connected to that have staging on. */
  stagingLibrariesOf(siteId: string): Promise<string[]>
}

export function createSiteStore({ db }: OpenDatabase): SiteStore {
  const store: SiteStore = {
    async createSite({ id, name, stagingEnabled, deliveryKeyHash }) {
      const row: SiteTable = {
        id,
        name,
        staging_enabled: asFlag(stagingEnabled),
        delivery_key_hash: deliveryKeyHash,
        created_at: nowIso(),
      }
      await db.insertInto('sites').values(row).execute()
      return toSite(row)
    },

    async getSite(id) {
      const row = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toSite(row) : null
    },

    async listSites(page) {
      const rows = await readPage(db.selectFrom('sites').selectAll(), [['created_at', 'text'], ['id', 'text']], (r) => [r.created_at, r.id], page)
      return rows && mapPage(rows, toSite)
    },

    async updateSite(id, changes) {
      const values: Partial<SiteTable> = {}
      if (changes.name !== undefined) values.name = changes.name
      if (changes.stagingEnabled !== undefined) values.staging_enabled = asFlag(changes.stagingEnabled)
      if (Object.keys(values).length > 0) await db.updateTable('sites').set(values).where('id', '=', id).execute()
      return store.getSite(id)
    },

    async connectSite(libraryId, siteId) {
      await db
        .insertInto('library_sites')
        .values({ library_id: libraryId, site_id: siteId, created_at: nowIso() })
        .onConflict((oc) => oc.columns(['library_id', 'site_id']).doNothing())
        .execute()
    },

    async disconnectSite(libraryId, siteId) {
      const result = await db
        .deleteFrom('library_sites')
        .where('library_id', '=', libraryId)
        .where('site_id', '=', siteId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async sitesOfLibrary(libraryId, page) {
      const query = db
        .selectFrom('sites')
        .innerJoin('library_sites', 'library_sites.site_id', 'sites.id')
        .selectAll('sites')
        .where('library_sites.library_id', '=', libraryId)
      const rows = await readPage(query, [['sites.id', 'text']], (r) => [r.id], page)
      return rows && mapPage(rows, toSite)
    },

    async deliveryKeyHash(siteId) {
      const row = await db.selectFrom('sites').select('delivery_key_hash').where('id', '=', siteId).executeTakeFirst()
      return row?.delivery_key_hash ?? null
    },

    async isConnected(libraryId, siteId) {
      const row = await db
        .selectFrom('library_sites')
        .select('site_id')
        .where('library_id', '=', libraryId)
        .where('site_id', '=', siteId)
        .executeTakeFirst()
      return row !== undefined
    },

    async stagingLibrariesOf(siteId) {
      const rows = await db
        .selectFrom('library_sites')
        .innerJoin('libraries', 'libraries.id', 'library_sites.library_id')
        .select('libraries.id')
        .where('library_sites.site_id', '=', siteId)
        .where('libraries.staging_enabled', '=', 1)
        .orderBy('libraries.id')
        .execute()
      return rows.map((r) => r.id)
    },
  }
  return store
}

function toSite(row: SiteTable): Site {
  return { id: row.id, name: row.name, stagingEnabled: row.staging_enabled === 1, createdAt: row.created_at }
}
