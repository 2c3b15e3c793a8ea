/**
 * Remote Live: another Folio instance's live store as a publication target, over its own REST API
 * and with the credentials it gave (a bearer token with PUBLISH_LIBRARY on its library). Files go
 * first, by content hash; then the generation, which the other instance writes all or nothing.
 */
import { Readable } from 'node:stream'
import type { LiveEntry, RemoteTarget } from '../store/live-store.js'

export class RemoteError extends Error {}

/** How long one call to the other instance may take before the publication gives up. */
const REMOTE_TIMEOUT_MS = 30_000

export interface RemoteClient {
  /** The other instance's live assets, with the version each came from. */
  liveState(target: RemoteTarget): Promise<Map<string, number | null>>
  putBlob(target: RemoteTarget, hash: string, body: Readable, size: number): Promise<void>
  importGeneration(target: RemoteTarget, entries: readonly LiveEntry[]): Promise<{ generation: number; publicationId: string }>
}

export function createRemoteClient(fetchImpl: typeof fetch = fetch): RemoteClient {
  async function call(target: RemoteTarget, path: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
    const url = `${target.url.replace(/\/+$/, '')}/api/v1/libraries/${target.remoteLibraryId}${path}`
    let response: Response
    try {
      response = await fetchImpl(url, {
        ...init,
        headers: { authorization: `Bearer ${target.token}`, ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS),
      })
    } catch (error) {
      throw new RemoteError(`the remote instance did not answer (${url}): ${error instanceof Error ? error.message : String(error)}`)
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '')
      throw new RemoteError(`the remote instance answered ${response.status} to ${path}: ${text.slice(0, 500)}`)
    }
    return response
  }

  return {
    async liveState(target) {
      const response = await call(target, '/live-state', { method: 'GET' })
      const body = (await response.json()) as { assets?: Record<string, number | null> }
      return new Map(Object.entries(body.assets ?? {}))
    },

    async putBlob(target, hash, body, size) {
      await call(target, `/live-imports/blobs/${hash}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body: Readable.toWeb(body) as unknown as BodyInit,
        duplex: 'half',
      })
    },

    async importGeneration(target, entries) {
      const response = await call(target, '/live-imports', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entries }),
      })
      const body = (await response.json()) as { id?: string; generation?: number }
      if (typeof body.generation !== 'number' || typeof body.id !== 'string') throw new RemoteError('the remote instance answered without a generation')
      return { generation: body.generation, publicationId: body.id }
    },
  }
}
