/**
 * Structured logs with pino: one line per join, leave and denial, never one per message.
 *
 * @example
 *   const logger = createLogger({ level: 'info' })
 *   logger.info({ user: 'alice', doc: 'ast_…' }, 'join')
 */
import { pino, type Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return options.destination ? pino({ level: options.level }, options.destination) : pino({ level: options.level })
}
