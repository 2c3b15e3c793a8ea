/** Resolving what the caller may do in a library, for routes. */
import type { Context } from 'hono'
import type { DocumentName } from '../../shared/ids.js'
import { documentAccess, permissionsOf, type Permission, type RoleGrant } from '../domain/permissions.js'
import type { Asset } from '../store/asset-store.js'
import type { Library, Member } from '../store/library-store.js'
import type { AppDeps, AppEnv } from './context.js'
import { ApiError } from './errors.js'

export interface LibraryAccess {
  library: Library
  member: Member | null
  grant: RoleGrant
  permissions: ReadonlySet<Permission>
}

/**
 * Loads a library for the caller and checks one permission. A library the caller cannot see is
 * answered 404, as if it did not exist; one they see but may not act on, 403.
 */
export async function requireLibrary(
  c: Context<AppEnv>,
  deps: Pick<AppDeps, 'libraries'>,
  libraryId: string,
  permission: Permission,
): Promise<LibraryAccess> {
  const library = await deps.libraries.getLibrary(libraryId)
  const { member, grant } = library ? await deps.libraries.grantOf(libraryId, c.get('user').id) : { member: null, grant: { kind: 'none' } as const }
  const permissions = permissionsOf(grant)
  if (!library || !permissions.has('VIEW')) throw new ApiError('not_found', `no library ${libraryId}`)
  if (!permissions.has(permission)) {
    throw new ApiError('forbidden', `${permission} is needed to do this in library ${libraryId}`)
  }
  return { library, member, grant, permissions }
}

export function requireInstanceAdmin(c: Context<AppEnv>, what: string): void {
  if (!c.get('user').admin) throw new ApiError('forbidden', `only instance admins ${what}`)
}

/**
 * A role change reaches the member's open connections at once: downgraded, upgraded or closed,
 * here and, through the access events, on every other node.
 */
export async function refreshConnections(deps: Pick<AppDeps, 'libraries' | 'hub' | 'accessEvents'>, libraryId: string, userId: string): Promise<void> {
  // Here before the request answers; then on the other nodes.
  await refreshLocalConnections(deps, libraryId, userId)
  deps.accessEvents?.publishToOthers({ libraryId, userId })
}

/** Re-checks this node's connections of a member against the store. */
export async function refreshLocalConnections(deps: Pick<AppDeps, 'libraries' | 'hub'>, libraryId: string, userId: string): Promise<void> {
  const { member } = await deps.libraries.grantOf(libraryId, userId)
  const permissions = permissionsOf(await deps.libraries.grantOfRole(libraryId, member?.role ?? null))
  deps.hub.refreshAccess(libraryId, userId, (document: DocumentName) => documentAccess(permissions, document.kind))
}

/** An asset of the library, or 404 (also for an asset of another library). */
export async function requireAsset(deps: Pick<AppDeps, 'assets'>, libraryId: string, assetId: string): Promise<Asset> {
  const asset = await deps.assets.getAsset(assetId)
  if (!asset || asset.libraryId !== libraryId) throw new ApiError('not_found', `no asset ${assetId} in ${libraryId}`)
  return asset
}
