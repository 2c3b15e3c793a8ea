/**
 * Libraries, their members and custom roles. Plain data in, plain data out; the rules about who may
 * do what live in domain/.
 */
import { isPermission, type Permission, type RoleGrant, grantFromRole } from '../domain/permissions.js'
import type { OpenDatabase } from './db.js'
import { mapPage, readPage, type Page, type PageRequest } from './paging.js'
import { asFlag, countOf, nowIso } from './rows.js'
import type { Insertable, Selectable } from 'kysely'
import type { CustomRoleTable, LibraryTable, MemberTable } from './schema.js'

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

export interface CustomRole {
  id: string
  libraryId: string
  name: string
  permissions: Permission[]
  createdAt: string
  updatedAt: string
}

export type LibraryChanges = Partial<Pick<Library, 'name' | 'description' | 'stagingEnabled' | 'workflowEnabled'>>

export interface LibraryStore {
  countLibraries(): Promise<number>
  createLibrary(input: { id: string; name: string; description: string; ownerId: string }): Promise<Library>
  getLibrary(id: string): Promise<Library | null>
  /** Libraries the user is a member of, oldest first; null for a cursor that is not ours. */
  listLibrariesOf(userId: string, page: PageRequest): Promise<Page<Library> | null>
  /** Updates a library; turning staging on disconnects, in the same transaction, the sites without it. */
  updateLibrary(id: string, changes: LibraryChanges): Promise<{ library: Library; disconnectedSites: string[] }>
  /** Deletes a library with its members, roles, assets and their documents; answers the asset ids. */
  deleteLibrary(id: string): Promise<string[]>
  getMember(libraryId: string, userId: string): Promise<Member | null>
  listMembers(libraryId: string, page: PageRequest): Promise<Page<Member> | null>
  listMembersWithRole(libraryId: string, role: string): Promise<Member[]>
  countOwners(libraryId: string): Promise<number>
  putMember(libraryId: string, userId: string, role: string): Promise<Member>
  deleteMember(libraryId: string, userId: string): Promise<boolean>
  /**
   * Sets a member's role (null removes them) in one transaction that holds the library's row, so
   * that two concurrent demotions can never leave a library without an Owner.
   */
  setMemberRole(
    libraryId: string,
    userId: string,
    role: string | null,
  ): Promise<{ ok: true; member: Member | null; created: boolean } | { ok: false; reason: 'last_owner' }>
  /** What a user may do in a library: their membership resolved to a grant (custom roles included). */
  grantOf(libraryId: string, userId: string): Promise<{ member: Member | null; grant: RoleGrant }>
  /** The grant a role name gives in a library (for re-checking connections after a change). */
  grantOfRole(libraryId: string, role: string | null): Promise<RoleGrant>
  createRole(input: { id: string; libraryId: string; name: string; permissions: Permission[] }): Promise<CustomRole>
  getRole(libraryId: string, id: string): Promise<CustomRole | null>
  listRoles(libraryId: string, page: PageRequest): Promise<Page<CustomRole> | null>
  updateRole(libraryId: string, id: string, changes: { name?: string; permissions?: Permission[] }): Promise<CustomRole | null>
  deleteRole(libraryId: string, id: string): Promise<boolean>
}

