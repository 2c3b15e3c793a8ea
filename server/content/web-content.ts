/**
 * The shape of a web-content asset's Yjs document, and conversions to and from the JSON that
 * REST speaks. `fields` is a Y.Map of plain values; `body` is a Y.XmlFragment holding a
 * ProseMirror document of `bodySchema`, as y-prosemirror writes it.
 *
 * @example
 *   const update = createWebContentUpdate({ title: 'Hello', body: paragraphs('First line') })
 *   const { fields, body } = readWebContent(docFromUpdate(update))
 */
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import * as Y from 'yjs'
import { bodySchema, type ProseMirrorJSON } from '../../shared/schema.js'

export const FIELDS_KEY = 'fields'
export const BODY_KEY = 'body'

export type FieldValue = string | number | boolean | null

export interface WebContentInput {
  title: string
  description?: string
  fields?: Readonly<Record<string, FieldValue>>
  body?: ProseMirrorJSON
}

export type BodyCheck = { ok: true } | { ok: false; message: string }

/** Whether JSON is a valid document of the body schema (known nodes, marks and attributes). */
export function checkBody(json: unknown): BodyCheck {
  try {
    const node = bodySchema.nodeFromJSON(json)
    if (node.type !== bodySchema.topNodeType) return { ok: false, message: 'body must be a `doc` node' }
    node.check()
    return { ok: true }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * A body cut down to the schema: unknown nodes are dropped (text inside them kept as text where
 * the parent takes text), unknown marks and attributes removed. Editors write the Yjs document
 * directly, so what it holds is cleaned like this before it is frozen or rendered.
 */
export function cleanBody(json: unknown): ProseMirrorJSON {
  const cleaned = cleanNode(json)
  return cleaned && cleaned.type === 'doc' ? cleaned : emptyBody()
}

function cleanNode(value: unknown): ProseMirrorJSON | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  const node = value as Record<string, unknown>
  const type = typeof node.type === 'string' ? bodySchema.nodes[node.type] : undefined
  if (!type) return null
  if (type.name === 'text') {
    if (typeof node.text !== 'string' || node.text === '') return null
    const marks = Array.isArray(node.marks) ? node.marks.map(cleanMark).filter((m) => m !== null) : []
    return { type: 'text', text: node.text, ...(marks.length > 0 ? { marks } : {}) }
  }
  const attrs = pickAttrs(node.attrs, Object.keys(type.spec.attrs ?? {}))
  const content = Array.isArray(node.content) ? node.content.map(cleanNode).filter((c) => c !== null) : []
  return { type: type.name, ...(attrs ? { attrs } : {}), ...(content.length > 0 ? { content } : {}) }
}

function cleanMark(value: unknown): { type: string; attrs?: Record<string, unknown> } | null {
  if (value === null || typeof value !== 'object') return null
  const mark = value as Record<string, unknown>
  const type = typeof mark.type === 'string' ? bodySchema.marks[mark.type] : undefined
  if (!type) return null
  const attrs = pickAttrs(mark.attrs, Object.keys(type.spec.attrs ?? {}))
  return { type: type.name, ...(attrs ? { attrs } : {}) }
}

function pickAttrs(value: unknown, allowed: readonly string[]): Record<string, unknown> | null {
  if (allowed.length === 0 || value === null || typeof value !== 'object') return null
  const given = value as Record<string, unknown>
  const kept = Object.fromEntries(allowed.filter((key) => Object.hasOwn(given, key)).map((key) => [key, given[key]]))
  return Object.keys(kept).length > 0 ? kept : null
}

/** Builds a new document in one transaction and answers it as one Yjs update produced by the server. */
export function encodeNewDocument(build: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  doc.transact(() => build(doc))
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/** Writes an asset's `fields`: the free ones, then title and description. */
export function writeFields(doc: Y.Doc, input: Omit<WebContentInput, 'body'>): void {
  const fields = doc.getMap<FieldValue>(FIELDS_KEY)
  for (const [key, value] of Object.entries(input.fields ?? {})) fields.set(key, value)
  fields.set('title', input.title)
  fields.set('description', input.description ?? '')
}

/** The document of a new web-content asset. */
export function createWebContentUpdate(input: WebContentInput): Uint8Array {
  return encodeNewDocument((doc) => {
    writeFields(doc, input)
    prosemirrorJSONToYXmlFragment(bodySchema, input.body ?? emptyBody(), doc.getXmlFragment(BODY_KEY))
  })
}

/** The document of an asset with fields only (a document asset's metadata). */
export function createFieldsUpdate(input: Omit<WebContentInput, 'body'>): Uint8Array {
  return encodeNewDocument((doc) => writeFields(doc, input))
}

export function readWebContent(doc: Y.Doc): { fields: Record<string, unknown>; body: ProseMirrorJSON } {
  const fields = doc.getMap(FIELDS_KEY).toJSON() as Record<string, unknown>
  const fragment = doc.getXmlFragment(BODY_KEY)
  const body = fragment.length === 0 ? emptyBody() : (yXmlFragmentToProsemirrorJSON(fragment) as ProseMirrorJSON)
  return { fields, body }
}

export function emptyBody(): ProseMirrorJSON {
  return { type: 'doc', content: [{ type: 'paragraph' }] }
}

/** A body of plain paragraphs, one per argument. */
export function paragraphs(...texts: string[]): ProseMirrorJSON {
  return {
    type: 'doc',
    content: texts.map((text) => (text === '' ? { type: 'paragraph' } : { type: 'paragraph', content: [{ type: 'text', text }] })),
  }
}
