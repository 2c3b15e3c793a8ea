/**
 * The one error type of the REST boundary, and its mapping to the contract's JSON shape
 * `{"error": {"code", "message"}}`. Routes throw `ApiError`; everything else is a 500.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  | 'last_owner'
  | 'invalid_body'
  | 'staging_on'
  | 'staging_rule'
  | 'unknown_permission'
  | 'role_in_use'
  | 'publication_failed'
  | 'unpublished_changes'
  | 'remote_failed'
  | 'internal_error'

const STATUS: Record<ApiErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  last_owner: 422,
  invalid_body: 422,
  staging_on: 422,
  staging_rule: 422,
  unknown_permission: 422,
  role_in_use: 409,
  publication_failed: 500,
  unpublished_changes: 409,
  remote_failed: 502,
  internal_error: 500,
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Machine-readable facts about the refusal, answered as `error.details`. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.status = STATUS[code]
  }
}

/** A page a store read, or 400 when the cursor was not one this server gave out. */
export function pageOrBadCursor<T>(page: T | null): T {
  if (page === null) throw new ApiError('invalid_request', 'cursor: not a cursor this server gave out')
  return page
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } }
}

export function errorResponse(c: Context, error: unknown, onUnexpected: (error: unknown) => void): Response {
  if (error instanceof ApiError) return c.json(errorBody(error.code, error.message, error.details), error.status)
  if (error instanceof HTTPException) {
    // Hono's own refusals: malformed JSON bodies (400) and the body-size limit (413).
    const status = error.status
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_json' : 'invalid_request'
    return c.json(errorBody(code, error.message || 'bad request'), status as ContentfulStatusCode)
  }
  onUnexpected(error)
  return c.json(errorBody('internal_error', 'something went wrong on our side'), 500)
}
