import { describe, expect, it } from 'vitest'
import { createId, formatDocumentName, isId, isLocale, isUserId, parseDocumentName } from '../../shared/ids.js'

describe('ids', () => {
  it('creates distinct ids of the strict format', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => createId('ast')))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(isId('ast', id)).toBe(true)
    expect(isId('lib', createId('ast'))).toBe(false)
  })

  it.each(['', '__proto__', 'constructor', 'ast_', 'ast_../../etc/passwd', 'AST_0123456789abcdefghjk', 'ast_0123456789abcdefghjkm', 'ast_0123456789abcdefghji'])(
    'refuses %j as an asset id',
    (value) => expect(isId('ast', value)).toBe(false),
  )

  it('parses the three kinds of document name and nothing else', () => {
    const id = createId('ast')
    expect(parseDocumentName(id)).toEqual({ kind: 'asset', assetId: id })
    expect(parseDocumentName(`${id}/comments`)).toEqual({ kind: 'comments', assetId: id })
    expect(parseDocumentName(`${id}/translations/pt-BR`)).toEqual({ kind: 'translation', assetId: id, locale: 'pt-BR' })
    for (const bad of [`${id}/`, `${id}/comments/x`, `${id}/translations/`, `${id}/translations/../x`, `x/${id}`, '__proto__', `${id}?x`]) {
      expect(parseDocumentName(bad), bad).toBeNull()
    }
    for (const doc of [id, `${id}/comments`, `${id}/translations/fr`]) expect(formatDocumentName(parseDocumentName(doc)!)).toBe(doc)
  })

  it('validates user ids and locales', () => {
    expect(isUserId('alice@example.com')).toBe(true)
    expect(isUserId('auth0|123')).toBe(true)
    expect(isUserId('a b')).toBe(false)
    expect(isUserId('../x')).toBe(false)
    expect(isUserId('')).toBe(false)
    expect(isUserId('a'.repeat(129))).toBe(false)
    expect(isLocale('zh-Hant-TW')).toBe(true)
    expect(isLocale('EN')).toBe(false)
  })
})
