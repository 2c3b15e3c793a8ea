/**
 * y-websocket message framing, as y-protocols defines it: every frame is one message that starts
 * with a varuint type. Sync messages carry a second varuint (step 1, step 2, update) and a
 * varuint8array payload; awareness and auth carry one payload each; query-awareness is empty.
 */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

export const SYNC_STEP_1 = 0
export const SYNC_STEP_2 = 1
export const SYNC_UPDATE = 2

/** The y-protocols auth message has one sub-type. */
export const AUTH_PERMISSION_DENIED = 0
