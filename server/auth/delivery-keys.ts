/**
 * Sites read published content with a delivery key: random, shown once at creation, stored only
 * as a SHA-256 hash (256 random bits need no salt or slow hash to resist guessing).
 */
import { createHash, randomBytes } from 'node:crypto'

const DELIVERY_KEY_BYTES = 32

export function createDeliveryKey(): string {
  return randomBytes(DELIVERY_KEY_BYTES).toString('base64url')
}

export function hashDeliveryKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
