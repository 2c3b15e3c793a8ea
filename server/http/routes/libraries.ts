/** Libraries and their members. */
import { Hono } from 'hono'
import { z } from 'zod'
import { createId, isUserId, type DocumentName } from '../../../shared/ids.js'
import {
  checkMembershipChange,
  documentAccess,
  grantFromRole,
  isBuiltinRole,
  permissionsOf,
} from '../../domain/permissions.js'
import type { Library, Member } from '../../store/library-store.js'
import { requireLibrary } from '../access.js'
import type { AppDeps, AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { validate } from '../validation.js'

const createLibraryBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
})

const putMemberBody = z.object({ role: z.string().min(1).max(100) })

const MEMBERSHIP_REFUSALS = {
  needs_manage_members: ['forbidden', 'MANAGE_MEMBERS is needed to change members'],
  needs_owner: ['forbidden', 'only an Owner grants or revokes the Owner and Admin roles'],
  last_owner: ['last_owner', 'a library always keeps at least one Owner'],
} as const

export function libraryRoutes(deps: AppDeps) {
  const { libraries, hub } = deps
  const app = new Hono<AppEnv>()

  app.post('/', validate('json', createLibraryBody), async (c) => {
    const user = c.get('user')
    if (!user.admin) throw new ApiError('forbidden', 'only instance admins create libraries')
    const body = c.req.valid('json')
    const library = await libraries.createLibrary({
      id: createId('lib'),
      name: body.name,
      description: body.description ?? '',
      ownerId: user.id,
    })
    deps.logger.info({ user: user.id, library: library.id }, 'library created')
    return c.json(libraryJson(library, 'owner'), 201)
  })

  app.get('/', async (c) => {
    const user = c.get('user')
    const items = await libraries.listLibrariesOf(user.id)
    const roles = await Promise.all(items.map((l) => libraries.getMember(l.id, user.id)))
    const visible = items
      .map((library, i) => ({ library, role: roles[i]?.role ?? null }))
      .filter(({ role }) => permissionsOf(grantFromRole(role)).has('VIEW'))
    return c.json({ items: visible.map(({ library, role }) => libraryJson(library, role)) })
  })

  app.get('/:lib', async (c) => {
    const { library } = await requireLibrary(c, libraries, c.req.param('lib'), 'VIEW')
    const member = await libraries.getMember(library.id, c.get('user').id)
    return c.json(libraryJson(library, member?.role ?? null))
  })

  app.get('/:lib/members', async (c) => {
    const { library } = await requireLibrary(c, libraries, c.req.param('lib'), 'VIEW')
    return c.json({ items: (await libraries.listMembers(library.id)).map(memberJson) })
  })

  app.get('/:lib/members/:userId', async (c) => {
    const { library } = await requireLibrary(c, libraries, c.req.param('lib'), 'VIEW')
    const userId = checkedUserId(c.req.param('userId'))
    const member = await libraries.getMember(library.id, userId)
    if (!member) throw new ApiError('not_found', `${userId} is not a member of ${library.id}`)
    return c.json(memberJson(member))
  })

  app.put('/:lib/members/:userId', validate('json', putMemberBody), async (c) => {
    const { library, grant } = await requireLibrary(c, libraries, c.req.param('lib'), 'MANAGE_MEMBERS')
    const userId = checkedUserId(c.req.param('userId'))
    const { role } = c.req.valid('json')
    if (!isBuiltinRole(role)) {
      throw new ApiError('unprocessable', `unknown role "${role}": use owner, admin, member or reviewer`)
    }
    const current = await libraries.getMember(library.id, userId)
    const check = checkMembershipChange({
      actorRole: grant,
      fromRole: current?.role ?? null,
      toRole: role,
      ownersLeft: await libraries.countOwners(library.id),
    })
    if (!check.ok) {
      const [code, message] = MEMBERSHIP_REFUSALS[check.reason]
      throw new ApiError(code, message)
    }
    const member = await libraries.putMember(library.id, userId, role)
    refreshConnections(library.id, userId, role)
    deps.logger.info({ user: c.get('user').id, library: library.id, member: userId, role }, 'member set')
    return c.json(memberJson(member), current ? 200 : 201)
  })

  app.delete('/:lib/members/:userId', async (c) => {
    const { library, grant } = await requireLibrary(c, libraries, c.req.param('lib'), 'MANAGE_MEMBERS')
    const userId = checkedUserId(c.req.param('userId'))
    const current = await libraries.getMember(library.id, userId)
    if (!current) throw new ApiError('not_found', `${userId} is not a member of ${library.id}`)
    const check = checkMembershipChange({
      actorRole: grant,
      fromRole: current.role,
      toRole: null,
      ownersLeft: await libraries.countOwners(library.id),
    })
    if (!check.ok) {
      const [code, message] = MEMBERSHIP_REFUSALS[check.reason]
      throw new ApiError(code, message)
    }
    await libraries.deleteMember(library.id, userId)
    refreshConnections(library.id, userId, null)
    deps.logger.info({ user: c.get('user').id, library: library.id, member: userId }, 'member removed')
    return c.body(null, 204)
  })

  /** A role change reaches the member's open connections at once. */
  function refreshConnections(libraryId: string, userId: string, role: string | null) {
    const permissions = permissionsOf(grantFromRole(role))
    hub.refreshAccess(libraryId, userId, (document: DocumentName) => documentAccess(permissions, document.kind))
  }

  return app
}

function checkedUserId(value: string): string {
  if (!isUserId(value)) throw new ApiError('invalid_request', `"${value}" is not a valid user id`)
  return value
}

function libraryJson(library: Library, role: string | null) {
  return { ...library, role }
}

function memberJson(member: Member) {
  return member
}
