/**
 * WebSocket close codes the collaboration endpoint uses. The 44xx range mirrors HTTP 4xx: the
 * server decided, and reconnecting will not change its mind, so clients stop reconnecting.
 */
export const CLOSE_NORMAL = 1000
export const CLOSE_GOING_AWAY = 1001
/** A text frame, or a frame that is not a y-protocols message. */
export const CLOSE_UNSUPPORTED_DATA = 1003
export const CLOSE_MESSAGE_TOO_BIG = 1009
export const CLOSE_INTERNAL_ERROR = 1011
/** A recipient that cannot keep up, a document being reloaded, a client that must resync. */
export const CLOSE_TRY_AGAIN_LATER = 1013
/** Truncated or malformed y-protocols message, unknown message type, spoofed awareness. */
export const CLOSE_BAD_MESSAGE = 4400
export const CLOSE_UNAUTHORIZED = 4401
export const CLOSE_FORBIDDEN = 4403
export const CLOSE_NOT_FOUND = 4404
export const CLOSE_TOO_MANY_CONNECTIONS = 4429

/** True for close codes after which a client must not reconnect on its own. */
export function isTerminalCloseCode(code: number): boolean {
  return code >= 4400 && code < 4500
}
