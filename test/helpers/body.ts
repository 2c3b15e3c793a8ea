/** Editing an asset's `body` (a ProseMirror document in a Y.XmlFragment) the way an editor would. */
import * as Y from 'yjs'

/** The XmlText of the n-th paragraph, created if the body is still empty. */
export function paragraphText(doc: Y.Doc, index = 0): Y.XmlText {
  const body = doc.getXmlFragment('body')
  while (body.length <= index) {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText()])
    body.insert(body.length, [paragraph])
  }
  const paragraph = body.get(index) as Y.XmlElement
  if (paragraph.length === 0) paragraph.insert(0, [new Y.XmlText()])
  return paragraph.get(0) as Y.XmlText
}

/** All text of the body, paragraphs joined by newlines. */
export function bodyText(doc: Y.Doc): string {
  return doc
    .getXmlFragment('body')
    .toArray()
    .map((node) => (node instanceof Y.XmlElement ? node.toArray().map((t) => (t instanceof Y.XmlText ? t.toString() : '')).join('') : ''))
    .join('\n')
}
