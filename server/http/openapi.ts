/**
 * Routes are declared with @hono/zod-openapi: one zod schema validates a request at the edge and
 * describes it in `GET /api/v1/openapi.json`. Validation failures answer 400 in the contract's shape.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { ZodType } from 'zod'
import type { AppEnv } from './context.js'
import { ApiError } from './errors.js'

export { z }

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return
      const detail = result.error.issues
        .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : result.target}: ${issue.message}`)
        .join('; ')
      throw new ApiError('invalid_request', detail)
    },
  })
}

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) })
  .openapi('Error', { example: { error: { code: 'not_found', message: 'no library lib_…' } } })

const ERROR_DESCRIPTIONS = {
  400: 'Malformed input',
  401: 'No valid token',
  403: 'Not allowed',
  404: 'Unknown id, or not visible to the caller',
  409: 'Conflict',
  413: 'Too large',
  422: 'Valid input that breaks a rule',
} as const

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS

export function json<T extends ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description }
}

/** The error responses a route can give, for the OpenAPI document. */
export function errors<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((status) => [status, json(ErrorBody, ERROR_DESCRIPTIONS[status])])) as {
    [K in S]: ReturnType<typeof json<typeof ErrorBody>>
  }
}

export function jsonBody<T extends ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } }
}

export const BEARER = [{ bearer: [] }]
