/**
 * The rich-text schema of an asset's `body`, shared by the server (validation, JSON, HTML) and the
 * browser editor. It is ProseMirror's basic schema plus lists; node and mark names are what
 * y-prosemirror stores in the Yjs XML fragment, so renaming one is a data migration.
 */
import { Schema } from 'prosemirror-model'
import { schema as basicSchema } from 'prosemirror-schema-basic'
import { addListNodes } from 'prosemirror-schema-list'

export const bodySchema = new Schema({
  nodes: addListNodes(basicSchema.spec.nodes, 'paragraph block*', 'block'),
  marks: basicSchema.spec.marks,
})

/** The ProseMirror JSON of a document node. */
export interface ProseMirrorJSON {
  type: string
  attrs?: Record<string, unknown>
  content?: ProseMirrorJSON[]
  marks?: { type: string; attrs?: Record<string, unknown> }[]
  text?: string
}
