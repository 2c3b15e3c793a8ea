/**
 * Opaque identifiers and document names.
 *
 * Every id Folio creates is `<prefix>_<20 lowercase base32 characters>`; anything else is refused
 * at the edge, so an id can never be `__proto__`, contain a path separator or be empty.
 *
 * @example
 *   const id = createId('ast')          // 'ast_0k3v…'
 *   isId('ast', id)                     // true
 *   parseDocumentName(`${id}/comments`) // { kind: 'comments', assetId: id }
 */

export type IdPrefix = 'lib' | 'ast' | 'site' | 'role' | 'voc' | 'cat' | 'pub'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
const ID_BODY_LENGTH = 20
const ID_PATTERN = /^(lib|ast|site|role|voc|cat|pub)_[0-9a-hjkmnp-tv-z]{20}$/

export function createId(prefix: IdPrefix): string {
  const bytes = crypto.getRandomValues(new Uint8Array(ID_BODY_LENGTH))
  let body = ''
  for (const byte of bytes) body += ALPHABET[byte & 31]
  return `${prefix}_${body}`
}

export function isId(prefix: IdPrefix, value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && value.startsWith(`${prefix}_`)
}

/** User ids come from token `sub` claims (`alice`, `auth0|5f7c…`, `a@b.org`) and member routes. */
const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+|:-]{0,127}$/

/** Tags: a letter or digit, then letters, digits, spaces, `-` and `_`; compared in lower case. */
const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _-]{0,63}$/u

export function normalizeTag(value: string): string | null {
  const tag = value.trim().toLowerCase()
  return TAG_PATTERN.test(tag) ? tag : null
}

export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID_PATTERN.test(value)
}

/** A BCP 47-like tag: `fr`, `pt-BR`, `zh-Hant-TW`. */
const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/

export function isLocale(value: unknown): value is string {
  return typeof value === 'string' && LOCALE_PATTERN.test(value)
}

export type DocumentName =
  | { kind: 'asset'; assetId: string }
  | { kind: 'comments'; assetId: string }
  | { kind: 'translation'; assetId: string; locale: string }

/** Parses `<assetId>`, `<assetId>/comments` or `<assetId>/translations/<locale>`; null if malformed. */
export function parseDocumentName(name: string): DocumentName | null {
  const parts = name.split('/')
  const assetId = parts[0]
  if (!isId('ast', assetId)) return null
  if (parts.length === 1) return { kind: 'asset', assetId }
  if (parts.length === 2 && parts[1] === 'comments') return { kind: 'comments', assetId }
  if (parts.length === 3 && parts[1] === 'translations' && isLocale(parts[2])) {
    return { kind: 'translation', assetId, locale: parts[2] }
  }
  return null
}

export function formatDocumentName(doc: DocumentName): string {
  switch (doc.kind) {
    case 'asset':
      return doc.assetId
    case 'comments':
      return `${doc.assetId}/comments`
    case 'translation':
      return `${doc.assetId}/translations/${doc.locale}`
  }
}
