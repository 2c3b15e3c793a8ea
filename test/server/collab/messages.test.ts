import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { guardAwarenessUpdate, type ClientIdOwner } from '../../../server/collab/awareness-guard.js'
import {
  decodeMessage,
  encodeAwareness,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  isEmptyUpdate,
} from '../../../server/collab/messages.js'
import { awarenessUpdate } from '../../helpers/raw-socket.js'

describe('message framing', () => {
  it('round-trips every sync step and awareness', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'hi')
    const update = Y.encodeStateAsUpdate(doc)
    const sv = Y.encodeStateVector(doc)
    expect(decodeMessage(encodeSyncStep1(sv))).toEqual({ ok: true, message: { type: 'sync-step-1', stateVector: sv } })
    expect(decodeMessage(encodeSyncStep2(update))).toEqual({ ok: true, message: { type: 'sync-step-2', update } })
    expect(decodeMessage(encodeSyncUpdate(update))).toEqual({ ok: true, message: { type: 'sync-update', update } })
    expect(decodeMessage(encodeAwareness(new Uint8Array([0])))).toEqual({ ok: true, message: { type: 'awareness', update: new Uint8Array([0]) } })
    expect(decodeMessage(new Uint8Array([3]))).toEqual({ ok: true, message: { type: 'query-awareness' } })
    expect(decodeMessage(encodePermissionDenied('no'))).toEqual({ ok: true, message: { type: 'auth' } })
  })

  it.each([
    ['empty', []],
    ['unknown type', [9]],
    ['unknown sync step', [0, 5, 0]],
    ['truncated payload', [0, 2, 10, 1, 2]],
    ['trailing bytes', [3, 0]],
    ['varint overflow', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('refuses a frame that is %s', (_what, bytes) => {
    expect(decodeMessage(new Uint8Array(bytes)).ok).toBe(false)
  })

  it('recognises the empty update', () => {
    expect(isEmptyUpdate(Y.encodeStateAsUpdate(new Y.Doc()))).toBe(true)
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'x')
    expect(isEmptyUpdate(Y.encodeStateAsUpdate(doc))).toBe(false)
  })
})

describe('awareness guard', () => {
  const identity = { id: 'alice', name: 'Alice' }
  const owners = (map: Record<number, ClientIdOwner>) => (id: number) => map[id] ?? 'none'

  it('binds the first unowned client id and writes the token’s user into the state', () => {
    const update = awarenessUpdate([{ clientId: 7, clock: 1, json: JSON.stringify({ user: { name: 'Eve', color: '#f00' } }) }])
    const result = guardAwarenessUpdate(update, null, owners({}), identity)
    expect(result).toMatchObject({ ok: true, clientId: 7, dropped: 0 })
    if (!result.ok || !result.update) throw new Error('expected an update')
    const reread = guardAwarenessUpdate(result.update, 7, owners({ 7: 'self' }), identity)
    expect(reread).toMatchObject({ ok: true, update: result.update })
    expect(new TextDecoder().decode(result.update)).toContain('"user":{"name":"Alice","color":"#f00","id":"alice"}')
  })

  it('passes an already correct state through as the same bytes', () => {
    const update = awarenessUpdate([{ clientId: 7, clock: 3, json: JSON.stringify({ user: { id: 'alice', name: 'Alice' } }) }])
    expect(guardAwarenessUpdate(update, 7, owners({ 7: 'self' }), identity)).toEqual({ ok: true, clientId: 7, update, dropped: 0 })
  })

  it('drops entries for other clients, as the stock client re-sends its peers’ states', () => {
    const update = awarenessUpdate([
      { clientId: 8, clock: 1, json: '{"user":{"name":"Bob"}}' },
      { clientId: 7, clock: 2, json: 'null' },
      { clientId: 9, clock: 4, json: '{}' },
    ])
    const result = guardAwarenessUpdate(update, 7, owners({ 7: 'self', 8: 'other' }), identity)
    expect(result).toMatchObject({ ok: true, clientId: 7, dropped: 2 })
    if (!result.ok || !result.update) throw new Error('expected an update')
    expect(guardAwarenessUpdate(result.update, 7, owners({ 7: 'self' }), identity)).toMatchObject({ dropped: 0 })
    // Unbound, it claims the first unowned id that comes with a state, never with a removal.
    expect(guardAwarenessUpdate(update, null, owners({ 8: 'other' }), identity)).toMatchObject({ ok: true, clientId: 9, dropped: 2 })
    const removalOnly = awarenessUpdate([{ clientId: 7, clock: 2, json: 'null' }])
    expect(guardAwarenessUpdate(removalOnly, null, owners({}), identity)).toEqual({ ok: true, clientId: null, update: null, dropped: 1 })
    const onlyOthers = awarenessUpdate([{ clientId: 8, clock: 1, json: '{}' }])
    expect(guardAwarenessUpdate(onlyOthers, 7, owners({ 8: 'other' }), identity)).toEqual({ ok: true, clientId: 7, update: null, dropped: 1 })
  })

  it.each([
    ['truncated', new Uint8Array([1, 7, 1, 10, 123])],
    ['trailing bytes', new Uint8Array([...awarenessUpdate([{ clientId: 7, clock: 1, json: '{}' }]), 0])],
    ['not JSON', awarenessUpdate([{ clientId: 7, clock: 1, json: '{nope' }])],
    ['an array state', awarenessUpdate([{ clientId: 7, clock: 1, json: '[]' }])],
    ['a string state', awarenessUpdate([{ clientId: 7, clock: 1, json: '"hi"' }])],
    ['a huge state', awarenessUpdate([{ clientId: 7, clock: 1, json: JSON.stringify({ x: 'y'.repeat(70_000) }) }])],
  ])('refuses %s', (_what, update) => {
    expect(guardAwarenessUpdate(update, 7, owners({ 7: 'self' }), identity).ok).toBe(false)
  })
})
