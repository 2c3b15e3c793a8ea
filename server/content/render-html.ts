/**
 * Safe HTML for sites, produced from the schema, never passed through: the body is parsed into a
 * ProseMirror node of `bodySchema` (unknown nodes, marks and attributes are refused there), then
 * written out node by node from a fixed table of tags. Text and attribute values are escaped; links
 * and images keep only allow-listed URL schemes, and links open with `rel="noopener noreferrer"`.
 *
 * @example
 *   renderHtml({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: '<b>' }] }] })
 *   // '<p>&lt;b&gt;</p>'
 */
import type { Mark, Node as PMNode } from 'prosemirror-model'
import { bodySchema, type ProseMirrorJSON } from '../../shared/schema.js'

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:'])
const IMAGE_SCHEMES = new Set(['http:', 'https:'])

/** An image of the library's own documents: `asset:<assetId>` in the body. */
const ASSET_REFERENCE = /^asset:(ast_[0-9a-hjkmnp-tv-z]{20})$/
/**
 * How the HTML points at such a file until delivery knows the site: `src="folio-file:<id>"`.
 * Delivery rewrites it to the site's file URL. Text cannot forge it: quotes in text are escaped.
 */
export const FILE_SRC_MARKER = 'folio-file:'

/** The document assets an image in a body points at. */
export function referencedAssets(body: ProseMirrorJSON | null): string[] {
  const found = new Set<string>()
  const walk = (node: ProseMirrorJSON) => {
    const match = node.type === 'image' && typeof node.attrs?.src === 'string' ? ASSET_REFERENCE.exec(node.attrs.src) : null
    if (match?.[1]) found.add(match[1])
    for (const child of node.content ?? []) walk(child)
  }
  if (body) walk(body)
  return [...found]
}

/** Points the file markers of published HTML at where this reader fetches files. */
export function resolveFileMarkers(html: string, filesBaseUrl: string): string {
  return html.replaceAll(`src="${FILE_SRC_MARKER}`, `src="${filesBaseUrl}/`)
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/**
 * A URL if its scheme is allowed (or it is relative to the site: `/path`, `#anchor`), else null.
 * Browsers ignore whitespace and control characters inside schemes (`java\tscript:`), so the
 * check runs on the URL as a browser would parse it.
 */
export function safeUrl(raw: unknown, schemes: ReadonlySet<string>): string | null {
  if (typeof raw !== 'string') return null
  const value = raw.trim()
  if (value === '') return null
  if (/^(\/(?!\/)|#)/.test(value)) return value
  try {
    const url = new URL(value)
    return schemes.has(url.protocol) ? url.href : null
  } catch {
    // Not an absolute URL and not site-relative: refused rather than guessed at.
    return null
  }
}

function renderMarks(text: string, marks: readonly Mark[]): string {
  let html = escapeHtml(text)
  for (const mark of [...marks].reverse()) {
    switch (mark.type.name) {
      case 'strong':
        html = `<strong>${html}</strong>`
        break
      case 'em':
        html = `<em>${html}</em>`
        break
      case 'code':
        html = `<code>${html}</code>`
        break
      case 'link': {
        const href = safeUrl(mark.attrs.href, LINK_SCHEMES)
        if (href === null) break
        const title = typeof mark.attrs.title === 'string' && mark.attrs.title !== '' ? ` title="${escapeHtml(mark.attrs.title)}"` : ''
        html = `<a href="${escapeHtml(href)}"${title} rel="noopener noreferrer">${html}</a>`
        break
      }
      default:
        // A mark the renderer does not know is dropped, keeping its text.
        break
    }
  }
  return html
}

function renderChildren(node: PMNode): string {
  let html = ''
  node.forEach((child) => (html += renderNode(child)))
  return html
}

function renderNode(node: PMNode): string {
  switch (node.type.name) {
    case 'doc':
      return renderChildren(node)
    case 'text':
      return renderMarks(node.text ?? '', node.marks)
    case 'paragraph':
      return `<p>${renderChildren(node)}</p>`
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(node.attrs.level) || 1))
      return `<h${level}>${renderChildren(node)}</h${level}>`
    }
    case 'blockquote':
      return `<blockquote>${renderChildren(node)}</blockquote>`
    case 'horizontal_rule':
      return '<hr>'
    case 'code_block':
      return `<pre><code>${escapeHtml(node.textContent)}</code></pre>`
    case 'hard_break':
      return '<br>'
    case 'image': {
      const reference = typeof node.attrs.src === 'string' ? ASSET_REFERENCE.exec(node.attrs.src) : null
      const src = reference ? `${FILE_SRC_MARKER}${reference[1]}` : safeUrl(node.attrs.src, IMAGE_SCHEMES)
      if (src === null) return ''
      const alt = typeof node.attrs.alt === 'string' ? node.attrs.alt : ''
      const title = typeof node.attrs.title === 'string' && node.attrs.title !== '' ? ` title="${escapeHtml(node.attrs.title)}"` : ''
      return `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}"${title}>`
    }
    case 'bullet_list':
      return `<ul>${renderChildren(node)}</ul>`
    case 'ordered_list': {
      const start = Number(node.attrs.order)
      return `<ol${Number.isInteger(start) && start !== 1 ? ` start="${start}"` : ''}>${renderChildren(node)}</ol>`
    }
    case 'list_item':
      return `<li>${renderChildren(node)}</li>`
    default:
      // The schema has no other nodes; should it grow, a node is rendered as its text until the
      // renderer learns it.
      return escapeHtml(node.textContent)
  }
}

/** HTML of a body; throws if the JSON is not a valid document of the schema. */
export function renderHtml(body: ProseMirrorJSON): string {
  const node = bodySchema.nodeFromJSON(body)
  node.check()
  return renderNode(node)
}

/** The plain text of a body: blocks on lines of their own (for diffs). */
export function bodyPlainText(body: ProseMirrorJSON): string {
  const node = bodySchema.nodeFromJSON(body)
  const lines: string[] = []
  node.descendants((child) => {
    if (child.isTextblock) {
      lines.push(child.textContent)
      return false
    }
    return true
  })
  return lines.join('\n')
}
