/** Resolving what the caller may do in a library, for routes. */
import type { Context } from 'hono'
import { isId } from '../../shared/ids.js'
import { grantFromRole, permissionsOf, type Permission, type RoleGrant } from '../domain/permissions.js'
import type { Library, LibraryStore } from '../store/library-store.js'
import type { AppEnv } from './context.js'
import { ApiError } from './errors.js'

export interface LibraryAccess {
  library: Library
  grant: RoleGrant
  permissions: ReadonlySet<Permission>
}

/**
 * Loads a library for the caller and checks one permission. A library the caller cannot see is
 * answered 404, as if it did not exist; one they see but may not act on, 403.
 */
export async function requireLibrary(
  c: Context<AppEnv>,
  libraries: LibraryStore,
  libraryId: string,
  permission: Permission,
): Promise<LibraryAccess> {
  if (!isId('lib', libraryId)) throw new ApiError('invalid_request', `"${libraryId}" is not a library id`)
  const user = c.get('user')
  const library = await libraries.getLibrary(libraryId)
  const member = library ? await libraries.getMember(libraryId, user.id) : null
  const grant = grantFromRole(member?.role ?? null)
  const permissions = permissionsOf(grant)
  if (!library || !permissions.has('VIEW')) throw new ApiError('not_found', `no library ${libraryId}`)
  if (!permissions.has(permission)) {
    throw new ApiError('forbidden', `${permission} is needed to do this in library ${libraryId}`)
  }
  return { library, grant, permissions }
}
