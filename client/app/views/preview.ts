/** What a site receives for an asset (the delivery API, as the signed-in user), live on publication. */
import { api, ApiFailure, subscribeEvents } from '../api.js'
import { clear, h } from '../dom.js'
import { token } from '../session.js'

interface LiveAsset {
  id: string
  version: number
  fields: Record<string, unknown>
  html: string | null
  publishedAt: string
}

export async function renderPreview(root: HTMLElement, siteId: string, assetId: string): Promise<() => void> {
  const frame = h('article', { class: 'preview', 'aria-live': 'polite' })
  const meta = h('p', { class: 'meta' })
  clear(root)
  root.append(h('h1', {}, 'Site preview'), meta, frame)

  async function load() {
    try {
      const live = await api<LiveAsset>(`/preview/sites/${siteId}/assets/${assetId}`)
      meta.textContent = `Live version ${live.version}, published ${live.publishedAt}`
      clear(frame)
      frame.append(h('h2', {}, String(live.fields.title ?? '')))
      // The server writes this HTML from the schema (known nodes, escaped text, safe links only).
      const body = h('div', { class: 'live-body' })
      body.innerHTML = live.html ?? ''
      frame.append(body)
      // Files of the library are behind the user's token, which an <img> cannot send.
      for (const img of body.querySelectorAll<HTMLImageElement>('img[src^="/api/v1/preview/"]')) {
        const response = await fetch(img.getAttribute('src')!, { headers: { authorization: `Bearer ${token() ?? ''}` } })
        if (response.ok) img.src = URL.createObjectURL(await response.blob())
      }
    } catch (error) {
      meta.textContent = error instanceof ApiFailure && error.status === 404 ? 'Not live on this site yet.' : String(error)
      clear(frame)
    }
  }
  await load()
  return subscribeEvents(`/preview/sites/${siteId}/events`, (event, data) => {
    if (event === 'publication' && (data as { assetIds?: string[] }).assetIds?.includes(assetId)) void load()
  })
}