export function createLibraryStore({ db, dialect }: OpenDatabase): LibraryStore {
  const store: LibraryStore = {
    async countLibraries() {
      return countOf(await db.selectFrom('libraries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow())
    },

    async createLibrary({ id, name, description, ownerId }) {
      const at = nowIso()
      const row: Insertable<LibraryTable> & Omit<Selectable<LibraryTable>, 'live_generation'> = {
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
      return toLibrary({ ...row, live_generation: 0 })
    },

    async getLibrary(id) {
      const row = await db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toLibrary(row) : null
    },

    async listLibrariesOf(userId, page) {
      const query = db
        .selectFrom('libraries')
        .innerJoin('members', 'members.library_id', 'libraries.id')
        .selectAll('libraries')
        .where('members.user_id', '=', userId)
      const rows = await readPage(query, [['libraries.created_at', 'text'], ['libraries.id', 'text']], (r) => [r.created_at, r.id], page)
      return rows && mapPage(rows, toLibrary)
    },

    async updateLibrary(id, changes) {
      return db.transaction().execute(async (trx) => {
        const values: Partial<Selectable<LibraryTable>> = { updated_at: nowIso() }
        if (changes.name !== undefined) values.name = changes.name
        if (changes.description !== undefined) values.description = changes.description
        if (changes.stagingEnabled !== undefined) values.staging_enabled = asFlag(changes.stagingEnabled)
        if (changes.workflowEnabled !== undefined) values.workflow_enabled = asFlag(changes.workflowEnabled)
        await trx.updateTable('libraries').set(values).where('id', '=', id).execute()
        let disconnectedSites: string[] = []
        if (changes.stagingEnabled === true) {
          const rows = await trx
            .selectFrom('library_sites')
            .innerJoin('sites', 'sites.id', 'library_sites.site_id')
            .select('sites.id')
            .where('library_sites.library_id', '=', id)
            .where('sites.staging_enabled', '=', 0)
            .orderBy('sites.id')
            .execute()
          disconnectedSites = rows.map((r) => r.id)
          if (disconnectedSites.length > 0) {
            await trx.deleteFrom('library_sites').where('library_id', '=', id).where('site_id', 'in', disconnectedSites).execute()
          }
        }
        const row = await trx.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
        return { library: toLibrary(row), disconnectedSites }
      })
    },

    async deleteLibrary(id) {
      return db.transaction().execute(async (trx) => {
        const assets = (await trx.selectFrom('assets').select('id').where('library_id', '=', id).execute()).map((r) => r.id)
        for (const assetId of assets) {
          await trx
            .deleteFrom('doc_updates')
            .where((eb) => eb.or([eb('doc', '=', assetId), eb('doc', 'like', `${assetId}/%`)]))
            .execute()
        }
        await trx.deleteFrom('assets').where('library_id', '=', id).execute()
        await trx.deleteFrom('members').where('library_id', '=', id).execute()
        await trx.deleteFrom('custom_roles').where('library_id', '=', id).execute()
        await trx.deleteFrom('library_sites').where('library_id', '=', id).execute()
        await trx.deleteFrom('libraries').where('id', '=', id).execute()
        return assets
      })
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

    async listMembers(libraryId, page) {
      const query = db.selectFrom('members').selectAll().where('library_id', '=', libraryId)
      const rows = await readPage(query, [['user_id', 'text']], (r) => [r.user_id], page)
      return rows && mapPage(rows, toMember)
    },

    async listMembersWithRole(libraryId, role) {
      const rows = await db
        .selectFrom('members')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('role', '=', role)
        .orderBy('user_id')
        .execute()
      return rows.map(toMember)
    },

    async countOwners(libraryId) {
      return countOf(
        await db
          .selectFrom('members')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('library_id', '=', libraryId)
          .where('role', '=', 'owner')
          .executeTakeFirstOrThrow(),
      )
    },

    async putMember(libraryId, userId, role) {
      const at = nowIso()
      await db
        .insertInto('members')
        .values({ library_id: libraryId, user_id: userId, role, created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(['library_id', 'user_id']).doUpdateSet({ role, updated_at: at }))
        .execute()
      const member = await store.getMember(libraryId, userId)
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

    async setMemberRole(libraryId, userId, role) {
      return db.transaction().execute(async (trx) => {
        // SQLite runs one transaction at a time already; PostgreSQL needs the row lock.
        if (dialect === 'postgres') await trx.selectFrom('libraries').select('id').where('id', '=', libraryId).forUpdate().execute()
        const current = await trx
          .selectFrom('members')
          .selectAll()
          .where('library_id', '=', libraryId)
          .where('user_id', '=', userId)
          .executeTakeFirst()
        if (current?.role === 'owner' && role !== 'owner') {
          const owners = countOf(
            await trx
              .selectFrom('members')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('library_id', '=', libraryId)
              .where('role', '=', 'owner')
              .executeTakeFirstOrThrow(),
          )
          if (owners <= 1) return { ok: false, reason: 'last_owner' } as const
        }
        const at = nowIso()
        if (role === null) {
          await trx.deleteFrom('members').where('library_id', '=', libraryId).where('user_id', '=', userId).execute()
          return { ok: true, member: null, created: false } as const
        }
        await trx
          .insertInto('members')
          .values({ library_id: libraryId, user_id: userId, role, created_at: at, updated_at: at })
          .onConflict((oc) => oc.columns(['library_id', 'user_id']).doUpdateSet({ role, updated_at: at }))
          .execute()
        const row = await trx
          .selectFrom('members')
          .selectAll()
          .where('library_id', '=', libraryId)
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
        return { ok: true, member: toMember(row), created: current === undefined } as const
      })
    },

    async grantOf(libraryId, userId) {
      const member = await store.getMember(libraryId, userId)
      return { member, grant: await store.grantOfRole(libraryId, member?.role ?? null) }
    },

    async grantOfRole(libraryId, role) {
      if (role === null || !role.startsWith('role_')) return grantFromRole(role)
      const custom = await store.getRole(libraryId, role)
      return grantFromRole(role, custom ? new Map([[custom.id, custom.permissions]]) : new Map())
    },

    async createRole({ id, libraryId, name, permissions }) {
      const at = nowIso()
      const row: CustomRoleTable = {
        id,
        library_id: libraryId,
        name,
        permissions: JSON.stringify(permissions),
        created_at: at,
        updated_at: at,
      }
      await db.insertInto('custom_roles').values(row).execute()
      return toRole(row)
    },

    async getRole(libraryId, id) {
      const row = await db
        .selectFrom('custom_roles')
        .selectAll()
        .where('library_id', '=', libraryId)
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? toRole(row) : null
    },

    async listRoles(libraryId, page) {
      const query = db.selectFrom('custom_roles').selectAll().where('library_id', '=', libraryId)
      const rows = await readPage(query, [['created_at', 'text'], ['id', 'text']], (r) => [r.created_at, r.id], page)
      return rows && mapPage(rows, toRole)
    },

    async updateRole(libraryId, id, changes) {
      const values: Partial<CustomRoleTable> = { updated_at: nowIso() }
      if (changes.name !== undefined) values.name = changes.name
      if (changes.permissions !== undefined) values.permissions = JSON.stringify(changes.permissions)
      await db.updateTable('custom_roles').set(values).where('library_id', '=', libraryId).where('id', '=', id).execute()
      return store.getRole(libraryId, id)
    },

    async deleteRole(libraryId, id) {
      const result = await db.deleteFrom('custom_roles').where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
  }
  return store
}

function toLibrary(row: Selectable<LibraryTable>): Library {
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

function toMember(row: MemberTable): Member {
  return { libraryId: row.library_id, userId: row.user_id, role: row.role, createdAt: row.created_at, updatedAt: row.updated_at }
}

function toRole(row: CustomRoleTable): CustomRole {
  const parsed: unknown = JSON.parse(row.permissions)
  const permissions = Array.isArray(parsed) ? parsed.filter(isPermission) : []
  return {
    id: row.id,
    libraryId: row.library_id,
    name: row.name,
    permissions,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
