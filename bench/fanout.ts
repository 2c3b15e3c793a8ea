/**
 * Fan-out latency: one writer inserts 20 characters, 19 other clients of the same document
 * receive it. Prints p50/p99/max of the per-recipient delivery time over many rounds.
 *
 *   npm run bench                 # 20 clients, 300 rounds, server in a child process
 *   npm run bench -- --clients 50 --rounds 1000
 *
 * The server runs as its own process (the embedded default on a temporary data dir), so the
 * numbers include the real socket path and are comparable with other servers measured the same way.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { mintToken } from '../server/auth/tokens.js'

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '300' },
  },
})
const CLIENTS = Number(values.clients)
const ROUNDS = Number(values.rounds)
const SECRET = 'bench-secret-bench-secret-bench-secret'

const dataDir = mkdtempSync(join(tmpdir(), 'folio-bench-'))
const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', AUTH_SECRET: SECRET, SEED_DEMO: 'false', LOG_LEVEL: 'info', MAX_CONNECTIONS_PER_USER: '10000' },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const cleanup = () => {
  child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
}
process.on('exit', cleanup)
const BENCH_TIMEOUT_MS = 120_000
setTimeout(() => {
  console.error(`bench did not finish within ${BENCH_TIMEOUT_MS} ms`)
  process.exit(1)
}, BENCH_TIMEOUT_MS)

const url = await new Promise<string>((resolve, reject) => {
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    const match = /"url":"([^"]+)".*"msg":"listening"/.exec(out)
    if (match?.[1]) resolve(match[1].replace('localhost', '127.0.0.1'))
  })
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
})

const token = await mintToken(SECRET, { sub: 'bench', name: 'Bench', admin: true, expiresIn: '1h' })
const api = async (path: string, body: unknown) => {
  const response = await fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<{ id: string }>
}
const library = await api('/libraries', { name: 'Bench' })
const asset = await api(`/libraries/${library.id}/assets`, { type: 'web-content', title: 'Bench' })

interface Client {
  ws: WebSocket
  doc: Y.Doc
  onUpdate: (() => void) | null
}

function frame(type: number, step: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  encoding.writeVarUint(encoder, step)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

async function connect(): Promise<Client> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/collab/${asset.id}?token=${token}`)
  const client: Client = { ws, doc: new Y.Doc(), onUpdate: null }
  let synced: () => void
  const ready = new Promise<void>((resolve) => (synced = resolve))
  ws.on('message', (data: Buffer) => {
    const decoder = decoding.createDecoder(data)
    if (decoding.readVarUint(decoder) !== 0) return
    const step = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (step === 0) return
    Y.applyUpdate(client.doc, payload)
    if (step === 1) synced()
    else client.onUpdate?.()
  })
  await new Promise((resolve) => ws.once('open', resolve))
  ws.send(frame(0, 0, Y.encodeStateVector(client.doc)))
  await ready
  return client
}

const clients: Client[] = []
for (let i = 0; i < CLIENTS; i++) clients.push(await connect())
const [writer, ...readers] = clients as [Client, ...Client[]]
const latencies: number[] = []
const text = writer.doc.getText('bench')

for (let round = 0; round < ROUNDS; round++) {
  const before = Y.encodeStateVector(writer.doc)
  text.insert(text.length, 'abcdefghijklmnopqrst')
  const update = Y.encodeStateAsUpdate(writer.doc, before)
  const start = process.hrtime.bigint()
  const arrived = readers.map(
    (reader) =>
      new Promise<void>((resolve) => {
        reader.onUpdate = () => {
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6)
          reader.onUpdate = null
          resolve()
        }
      }),
  )
  writer.ws.send(frame(0, 2, update))
  await Promise.all(arrived)
}

latencies.sort((a, b) => a - b)
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2)
console.log(`fan-out of a 20-char insert to ${readers.length} clients, ${ROUNDS} rounds (${latencies.length} deliveries)`)
console.log(`p50 ${at(0.5)} ms   p99 ${at(0.99)} ms   max ${latencies[latencies.length - 1]!.toFixed(2)} ms`)
for (const client of clients) client.ws.close()
process.exit(0)
