/** Members of a library and their roles; custom roles per library. */
import { createRoute } from '@hono/zod-openapi'
import { createId } from '../../../shared/ids.js'
import {
  PERMISSIONS,
  checkMembershipChange,
  checkRoleHandout,
  isBuiltinRole,
  isPermission,
  permissionsOf,
  type Permission,
  type RoleGrant,
} from '../../domain/permissions.js'
import { refreshConnections, requireLibrary } from '../access.js'
import type { AppDeps } from '../context.js'
import { ApiError, pageOrBadCursor } from '../errors.js'
import { BEARER, createRouter, errors, json, jsonBody, z } from '../openapi.js'
import { CustomRole, LibraryParams, Member, MemberParams, PageQuery, RoleParams, pageOf } from '../schemas.js'

const PutMember = z.object({
  role: z.string().min(1).max(100).openapi({ description: '`owner`, `admin`, `member`, `reviewer` or a custom role id' }),
})

const PermissionList = z
  .array(z.string().max(64))
  .max(PERMISSIONS.length)
  .openapi({ description: `Any of ${PERMISSIONS.join(', ')}`, example: ['COMMENT'] })

const CreateRole = z.object({ name: z.string().trim().min(1).max(100), permissions: PermissionList })
const UpdateRole = CreateRole.partial().refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })

const MEMBERSHIP_REFUSALS = {
  needs_manage_members: ['forbidden', 'MANAGE_MEMBERS is needed to change members'],
  needs_owner: ['forbidden', 'only an Owner grants or revokes Owner, Admin, or roles that manage members or delete the library'],
  exceeds_own: ['forbidden', 'you cannot grant or revoke a role with permissions you do not hold'],
  last_owner: ['last_owner', 'a library always keeps at least one Owner'],
} as const

function membershipRefusal(reason: keyof typeof MEMBERSHIP_REFUSALS): ApiError {
  const [code, message] = MEMBERSHIP_REFUSALS[reason]
  return new ApiError(code, message)
}

/** Refuses names that are not permissions; answers the list, deduplicated, in canonical order. */
function checkedPermissions(names: readonly string[]): Permission[] {
  const unknown = names.filter((name) => !isPermission(name))
  if (unknown.length > 0) {
    throw new ApiError('unknown_permission', `unknown permission ${unknown.join(', ')}; known: ${PERMISSIONS.join(', ')}`)
  }
  return PERMISSIONS.filter((p) => names.includes(p))
}

