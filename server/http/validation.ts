/** zod validation at the edge, answering 400 in the contract's error shape. */
import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ZodType } from 'zod'
import { ApiError } from './errors.js'

export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const detail = result.error.issues
        .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : target}: ${issue.message}`)
        .join('; ')
      throw new ApiError('invalid_request', detail)
    }
  })
}
