/**
 * The WebSocket transport of the collaboration endpoint: `ws://HOST/collab/<document>?token=…`.
 *
 * Authentication, the permission check and loading the document all happen before the upgrade
 * completes, so no frame can arrive before the connection has a room. A refused join is still
 * upgraded, so that the client hears why: an auth `permission denied` message, then a 44xx close.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { CLOSE_INTERNAL_ERROR } from '../../shared/close-codes.js'
import type { CollabHub } from '../collab/hub.js'
import { encodePermissionDenied } from '../collab/messages.js'
import type { Logger } from '../logger.js'

export interface CollabSocketOptions {
  maxMessageBytes: number
  /** undefined: same-origin browsers and non-browser clients; ['*']: any origin. */
  allowedOrigins: readonly string[] | undefined
  publicUrl: string | undefined
  logger: Logger
  heartbeatMs?: number
}

const COLLAB_PREFIX = '/collab/'
/** Upgrades waiting for a token check or a document load; more are refused with 503. */
const MAX_PENDING_UPGRADES = 1024
const DEFAULT_HEARTBEAT_MS = 30_000
/** A close frame's reason is limited to 123 bytes by RFC 6455. */
const MAX_CLOSE_REASON_CHARS = 120

export interface CollabSockets {
  close(): Promise<void>
}

export function attachCollabSockets(server: Server, hub: CollabHub, options: CollabSocketOptions): CollabSockets {
  const { logger } = options
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false })
  const alive = new WeakSet<WebSocket>()
  let pending = 0

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => logger.debug({ err: error }, 'upgrade socket error'))
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(COLLAB_PREFIX)) return refuseUpgrade(socket, 404, 'Not Found')
    if (!isOriginAllowed(req, options)) {
      logger.info({ origin: req.headers.origin }, 'deny: origin not allowed')
      return refuseUpgrade(socket, 403, 'Forbidden')
    }
    if (pending >= MAX_PENDING_UPGRADES) return refuseUpgrade(socket, 503, 'Service Unavailable')
    pending++
    const documentName = url.pathname.slice(COLLAB_PREFIX.length)
    hub
      .join(url.searchParams.get('token'), documentName)
      .then((ticket) => {
        if (socket.destroyed) {
          if (ticket.ok) ticket.cancel()
          return
        }
        // handleUpgrade refuses malformed handshakes without calling back; the ticket must not leak.
        if (ticket.ok) socket.once('close', () => ticket.cancel())
        wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('error', (error) => logger.debug({ err: error, doc: documentName }, 'socket error'))
          alive.add(ws)
          ws.on('pong', () => alive.add(ws))
          if (!ticket.ok) {
            logger.info({ user: ticket.userId, doc: documentName, code: ticket.closeCode, reason: ticket.reason }, 'deny')
            ws.send(encodePermissionDenied(ticket.reason))
            ws.close(ticket.closeCode, ticket.reason.slice(0, MAX_CLOSE_REASON_CHARS))
            return
          }
          const connection = ticket.accept({
            send: (frame) => ws.send(frame),
            close: (code, reason) => ws.close(code, reason.slice(0, MAX_CLOSE_REASON_CHARS)),
            get bufferedAmount() {
              return ws.bufferedAmount
            },
          })
          if (!connection) return
          ws.on('message', (data: RawData, isBinary: boolean) => {
            try {
              if (isBinary) connection.receive(asUint8Array(data))
              else connection.receiveText()
            } catch (error) {
              // A bug must cost one connection, never the process.
              logger.error({ err: error, doc: documentName }, 'message handling failed')
              connection.close(CLOSE_INTERNAL_ERROR, 'internal error')
            }
          })
          ws.on('close', () => connection.socketClosed())
        })
      })
      .catch((error: unknown) => {
        logger.error({ err: error, doc: documentName }, 'join failed')
        refuseUpgrade(socket, 500, 'Internal Server Error')
      })
      .finally(() => {
        pending--
      })
  })

  // Half-open TCP connections would keep documents loaded forever: ping, and drop the silent.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
  heartbeat.unref()

  return {
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat)
        for (const ws of wss.clients) ws.terminate()
        wss.close(() => resolve())
      }),
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function asUint8Array(data: RawData): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (Array.isArray(data)) return Buffer.concat(data)
  return data
}

function isOriginAllowed(req: IncomingMessage, options: CollabSocketOptions): boolean {
  const origin = req.headers.origin
  // Browsers always send Origin on WebSocket upgrades; other clients cannot be confused deputies.
  if (origin === undefined) return true
  const allowed = options.allowedOrigins
  if (allowed?.includes('*')) return true
  if (allowed?.some((o) => new URL(o).origin === origin)) return true
  if (options.publicUrl && new URL(options.publicUrl).origin === origin) return true
  if (allowed === undefined) {
    try {
      return new URL(origin).host === req.headers.host
    } catch {
      // An Origin that is not a URL ("null" from sandboxed frames) is not same-origin.
      return false
    }
  }
  return false
}
