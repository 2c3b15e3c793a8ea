import { describe, expect, it } from 'vitest'
import {
  BUILTIN_ROLES,
  PERMISSIONS,
  checkMembershipChange,
  checkRoleHandout,
  documentAccess,
  grantFromRole,
  permissionsOf,
  type BuiltinRole,
  type Permission,
} from '../../../server/domain/permissions.js'

/** DESIGN.md, as a table: which built-in role holds which permission. */
const EXPECTED: Record<BuiltinRole, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS.filter((p) => p !== 'DELETE_LIBRARY'),
  member: ['VIEW', 'COMMENT', 'EDIT', 'TRANSLATE', 'MANAGE_ASSETS'],
  reviewer: ['VIEW', 'COMMENT', 'REVIEW'],
}

describe('roles and permissions', () => {
  const cells = BUILTIN_ROLES.flatMap((role) => PERMISSIONS.map((permission) => [role, permission] as const))
  it.each(cells)('%s × %s', (role, permission) => {
    expect(permissionsOf({ kind: 'builtin', role }).has(permission)).toBe(EXPECTED[role].includes(permission))
  })

  it('gives no permission to non-members and unknown roles', () => {
    expect(permissionsOf(grantFromRole(null)).size).toBe(0)
    expect(permissionsOf(grantFromRole('role_unknownunknownunkn')).size).toBe(0)
    expect(permissionsOf(grantFromRole('__proto__')).size).toBe(0)
  })

  it('gives a custom role its permissions plus VIEW', () => {
    const grant = grantFromRole('role_commentercommenter', new Map([['role_commentercommenter', ['COMMENT'] as const]]))
    expect([...permissionsOf(grant)].sort()).toEqual(['COMMENT', 'VIEW'])
  })

  it.each([
    ['owner', 'write', 'write', 'write'],
    ['member', 'write', 'write', 'write'],
    ['reviewer', 'read', 'write', 'read'],
  ] as const)('gives %s asset:%s comments:%s translation:%s', (role, asset, comments, translation) => {
    const perms = permissionsOf({ kind: 'builtin', role })
    expect(documentAccess(perms, 'asset')).toBe(asset)
    expect(documentAccess(perms, 'comments')).toBe(comments)
    expect(documentAccess(perms, 'translation')).toBe(translation)
  })

  it('gives a translator write access to translations only', () => {
    const perms = permissionsOf({ kind: 'custom', roleId: 'r', permissions: ['TRANSLATE'] })
    expect(documentAccess(perms, 'asset')).toBe('read')
    expect(documentAccess(perms, 'translation')).toBe('write')
    expect(documentAccess(permissionsOf({ kind: 'none' }), 'asset')).toBe('none')
  })
})

describe('membership changes', () => {
  const owner = { kind: 'builtin', role: 'owner' } as const
  const admin = { kind: 'builtin', role: 'admin' } as const
  const member = { kind: 'builtin', role: 'member' } as const
  const gatekeeper = { kind: 'custom', roleId: 'role_g', permissions: ['MANAGE_MEMBERS'] } as const
  const perms = (role: string | null) => permissionsOf(grantFromRole(role))

  it.each([
    [owner, null, 'admin', 2, { ok: true }],
    [owner, 'member', 'owner', 1, { ok: true }],
    [admin, null, 'member', 1, { ok: true }],
    [admin, 'member', 'reviewer', 1, { ok: true }],
    [admin, null, 'admin', 1, { ok: false, reason: 'needs_owner' }],
    [admin, 'admin', 'member', 1, { ok: false, reason: 'needs_owner' }],
    [admin, 'owner', null, 2, { ok: false, reason: 'needs_owner' }],
    [member, null, 'member', 1, { ok: false, reason: 'needs_manage_members' }],
    [owner, 'owner', 'member', 1, { ok: false, reason: 'last_owner' }],
    [owner, 'owner', null, 1, { ok: false, reason: 'last_owner' }],
    [owner, 'owner', null, 2, { ok: true }],
    [admin, 'admin', 'admin', 1, { ok: true }],
    // A member manager without EDIT cannot make someone a Member (which edits).
    [gatekeeper, null, 'member', 1, { ok: false, reason: 'exceeds_own' }],
    [gatekeeper, 'reviewer', null, 1, { ok: false, reason: 'exceeds_own' }],
  ] as const)('%o changes %s → %s with %i owners: %o', (actorRole, fromRole, toRole, ownersLeft, expected) => {
    expect(
      checkMembershipChange({ actorRole, fromRole, toRole, fromPermissions: perms(fromRole), toPermissions: perms(toRole), ownersLeft }),
    ).toEqual(expected)
  })

  it('keeps custom roles with more than the actor holds, or owner-only permissions, to Owners', () => {
    const deleter = new Set(['VIEW', 'DELETE_LIBRARY'] as const)
    expect(checkMembershipChange({ actorRole: admin, fromRole: null, toRole: 'role_x', fromPermissions: new Set(), toPermissions: deleter, ownersLeft: 1 })).toEqual({
      ok: false,
      reason: 'needs_owner',
    })
    expect(checkMembershipChange({ actorRole: owner, fromRole: null, toRole: 'role_x', fromPermissions: new Set(), toPermissions: deleter, ownersLeft: 1 })).toEqual({ ok: true })
  })

  it.each([
    [owner, ['DELETE_LIBRARY', 'MANAGE_MEMBERS'], { ok: true }],
    [admin, ['PUBLISH', 'EDIT'], { ok: true }],
    [admin, ['MANAGE_MEMBERS'], { ok: false, reason: 'needs_owner', missing: ['MANAGE_MEMBERS'] }],
    [member, ['EDIT', 'PUBLISH'], { ok: false, reason: 'exceeds_own', missing: ['PUBLISH'] }],
  ] as const)('lets %o hand out %o: %o', (actor, permissions, expected) => {
    expect(checkRoleHandout(actor, permissions)).toEqual(expected)
  })
})
