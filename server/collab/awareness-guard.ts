/**
 * Binds awareness to the authenticated user.
 *
 * An awareness update is a varuint count, then per entry a varuint client id, a varuint clock and
 * a JSON string (the state, or `null` for a removal). The stock y-websocket client re-sends every
 * state it hears, its peers' included, so entries for other clients are normal traffic: they are
 * dropped, not treated as an attack. A connection speaks only for the one client id it claims
 * first, with a state (not a removal) for an id no other live connection owns, and the `user` field of its
 * state always carries the token's id and name, whatever the client wrote there.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

export interface AwarenessIdentity {
  readonly id: string
  readonly name: string
}

/** Whether a client id belongs to the connection asking, to another live connection, or to no one. */
export type ClientIdOwner = 'self' | 'other' | 'none'

export type GuardResult =
  | {
      ok: true
      /** The id this connection now speaks for (null if it still has none). */
      clientId: number | null
      /** The filtered update to apply and relay; null when nothing was left. */
      update: Uint8Array | null
      /** Entries dropped because they spoke for another client. */
      dropped: number
    }
  | { ok: false; reason: string }

/** How much JSON one awareness state may hold; cursors and a user record fit many times over. */
export const MAX_AWARENESS_STATE_CHARS = 64 * 1024
/** A stock client re-sends at most the states of everyone in the document. */
export const MAX_AWARENESS_ENTRIES = 10_000

interface Entry {
  clientId: number
  clock: number
  json: string
}

export function guardAwarenessUpdate(
  update: Uint8Array,
  boundClientId: number | null,
  ownerOf: (clientId: number) => ClientIdOwner,
  identity: AwarenessIdentity,
): GuardResult {
  let entries: Entry[]
  try {
    entries = readEntries(update)
  } catch {
    // Truncated varints or invalid UTF-8: malformed input.
    return { ok: false, reason: 'malformed awareness update' }
  }

  let clientId = boundClientId
  const kept: Entry[] = []
  let rewritten = false
  for (const entry of entries) {
    // A connection claims an id with a state of its own, never with a removal: the stock client
    // echoes peers' removals, and must not be bound to a client that just left.
    const mine =
      clientId === null ? entry.json !== 'null' && ownerOf(entry.clientId) !== 'other' : entry.clientId === clientId
    if (!mine) continue
    clientId = entry.clientId
    const result = bindUser(entry.json, identity)
    if (result === null) return { ok: false, reason: 'an awareness state must be a JSON object or null' }
    if (result !== entry.json) rewritten = true
    kept.push({ ...entry, json: result })
  }
  const dropped = entries.length - kept.length
  if (kept.length === 0) return { ok: true, clientId, update: null, dropped }
  if (dropped === 0 && !rewritten) return { ok: true, clientId, update, dropped }
  return { ok: true, clientId, update: writeEntries(kept), dropped }
}

function readEntries(update: Uint8Array): Entry[] {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  if (count > MAX_AWARENESS_ENTRIES) throw new RangeError('too many awareness entries')
  const entries: Entry[] = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const json = decoding.readVarString(decoder)
    if (json.length > MAX_AWARENESS_STATE_CHARS) throw new RangeError('awareness state is too large')
    entries.push({ clientId, clock, json })
  }
  if (decoding.hasContent(decoder)) throw new RangeError('trailing bytes after the awareness update')
  return entries
}

function writeEntries(entries: readonly Entry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, entry.json)
  }
  return encoding.toUint8Array(encoder)
}

/** The state JSON with `user.id` and `user.name` set from the token; null if it is not an object. */
function bindUser(json: string, identity: AwarenessIdentity): string | null {
  let state: unknown
  try {
    state = JSON.parse(json)
  } catch {
    // Not JSON at all: refused like any other malformed state.
    return null
  }
  if (state === null) return json
  if (typeof state !== 'object' || Array.isArray(state)) return null
  const record = state as Record<string, unknown>
  const user = record.user
  const userRecord = user !== null && typeof user === 'object' && !Array.isArray(user) ? (user as Record<string, unknown>) : {}
  if (userRecord.id === identity.id && userRecord.name === identity.name) return json
  return JSON.stringify({ ...record, user: { ...userRecord, id: identity.id, name: identity.name } })
}
