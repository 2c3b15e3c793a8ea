import { describe, expect, it } from 'vitest'
import { paragraphText } from '../../helpers/body.js'
import { createFixture, startServer } from '../../helpers/server.js'

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line ? Number(line.split(' ').pop()) : Number.NaN
}

describe('/metrics', () => {
  it('reports documents, connections, messages, publication durations and lock waits', async () => {
    const server = await startServer()
    const { owner, libraryId, assetId } = await createFixture(server)
    const editor = server.connect(assetId, owner)
    await editor.whenSynced()
    paragraphText(editor.doc).insert(0, 'counted')
    await editor.whenAcknowledged()
    await server.api(`/libraries/${libraryId}/assets/${assetId}/versions`, owner, { method: 'POST' })
    expect((await server.api(`/libraries/${libraryId}/assets/${assetId}/publish`, owner, { method: 'POST' })).status).toBe(201)
    // Someone else holds the library's publication lock: the next publication waits, then gives up.
    const held = await server.locks.tryAcquire(`publish:${libraryId}`, 10_000)
    expect((await server.api(`/libraries/${libraryId}/assets/${assetId}/publish`, owner, { method: 'POST' })).status).toBe(409)
    await held?.release()

    const response = await fetch(`${server.url}/metrics`)
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(metric(text, 'folio_documents_open')).toBeGreaterThanOrEqual(1)
    expect(metric(text, 'folio_connections')).toBe(1)
    expect(metric(text, 'folio_messages_in_total')).toBeGreaterThan(0)
    expect(metric(text, 'folio_messages_out_total')).toBeGreaterThan(0)
    expect(metric(text, 'folio_publication_duration_seconds_count{status="succeeded"}')).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/folio_lock_busy_total\{lock="publish"\} [1-9]/)
    expect(text).toContain('folio_process_')
  })
})
