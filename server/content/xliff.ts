/**
 * XLIFF 1.2 export and import of a translation. Each translatable string is one trans-unit:
 * `field:<name>` for the string fields of an asset, `block:<n>` for the n-th text block (paragraph,
 * heading, code block) of its body, in document order. Import replaces the text of the units it
 * names, in one Yjs transaction, so translators who have the document open see it arrive; the
 * inline formatting of a block does not survive a round trip through XLIFF (text only).
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import * as Y from 'yjs'
import { bodySchema } from '../../shared/schema.js'
import { BODY_KEY, FIELDS_KEY } from './web-content.js'

export const XLIFF_NAMESPACE = 'urn:oasis:names:tc:xliff:document:1.2'
export const XLIFF_CONTENT_TYPE = 'application/x-xliff+xml; charset=utf-8'
const MAX_UNITS = 10_000

export interface Unit {
  id: string
  source: string
  target: string
}

/** The text blocks of a document's body, in document order. */
export function textBlocks(doc: Y.Doc): Y.XmlElement[] {
  const blocks: Y.XmlElement[] = []
  const walk = (parent: Y.XmlFragment | Y.XmlElement) => {
    for (const child of parent.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue
      if (bodySchema.nodes[child.nodeName]?.isTextblock) blocks.push(child)
      else walk(child)
    }
  }
  walk(doc.getXmlFragment(BODY_KEY))
  return blocks
}

function blockText(block: Y.XmlElement): string {
  let text = ''
  for (const child of block.toArray()) {
    if (!(child instanceof Y.XmlText)) continue
    for (const op of child.toDelta() as { insert?: unknown }[]) if (typeof op.insert === 'string') text += op.insert
  }
  return text
}

/** The translatable strings of a document: string fields, then text blocks. */
export function translatableStrings(doc: Y.Doc): Map<string, string> {
  const strings = new Map<string, string>()
  for (const [key, value] of doc.getMap(FIELDS_KEY).entries()) if (typeof value === 'string') strings.set(`field:${key}`, value)
  textBlocks(doc).forEach((block, i) => strings.set(`block:${i}`, blockText(block)))
  return strings
}

export function exportXliff(input: { original: string; sourceLocale: string; targetLocale: string; source: Y.Doc; target: Y.Doc }): string {
  const source = translatableStrings(input.source)
  const target = translatableStrings(input.target)
  const units = [...source].map(([id, text]) => ({ '@_id': id, source: text, target: target.get(id) ?? '' }))
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: false })
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    xliff: {
      '@_version': '1.2',
      '@_xmlns': XLIFF_NAMESPACE,
      file: {
        '@_original': input.original,
        '@_source-language': input.sourceLocale,
        '@_target-language': input.targetLocale,
        '@_datatype': 'plaintext',
        body: { 'trans-unit': units },
      },
    },
  }) as string
}

export type ParsedXliff =
  | { ok: true; original: string; targetLocale: string; units: { id: string; target: string }[] }
  | { ok: false; message: string }

export function parseXliff(xml: string): ParsedXliff {
  let parsed: unknown
  try {
    const parser = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      processEntities: true,
      isArray: (name) => name === 'trans-unit' || name === 'file',
    })
    parsed = parser.parse(xml, true)
  } catch (error) {
    return { ok: false, message: `not well-formed XML: ${error instanceof Error ? error.message : String(error)}` }
  }
  const root = (parsed as { xliff?: Record<string, unknown> }).xliff
  if (!root || root['@_version'] !== '1.2') return { ok: false, message: 'not an XLIFF 1.2 document' }
  const files = root.file as Record<string, unknown>[] | undefined
  if (!files || files.length !== 1) return { ok: false, message: 'an XLIFF document here holds exactly one <file>' }
  const file = files[0]!
  const original = file['@_original']
  const targetLocale = file['@_target-language']
  if (typeof original !== 'string' || typeof targetLocale !== 'string') {
    return { ok: false, message: '<file> needs original and target-language attributes' }
  }
  const units = ((file.body as Record<string, unknown> | undefined)?.['trans-unit'] as Record<string, unknown>[] | undefined) ?? []
  if (units.length > MAX_UNITS) return { ok: false, message: `at most ${MAX_UNITS} trans-units` }
  const result: { id: string; target: string }[] = []
  for (const unit of units) {
    const id = unit['@_id']
    if (typeof id !== 'string') return { ok: false, message: 'every trans-unit needs an id' }
    const target = unit.target
    // An empty <target/> parses as ''; a missing one means "not translated": left alone.
    if (target === undefined) continue
    if (typeof target !== 'string') return { ok: false, message: `trans-unit ${id}: <target> must be plain text` }
    result.push({ id, target })
  }
  return { ok: true, original, targetLocale, units: result }
}

/** Ids that a document has no unit for. */
export function unknownUnits(doc: Y.Doc, units: readonly { id: string }[]): string[] {
  const known = translatableStrings(doc)
  return units.filter((u) => !known.has(u.id) && !/^field:[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(u.id)).map((u) => u.id)
}

/** Writes the units' targets into a translation document; call inside one transaction. */
export function applyUnits(doc: Y.Doc, units: readonly { id: string; target: string }[]): void {
  const fields = doc.getMap(FIELDS_KEY)
  const blocks = textBlocks(doc)
  for (const { id, target } of units) {
    if (id.startsWith('field:')) {
      fields.set(id.slice('field:'.length), target)
      continue
    }
    const block = blocks[Number(id.slice('block:'.length))]
    if (!block) continue
    block.delete(0, block.length)
    block.insert(0, [new Y.XmlText(target)])
  }
}
