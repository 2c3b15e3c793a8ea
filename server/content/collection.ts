/**
 * A collection asset's Yjs document: `fields` like every asset, a `collection` map with its
 * `kind`, and for a manual collection an `items` Y.Array of asset ids (collaborative: two editors
 * may reorder at once), for a dynamic one a saved `query` (JSON) resolved at read time.
 */
import * as Y from 'yjs'
import { z } from 'zod'
import { isId } from '../../shared/ids.js'
import { encodeNewDocument, writeFields, type FieldValue } from './web-content.js'

export const COLLECTION_KEY = 'collection'
export const ITEMS_KEY = 'items'
export const MAX_COLLECTION_ITEMS = 1000
export const MAX_DYNAMIC_LIMIT = 200

export const CollectionQuery = z
  .object({
    type: z.enum(['web-content', 'document', 'collection']).optional(),
    tags: z.array(z.string().max(64)).max(20).optional().describe('Assets with all of these tags'),
    categories: z.array(z.string().max(40)).max(20).optional().describe('Assets in any of these categories or below'),
    sort: z.enum(['title', 'createdAt', 'updatedAt']).default('createdAt'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.number().int().min(1).max(MAX_DYNAMIC_LIMIT).default(50),
  })
  .strict()

export type CollectionQuery = z.infer<typeof CollectionQuery>

export type CollectionSpec = { kind: 'manual'; items: string[] } | { kind: 'dynamic'; query: CollectionQuery }

export function createCollectionUpdate(input: { title: string; description?: string; fields?: Readonly<Record<string, FieldValue>>; spec: CollectionSpec }): Uint8Array {
  return encodeNewDocument((doc) => {
    writeFields(doc, input)
    const collection = doc.getMap<string>(COLLECTION_KEY)
    collection.set('kind', input.spec.kind)
    if (input.spec.kind === 'manual') doc.getArray<string>(ITEMS_KEY).push(input.spec.items)
    else collection.set('query', JSON.stringify(input.spec.query))
  })
}

/**
 * The collection as its document holds it now. Editors write the document directly, so whatever is
 * in it is checked again: ids that are not asset ids are skipped, and a query that no longer parses
 * reads as an empty manual list rather than failing.
 */
export function readCollection(doc: Y.Doc): CollectionSpec {
  const collection = doc.getMap<unknown>(COLLECTION_KEY)
  if (collection.get('kind') === 'dynamic') {
    const raw = collection.get('query')
    try {
      const parsed = CollectionQuery.safeParse(typeof raw === 'string' ? JSON.parse(raw) : raw)
      if (parsed.success) return { kind: 'dynamic', query: parsed.data }
    } catch {
      // Not JSON: treated like any other query that does not parse, below.
    }
    return { kind: 'manual', items: [] }
  }
  // Editors write the array directly, so its length is only bounded here.
  const items = doc.getArray<unknown>(ITEMS_KEY).toArray().filter((id): id is string => isId('ast', id))
  return { kind: 'manual', items: [...new Set(items)].slice(0, MAX_COLLECTION_ITEMS) }
}

/** Replaces a manual collection's items in one transaction. */
export function setCollectionItems(doc: Y.Doc, items: readonly string[]): void {
  const array = doc.getArray<string>(ITEMS_KEY)
  array.delete(0, array.length)
  array.push([...items])
}
