/**
 * A typed wrapper around the stock y-websocket `WebsocketProvider` for Folio documents.
 *
 * It adds what a Folio client needs and the stock provider does not tell: the reason of a refusal
 * (an auth `permission denied` message, a 44xx close after which it stops reconnecting), and
 * whether every local edit has been durably acknowledged. The server echoes each update back to its
 * sender once the store committed it, and sends sync messages only with committed state; so every
 * sync message from the server tells how far this client's own edits are durable.
 *
 * @example
 *   const asset = connectAsset('http://localhost:1234', assetId, { token })
 *   asset.doc.getXmlFragment('body') // bind an editor to it
 *   await asset.whenAcknowledged()   // everything typed so far survives a server crash
 *   asset.on('closed', ({ code, reason }) => showError(reason))
 */
import * as decoding from 'lib0/decoding'
import { ObservableV2 } from 'lib0/observable'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { isTerminalCloseCode } from '../shared/close-codes.js'
import { MESSAGE_AUTH, MESSAGE_SYNC, SYNC_STEP_1 } from '../shared/protocol.js'

export interface ConnectAssetOptions {
  token: string
  /** A WebSocket class; browsers have one, Node 20 needs `ws`'s. */
  WebSocket?: typeof globalThis.WebSocket
  doc?: Y.Doc
  /** Start connecting at once (default true). */
  connect?: boolean
  /** Upper bound of the reconnection back-off. */
  maxBackoffTimeMs?: number
}

export interface CloseInfo {
  code: number
  reason: string
}

type Events = {
  /** The server closed with a 44xx code: the provider stopped reconnecting. */
  closed: (info: CloseInfo) => void
  /** An auth `permission denied` message: a refused join, or writes to a read-only document. */
  denied: (reason: string) => void
  /** Whether every local edit is durably acknowledged; emitted when that changes. */
  acknowledged: (acknowledged: boolean) => void
  synced: (synced: boolean) => void
}

export class AssetConnection extends ObservableV2<Events> {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  /** The terminal close, once the server sent one. */
  closeInfo: CloseInfo | null = null
  /** The last `permission denied` reason the server sent. */
  deniedReason: string | null = null
  #ackedClock = 0
  #acknowledged: boolean

  constructor(serverUrl: string, document: string, options: ConnectAssetOptions) {
    super()
    this.doc = options.doc ?? new Y.Doc()
    // A document handed in may hold edits from before: nothing vouches for them yet.
    this.#acknowledged = this.isAcknowledged()
    const Base = options.WebSocket ?? globalThis.WebSocket
    if (!Base) throw new Error('no WebSocket class: pass options.WebSocket (in Node 20, `ws`)')
    const onFrame = (data: unknown) => this.#observeFrame(data)
    // Sees every frame before the provider applies it; the provider itself is left unmodified.
    const Observed = class extends Base {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols)
        this.addEventListener('message', (event: MessageEvent) => onFrame(event.data))
      }
    }
    this.provider = new WebsocketProvider(`${toWsUrl(serverUrl)}/collab`, document, this.doc, {
      params: { token: options.token },
      WebSocketPolyfill: Observed as typeof WebSocket,
      connect: options.connect ?? true,
      // Another tab's copy is not the server's: acknowledgements must come from the server alone.
      disableBc: true,
      ...(options.maxBackoffTimeMs !== undefined ? { maxBackoffTime: options.maxBackoffTimeMs } : {}),
    })
    this.provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      // y-protocols' auth message: a varuint sub-type (0: permission denied) and a reason.
      decoding.readVarUint(decoder)
      this.deniedReason = decoding.readVarString(decoder)
      this.emit('denied', [this.deniedReason])
    }
    this.provider.on('closed', (event: CloseInfo) => {
      if (!isTerminalCloseCode(event.code)) return
      this.closeInfo = { code: event.code, reason: event.reason }
      this.emit('closed', [this.closeInfo])
    })
    this.provider.on('sync', (synced: boolean) => this.emit('synced', [synced]))
    this.doc.on('update', this.#onLocalUpdate)
  }

  get synced(): boolean {
    return this.provider.synced
  }

  /** How far this client's own edits are durable: a clock of `doc.clientID`, as Yjs state vectors count. */
  get acknowledgedClock(): number {
    return this.#ackedClock
  }

  /** True when the server has committed every edit made in this document so far. */
  isAcknowledged(): boolean {
    return Y.getState(this.doc.store, this.doc.clientID) <= this.#ackedClock
  }

  whenSynced(timeoutMs = 10_000): Promise<void> {
    return this.#when('synced', () => this.synced, timeoutMs)
  }

  whenAcknowledged(timeoutMs = 10_000): Promise<void> {
    return this.#when('acknowledged', () => this.isAcknowledged(), timeoutMs)
  }

  override destroy(): void {
    this.doc.off('update', this.#onLocalUpdate)
    this.provider.destroy()
    super.destroy()
  }

  #when(event: 'synced' | 'acknowledged', done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve()
    const closed = this.closeInfo
    if (closed) return Promise.reject(new Error(`connection closed (${closed.code}): ${closed.reason}`))
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return
        cleanup()
        resolve()
      }
      const onClosed = (info: CloseInfo) => {
        cleanup()
        reject(new Error(`connection closed (${info.code}): ${info.reason}`))
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`not ${event} within ${timeoutMs} ms`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.off(event, check)
        this.off('closed', onClosed)
      }
      this.on(event, check)
      this.on('closed', onClosed)
    })
  }

  readonly #onLocalUpdate = (_update: Uint8Array, origin: unknown) => {
    if (origin === this.provider) return
    this.#setAcknowledged(this.isAcknowledged())
  }

  #observeFrame(data: unknown): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : null
    if (!bytes) return
    try {
      const decoder = decoding.createDecoder(bytes)
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
      const step = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      // Step 1 carries the server's (committed) state vector: after a reconnect it acknowledges
      // edits whose echo was lost with the old socket.
      const clocks = step === SYNC_STEP_1 ? Y.decodeStateVector(payload) : Y.parseUpdateMeta(payload).to
      const clock = clocks.get(this.doc.clientID)
      if (clock !== undefined && clock > this.#ackedClock) this.#ackedClock = clock
    } catch {
      // Not ours to judge: the provider reads the same frame and reports what it cannot parse.
      return
    }
    // The provider applies the frame after this listener; its doc state does not change our clock.
    this.#setAcknowledged(this.isAcknowledged())
  }

  #setAcknowledged(value: boolean): void {
    if (value === this.#acknowledged) return
    this.#acknowledged = value
    this.emit('acknowledged', [value])
  }
}

/** Connects to a Folio document: `<assetId>`, `<assetId>/comments` or `<assetId>/translations/<locale>`. */
export function connectAsset(serverUrl: string, document: string, options: ConnectAssetOptions): AssetConnection {
  return new AssetConnection(serverUrl, document, options)
}

function toWsUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/^http(s?):/, 'ws$1:')
}