export function memberRoutes(deps: AppDeps) {
  const { libraries } = deps
  const app = createRouter()

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/members',
      summary: 'Members of a library, by user id',
      security: BEARER,
      request: { params: LibraryParams, query: PageQuery },
      responses: { 200: json(pageOf(Member), 'Members'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json(pageOrBadCursor(await libraries.listMembers(library.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/members/{userId}',
      summary: 'One member',
      security: BEARER,
      request: { params: MemberParams },
      responses: { 200: json(Member, 'The member'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { lib, userId } = c.req.valid('param')
      const { library } = await requireLibrary(c, deps, lib, 'VIEW')
      const member = await libraries.getMember(library.id, userId)
      if (!member) throw new ApiError('not_found', `${userId} is not a member of ${library.id}`)
      return c.json(member, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/{lib}/members/{userId}',
      summary: 'Add a member or change their role; open connections follow at once',
      security: BEARER,
      request: { params: MemberParams, ...jsonBody(PutMember) },
      responses: {
        200: json(Member, 'Role changed'),
        201: json(Member, 'Member added'),
        ...errors(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { lib, userId } = c.req.valid('param')
      const { library, grant } = await requireLibrary(c, deps, lib, 'MANAGE_MEMBERS')
      const { role } = c.req.valid('json')
      if (!isBuiltinRole(role) && !(await libraries.getRole(library.id, role))) {
        throw new ApiError('unprocessable', `unknown role "${role}": use owner, admin, member, reviewer or a custom role id`)
      }
      const current = await libraries.getMember(library.id, userId)
      const check = checkMembershipChange({
        actorRole: grant,
        fromRole: current?.role ?? null,
        toRole: role,
        fromPermissions: permissionsOf(await libraries.grantOfRole(library.id, current?.role ?? null)),
        toPermissions: permissionsOf(await libraries.grantOfRole(library.id, role)),
        ownersLeft: await libraries.countOwners(library.id),
      })
      if (!check.ok) throw membershipRefusal(check.reason)
      const result = await libraries.setMemberRole(library.id, userId, role)
      if (!result.ok) throw membershipRefusal(result.reason)
      const member = result.member!
      await refreshConnections(deps, library.id, userId)
      deps.logger.info({ user: c.get('user').id, library: library.id, member: userId, role }, 'member set')
      return result.created ? c.json(member, 201) : c.json(member, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/members/{userId}',
      summary: 'Remove a member; their open connections are closed with 4403',
      security: BEARER,
      request: { params: MemberParams },
      responses: { 204: { description: 'Removed' }, ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { lib, userId } = c.req.valid('param')
      const { library, grant } = await requireLibrary(c, deps, lib, 'MANAGE_MEMBERS')
      const current = await libraries.getMember(library.id, userId)
      if (!current) throw new ApiError('not_found', `${userId} is not a member of ${library.id}`)
      const check = checkMembershipChange({
        actorRole: grant,
        fromRole: current.role,
        toRole: null,
        fromPermissions: permissionsOf(await libraries.grantOfRole(library.id, current.role)),
        toPermissions: new Set(),
        ownersLeft: await libraries.countOwners(library.id),
      })
      if (!check.ok) throw membershipRefusal(check.reason)
      const result = await libraries.setMemberRole(library.id, userId, null)
      if (!result.ok) throw membershipRefusal(result.reason)
      await refreshConnections(deps, library.id, userId)
      deps.logger.info({ user: c.get('user').id, library: library.id, member: userId }, 'member removed')
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{lib}/roles',
      summary: 'Custom roles of a library',
      security: BEARER,
      request: { params: LibraryParams, query: PageQuery },
      responses: { 200: json(pageOf(CustomRole), 'Custom roles'), ...errors(400, 401, 404) },
    }),
    async (c) => {
      const { library } = await requireLibrary(c, deps, c.req.valid('param').lib, 'VIEW')
      return c.json(pageOrBadCursor(await libraries.listRoles(library.id, c.req.valid('query'))), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{lib}/roles',
      summary: 'Define a custom role: a name and a set of permissions (VIEW is implied)',
      security: BEARER,
      request: { params: LibraryParams, ...jsonBody(CreateRole) },
      responses: { 201: json(CustomRole, 'The new role'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const { library, grant } = await requireLibrary(c, deps, c.req.valid('param').lib, 'MANAGE_MEMBERS')
      const body = c.req.valid('json')
      const permissions = checkedPermissions(body.permissions)
      requireHandout(grant, permissions)
      const role = await libraries.createRole({ id: createId('role'), libraryId: library.id, name: body.name, permissions })
      deps.logger.info({ user: c.get('user').id, library: library.id, role: role.id }, 'role created')
      return c.json(role, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{lib}/roles/{role}',
      summary: "Change a custom role; its members' open connections follow at once",
      security: BEARER,
      request: { params: RoleParams, ...jsonBody(UpdateRole) },
      responses: { 200: json(CustomRole, 'The changed role'), ...errors(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library, grant } = await requireLibrary(c, deps, params.lib, 'MANAGE_MEMBERS')
      const body = c.req.valid('json')
      const existing = await libraries.getRole(library.id, params.role)
      if (!existing) throw new ApiError('not_found', `no role ${params.role} in ${library.id}`)
      const permissions = body.permissions ? checkedPermissions(body.permissions) : undefined
      requireHandout(grant, [...existing.permissions, ...(permissions ?? [])])
      const role = await libraries.updateRole(library.id, params.role, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(permissions !== undefined ? { permissions } : {}),
      })
      if (!role) throw new ApiError('not_found', `no role ${params.role} in ${library.id}`)
      for (const member of await libraries.listMembersWithRole(library.id, role.id)) {
        await refreshConnections(deps, library.id, member.userId)
      }
      return c.json(role, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{lib}/roles/{role}',
      summary: 'Delete a custom role nobody holds',
      security: BEARER,
      request: { params: RoleParams },
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const params = c.req.valid('param')
      const { library, grant } = await requireLibrary(c, deps, params.lib, 'MANAGE_MEMBERS')
      const existing = await libraries.getRole(library.id, params.role)
      if (!existing) throw new ApiError('not_found', `no role ${params.role} in ${library.id}`)
      requireHandout(grant, existing.permissions)
      const holders = await libraries.listMembersWithRole(library.id, existing.id)
      if (holders.length > 0) {
        throw new ApiError('role_in_use', `${holders.length} member(s) hold this role: give them another role first`)
      }
      await libraries.deleteRole(library.id, existing.id)
      return c.body(null, 204)
    },
  )

  return app
}

/** Nobody but an Owner defines a role with more than they hold, or one that manages members or deletes the library. */
function requireHandout(grant: RoleGrant, permissions: readonly Permission[]): void {
  const check = checkRoleHandout(grant, permissions)
  if (check.ok) return
  throw new ApiError(
    'forbidden',
    check.reason === 'needs_owner'
      ? `only an Owner defines roles with ${check.missing.join(' or ')}`
      : `you cannot define a role with permissions you do not hold: ${check.missing.join(', ')}`,
  )
}
