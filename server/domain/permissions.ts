/**
 * Roles and permissions of a library, as DESIGN.md defines them. Pure: no I/O, no clock.
 *
 * @example
 *   const perms = permissionsOf({ kind: 'builtin', role: 'reviewer' })
 *   perms.has('COMMENT') // true
 *   documentAccess(perms, 'asset') // 'read'
 */
import type { DocumentName } from '../../shared/ids.js'

export const PERMISSIONS = [
  'VIEW',
  'COMMENT',
  'EDIT',
  'TRANSLATE',
  'REVIEW',
  'PUBLISH',
  'PUBLISH_LIBRARY',
  'MANAGE_ASSETS',
  'MANAGE_MEMBERS',
  'MANAGE_SITES',
  'MANAGE_SETTINGS',
  'OVERRIDE_CHECKOUT',
  'DELETE_LIBRARY',
] as const

export type Permission = (typeof PERMISSIONS)[number]

export const BUILTIN_ROLES = ['owner', 'admin', 'member', 'reviewer'] as const
export type BuiltinRole = (typeof BUILTIN_ROLES)[number]

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value)
}

export function isBuiltinRole(value: unknown): value is BuiltinRole {
  return typeof value === 'string' && (BUILTIN_ROLES as readonly string[]).includes(value)
}

const ROLE_PERMISSIONS: Readonly<Record<BuiltinRole, ReadonlySet<Permission>>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(PERMISSIONS.filter((p) => p !== 'DELETE_LIBRARY')),
  // Users of DXPs complain that a Member who cannot edit is useless, so Members edit.
  member: new Set<Permission>(['VIEW', 'COMMENT', 'EDIT', 'TRANSLATE', 'MANAGE_ASSETS']),
  reviewer: new Set<Permission>(['VIEW', 'COMMENT', 'REVIEW']),
}

/** What a membership row resolves to: a built-in role, or a custom role with its permission set. */
export type RoleGrant =
  | { kind: 'builtin'; role: BuiltinRole }
  | { kind: 'custom'; roleId: string; permissions: readonly Permission[] }
  | { kind: 'none' }

const NO_PERMISSIONS: ReadonlySet<Permission> = new Set()

export function permissionsOf(grant: RoleGrant): ReadonlySet<Permission> {
  switch (grant.kind) {
    case 'builtin':
      return ROLE_PERMISSIONS[grant.role]
    case 'custom':
      // A custom role that can do anything at all can at least see the library.
      return grant.permissions.length === 0 ? NO_PERMISSIONS : new Set<Permission>(['VIEW', ...grant.permissions])
    case 'none':
      return NO_PERMISSIONS
  }
}

export type DocumentAccess = 'write' | 'read' | 'none'

/** Which access a set of permissions gives to one collaborative document. */
export function documentAccess(perms: ReadonlySet<Permission>, kind: DocumentName['kind']): DocumentAccess {
  if (!perms.has('VIEW')) return 'none'
  switch (kind) {
    case 'asset':
      return perms.has('EDIT') ? 'write' : 'read'
    case 'comments':
      return perms.has('COMMENT') ? 'write' : 'read'
    case 'translation':
      return perms.has('TRANSLATE') || perms.has('EDIT') ? 'write' : 'read'
  }
}

/** Roles only an Owner may grant or revoke. */
const OWNER_ONLY_ROLES: ReadonlySet<string> = new Set<BuiltinRole>(['owner', 'admin'])

export type MembershipChangeRefusal = 'needs_manage_members' | 'needs_owner' | 'exceeds_own' | 'last_owner'

/** Permissions only an Owner may hand out: whoever holds them can take over or delete the library. */
const OWNER_ONLY_PERMISSIONS: readonly Permission[] = ['MANAGE_MEMBERS', 'DELETE_LIBRARY']

export type HandoutCheck = { ok: true } | { ok: false; reason: 'needs_owner' | 'exceeds_own'; missing: Permission[] }

/**
 * Whether an actor may hand out (define, change, grant or revoke) a role carrying these
 * permissions: an Owner may hand out anything; anyone else only what they hold themselves, and
 * never a role that manages members or deletes the library.
 */
export function checkRoleHandout(actor: RoleGrant, rolePermissions: Iterable<Permission>): HandoutCheck {
  if (actor.kind === 'builtin' && actor.role === 'owner') return { ok: true }
  const wanted = [...rolePermissions]
  const ownerOnly = wanted.filter((p) => OWNER_ONLY_PERMISSIONS.includes(p))
  if (ownerOnly.length > 0) return { ok: false, reason: 'needs_owner', missing: ownerOnly }
  const held = permissionsOf(actor)
  const missing = wanted.filter((p) => !held.has(p))
  return missing.length > 0 ? { ok: false, reason: 'exceeds_own', missing } : { ok: true }
}

/**
 * Whether `actor` may change a member from `fromRole` (null: not a member) to `toRole` (null:
 * removal). The permissions of both roles come along, custom ones included, because nobody but an
 * Owner may grant or revoke more than they hold. `ownersLeft` is how many Owners the library has
 * before the change.
 */
export function checkMembershipChange(input: {
  actorRole: RoleGrant
  fromRole: string | null
  toRole: string | null
  fromPermissions: ReadonlySet<Permission>
  toPermissions: ReadonlySet<Permission>
  ownersLeft: number
}): { ok: true } | { ok: false; reason: MembershipChangeRefusal } {
  const { actorRole, fromRole, toRole, ownersLeft } = input
  if (!permissionsOf(actorRole).has('MANAGE_MEMBERS')) return { ok: false, reason: 'needs_manage_members' }
  if (fromRole === toRole) return { ok: true }
  const actorIsOwner = actorRole.kind === 'builtin' && actorRole.role === 'owner'
  const touchesOwnerOnly =
    (fromRole !== null && OWNER_ONLY_ROLES.has(fromRole)) || (toRole !== null && OWNER_ONLY_ROLES.has(toRole))
  if (touchesOwnerOnly && !actorIsOwner) return { ok: false, reason: 'needs_owner' }
  for (const permissions of [input.fromPermissions, input.toPermissions]) {
    const check = checkRoleHandout(actorRole, permissions)
    if (!check.ok) return { ok: false, reason: check.reason }
  }
  if (fromRole === 'owner' && toRole !== 'owner' && ownersLeft <= 1) return { ok: false, reason: 'last_owner' }
  return { ok: true }
}

/** The grant a membership row's role gives; custom role ids resolve through `customRoles`. */
export function grantFromRole(
  role: string | null,
  customRoles: ReadonlyMap<string, readonly Permission[]> = new Map(),
): RoleGrant {
  if (role === null) return { kind: 'none' }
  if (isBuiltinRole(role)) return { kind: 'builtin', role }
  const permissions = customRoles.get(role)
  return permissions ? { kind: 'custom', roleId: role, permissions } : { kind: 'none' }
}
