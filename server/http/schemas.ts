/** The JSON shapes of the REST API, shared by routes and the OpenAPI document. */
import { isId, isUserId, type IdPrefix } from '../../shared/ids.js'
import { z } from './openapi.js'

function idParam(prefix: IdPrefix, name: string, what: string) {
  return z
    .string()
    .refine((value) => isId(prefix, value), { message: `not a ${what} id` })
    .openapi({ param: { name, in: 'path' }, example: `${prefix}_0123456789abcdefghjk` })
}

export const LibraryParams = z.object({ lib: idParam('lib', 'lib', 'library') })
export const MemberParams = LibraryParams.extend({
  userId: z
    .string()
    .refine(isUserId, { message: 'not a user id' })
    .openapi({ param: { name: 'userId', in: 'path' }, example: 'alice' }),
})
export const RoleParams = LibraryParams.extend({ role: idParam('role', 'role', 'role') })
export const SiteParams = z.object({ site: idParam('site', 'site', 'site') })
export const LibrarySiteParams = LibraryParams.extend({ site: idParam('site', 'site', 'site') })
export const AssetParams = LibraryParams.extend({ asset: idParam('ast', 'asset', 'asset') })

const Timestamp = z.string().openapi({ example: '2026-11-22T08:16:00.000Z' })

export const Library = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    stagingEnabled: z.boolean(),
    workflowEnabled: z.boolean(),
    createdBy: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    role: z.string().nullable().openapi({ description: "The caller's role in the library" }),
    permissions: z.array(z.string()).openapi({ description: "What the caller may do in the library" }),
  })
  .openapi('Library')

export const Member = z
  .object({ libraryId: z.string(), userId: z.string(), role: z.string(), createdAt: Timestamp, updatedAt: Timestamp })
  .openapi('Member')

export const CustomRole = z
  .object({
    id: z.string(),
    libraryId: z.string(),
    name: z.string(),
    permissions: z.array(z.string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('CustomRole')

export const Site = z
  .object({ id: z.string(), name: z.string(), stagingEnabled: z.boolean(), createdAt: Timestamp })
  .openapi('Site')

export const AssetSummary = z
  .object({
    id: z.string(),
    libraryId: z.string(),
    type: z.string(),
    title: z.string(),
    status: z.string(),
    createdBy: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    tags: z.array(z.string()),
    categories: z.array(z.string()),
  })
  .openapi('AssetSummary')

export const FieldValue = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()])
export const FieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'field names are letters, digits, _ and -')

export const Asset = AssetSummary.extend({
  fields: z.record(z.string(), z.unknown()),
  body: z.any().openapi({ description: 'web-content: ProseMirror JSON of the body (schema in shared/schema.ts); otherwise null' }),
  collection: z.any().optional().openapi({ description: 'collection: {kind: "manual", items} or {kind: "dynamic", query}' }),
  file: z
    .object({ version: z.number(), size: z.number(), contentType: z.string(), filename: z.string() })
    .optional()
    .openapi({ description: 'document: the newest file version, once one was uploaded' }),
  liveVersion: z.number().nullable(),
}).openapi('Asset')

export const MAX_PAGE = 100
export const DEFAULT_PAGE = 50

/** `?cursor=&limit=` of every list. */
export const PageQuery = z.object({
  cursor: z.string().max(400).optional().openapi({ description: 'The `nextCursor` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
})

export function pageOf<T extends z.ZodType>(schema: T) {
  return z.object({ items: z.array(schema), nextCursor: z.string().nullable() })
}
