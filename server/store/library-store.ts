/**
 * Rows of the library domain: libraries, members, sites and assets. Plain data in, plain data
 * out; the rules about who may do what live in domain/.
 */
import type { OpenDatabase } from './db.js'
import type { AssetTable, LibraryTable, SiteTable } from './schema.js'

export interface Library {
  id: string
  name: string
  description: string
  stagingEnabled: boolean
  workflowEnabled: boolean
  createdBy: string
  createdAt: string
  updatedAt: string
}

export interface Member {
  libraryId: string
  userId: string
  role: string
  createdAt: string
  updatedAt: string
}

export interface Site {
  id: string
  name: string
  stagingEnabled: boolean
  createdAt: string
}

export interface Asset {
  id: string
  libraryId: string
  type: string
  status: string
  createdBy: string
  createdAt: string
  updatedAt: string
}

export interface LibraryStore {
  countLibraries(): Promise<number>
  createLibrary(input: { id: string; name: string; description: string; ownerId: string }): Promise<Library>
  getLibrary(id: string): Promise<Library | null>
  listLibrariesOf(userId: string): Promise<Library[]>
  getMember(libraryId: string, userId: string): Promise<Member | null>
  listMembers(libraryId: string): Promise<Member[]>
  countOwners(libraryId: string): Promise<number>
  putMember(libraryId: string, userId: string, role: string): Promise<Member>
  deleteMember(libraryId: string, userId: string): Promise<boolean>
  createSite(input: { id: string; name: string; stagingEnabled: boolean; deliveryKeyHash: string }): Promise<Site>
  connectSite(libraryId: string, siteId: string): Promise<void>
  /** Creates the asset row and its document's first update in one transaction. */
  createAsset(input: { id: string; libraryId: string; type: string; createdBy: string; initialUpdate: Uint8Array }): Promise<Asset>
  getAsset(id: string): Promise<Asset | null>
}

export function createLibraryStore({ db }: OpenDatabase): LibraryStore {
  const now = () => new Date().toISOString()
  return {
    async countLibraries() {
      const row = await db.selectFrom('libraries').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
      return Number(row.n)
    },

    async createLibrary({ id, name, description, ownerId }) {
      const at = now()
      const row: LibraryTable = {
        id,
        name,
        description,
        staging_enabled: 0,
        workflow_enabled: 0,
        created_by: ownerId,
        created_at: at,
        updated_at: at,
      }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('libraries').values(row).execute()
        await trx
          .insertInto('members')
          .values({ library_id: id, user_id: ownerId, role: 'owner', created_at: at, updated_at: at })
          .execute()
      })
      return toLibrary(row)
    },

    async getLibrary(id) {
      const row = await db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toLibrary(row) : null
    },

    async listLibrariesOf(userId) {
      const rows = await db
        .selectFrom('libraries')
        .innerJoin('members', 'members.library_id', 'libraries.id')
        .selectAll('libraries')
        .where('members.user_id', '=', userId)
        .orderBy('libraries.created_at')
        .orderBy('libraries.id')
        .execute()
      return rows.map(toLibrary)
    },

    async getMember(libraryId, userId) {
      const row = await db
        .selectFrom('members')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return row ? toMember(row) : null
    },

    async listMembers(libraryId) {
      const rows = await db.selectFrom('members').selectAll().where('library_id', '=', libraryId).orderBy('user_id').execute()
      return rows.map(toMember)
    },

    async countOwners(libraryId) {
      const row = await db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('library_id', '=', libraryId)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },

    async putMember(libraryId, userId, role) {
      const at = now()
      await db
        .insertInto('members')
        .values({ library_id: libraryId, user_id: userId, role, created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(['library_id', 'user_id']).doUpdateSet({ role, updated_at: at }))
        .execute()
      const member = await this.getMember(libraryId, userId)
      if (!member) throw new Error(`member ${userId} vanished from ${libraryId} right after it was written`)
      return member
    },

    async deleteMember(libraryId, userId) {
      const result = await db
        .deleteFrom('members')
        .where('library_id', '=', libraryId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async createSite({ id, name, stagingEnabled, deliveryKeyHash }) {
      const row: SiteTable = {
        id,
        name,
        staging_enabled: stagingEnabled ? 1 : 0,
        delivery_key_hash: deliveryKeyHash,
        created_at: now(),
      }
      await db.insertInto('sites').values(row).execute()
      return { id, name, stagingEnabled, createdAt: row.created_at }
    },

    async connectSite(libraryId, siteId) {
      await db
        .insertInto('library_sites')
        .values({ library_id: libraryId, site_id: siteId, created_at: now() })
        .onConflict((oc) => oc.columns(['library_id', 'site_id']).doNothing())
        .execute()
    },

    async createAsset({ id, libraryId, type, createdBy, initialUpdate }) {
      const at = now()
      const row: AssetTable = {
        id,
        library_id: libraryId,
        type,
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
  }
}

function toLibrary(row: LibraryTable): Library {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    stagingEnabled: row.staging_enabled === 1,
    workflowEnabled: row.workflow_enabled === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function toMember(row: { library_id: string; user_id: string; role: string; created_at: string; updated_at: string }): Member {
  return { libraryId: row.library_id, userId: row.user_id, role: row.role, createdAt: row.created_at, updatedAt: row.updated_at }
}

function toAsset(row: AssetTable): Asset {
  return {
    id: row.id,
    libraryId: row.library_id,
    type: row.type,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
