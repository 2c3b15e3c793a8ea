/**
 * The y-websocket wire protocol, decoded strictly and encoded once.
 *
 * A frame holds exactly one message: a varuint message type, then for sync a varuint step and a
 * varuint8array payload (a state vector for step 1, a Yjs update for step 2 and update), for
 * awareness one varuint8array (an awareness update), for auth a varuint sub-type and a reason,
 * and for query-awareness nothing. Anything else, a truncated payload or trailing bytes, is a
 * malformed message. Decoding checks framing only; the payloads are checked by whoever applies them.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import {
  AUTH_PERMISSION_DENIED,
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  SYNC_STEP_1,
  SYNC_STEP_2,
  SYNC_UPDATE,
} from '../../shared/protocol.js'

export type ClientMessage =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'sync-step-2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth' }

export type DecodeResult = { ok: true; message: ClientMessage } | { ok: false; reason: string }

export function decodeMessage(frame: Uint8Array): DecodeResult {
  try {
    const decoder = decoding.createDecoder(frame)
    const message = readMessage(decoder)
    if (typeof message === 'string') return { ok: false, reason: message }
    if (decoding.hasContent(decoder)) return { ok: false, reason: 'trailing bytes after the message' }
    return { ok: true, message }
  } catch {
    // lib0 throws plain Errors ("Unexpected end of array", "Integer out of Range") on truncation.
    return { ok: false, reason: 'truncated message' }
  }
}

function readMessage(decoder: decoding.Decoder): ClientMessage | string {
  const type = decoding.readVarUint(decoder)
  switch (type) {
    case MESSAGE_SYNC: {
      const step = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (step === SYNC_STEP_1) return { type: 'sync-step-1', stateVector: payload }
      if (step === SYNC_STEP_2) return { type: 'sync-step-2', update: payload }
      if (step === SYNC_UPDATE) return { type: 'sync-update', update: payload }
      return `unknown sync step ${step}`
    }
    case MESSAGE_AWARENESS:
      return { type: 'awareness', update: decoding.readVarUint8Array(decoder) }
    case MESSAGE_QUERY_AWARENESS:
      return { type: 'query-awareness' }
    case MESSAGE_AUTH:
      decoding.readVarUint(decoder)
      decoding.readVarString(decoder)
      return { type: 'auth' }
    default:
      return `unknown message type ${type}`
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function encodeSync(step: number, payload: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    encoding.writeVarUint(e, step)
    encoding.writeVarUint8Array(e, payload)
  })
}

export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
  return encodeSync(SYNC_STEP_1, stateVector)
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  return encodeSync(SYNC_STEP_2, update)
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  return encodeSync(SYNC_UPDATE, update)
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(e, update)
  })
}

export function encodePermissionDenied(reason: string): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AUTH)
    encoding.writeVarUint(e, AUTH_PERMISSION_DENIED)
    encoding.writeVarString(e, reason)
  })
}

/** An update with no structs and an empty delete set: what a client with nothing new sends. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0
}
