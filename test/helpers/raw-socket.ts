/** A bare `ws` client for sending frames the stock provider never would. */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { MESSAGE_AWARENESS, MESSAGE_SYNC, SYNC_STEP_1, SYNC_STEP_2, SYNC_UPDATE } from '../../shared/protocol.js'

export interface RawClient {
  ws: WebSocket
  /** Every binary frame received so far. */
  frames: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
  /** A Y.Doc fed with every sync payload the server sent. */
  doc: Y.Doc
}

export async function openRaw(baseUrl: string, document: string, token: string): Promise<RawClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/collab/${document}?token=${encodeURIComponent(token)}`)
  onTestFinished(() => ws.terminate())
  const frames: Uint8Array[] = []
  const doc = new Y.Doc()
  ws.on('message', (data: Buffer) => {
    const frame = new Uint8Array(data)
    frames.push(frame)
    const decoder = decoding.createDecoder(frame)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
    const step = decoding.readVarUint(decoder)
    if (step === SYNC_STEP_2 || step === SYNC_UPDATE) Y.applyUpdate(doc, decoding.readVarUint8Array(decoder))
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return { ws, frames, closed, doc }
}

export function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

export function syncFrame(step: number, payload: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    encoding.writeVarUint(e, step)
    encoding.writeVarUint8Array(e, payload)
  })
}

export function step1Frame(doc = new Y.Doc()): Uint8Array {
  return syncFrame(SYNC_STEP_1, Y.encodeStateVector(doc))
}

/** An awareness update as y-protocols lays it out, with each state's JSON given verbatim. */
export function awarenessUpdate(entries: { clientId: number; clock: number; json: string }[]): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, entries.length)
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId)
      encoding.writeVarUint(e, entry.clock)
      encoding.writeVarString(e, entry.json)
    }
  })
}

export function awarenessFrame(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const update = awarenessUpdate(entries.map((entry) => ({ ...entry, json: JSON.stringify(entry.state) })))
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(e, update)
  })
}
