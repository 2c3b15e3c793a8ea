import { describe, expect, it } from 'vitest'
import { CLIENT_DIR, launchBrowser, requireBuiltApp, signIn } from '../helpers/browser.js'
import { createFixture, startServer } from '../helpers/server.js'

describe('images from the library', () => {
  it('inserts a document’s image in the body; publishing brings the document along, and the preview shows it', async () => {
    requireBuiltApp()
    const server = await startServer({ clientDir: CLIENT_DIR })
    const { owner, libraryId, assetId } = await createFixture(server)
    const browser = await launchBrowser()
    // A real 2×2 PNG, drawn by the browser itself.
    const blank = await browser.newPage()
    const PNG = await blank.screenshot({ clip: { x: 0, y: 0, width: 2, height: 2 } })
    await blank.close()
    const logo = await (await server.api(`/libraries/${libraryId}/assets`, owner, { method: 'POST', body: { type: 'document', title: 'Logo' } })).json()
    await fetch(`${server.url}/api/v1/libraries/${libraryId}/assets/${logo.id}/files?filename=logo.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}` },
      body: new Uint8Array(PNG),
    })
    const site = await (await server.api('/sites', owner, { method: 'POST', body: { name: 'Web' } })).json()
    await server.api(`/libraries/${libraryId}/sites/${site.id}`, owner, { method: 'PUT' })

    const { page, errors } = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    await page.locator('.status[data-state="Saved"]').waitFor()
    await page.locator('.ProseMirror p').first().click()
    await page.locator('select.image-picker option', { hasText: 'Logo' }).waitFor({ state: 'attached', timeout: 5000 })
    await page.getByLabel('Insert an image from the library').selectOption({ label: 'Logo' })
    const img = page.locator('.ProseMirror img[alt="Logo"]')
    await img.waitFor({ timeout: 5000 })
    await page.waitForFunction(() => (document.querySelector('.ProseMirror img[alt="Logo"]') as HTMLImageElement | null)?.naturalWidth === 2, undefined, {
      timeout: 5000,
    })
    await page.locator('.status[data-state="Saved"]').waitFor()

    // The document has no approved version: the page cannot go live pointing at it.
    await server.api(`/libraries/${libraryId}/assets/${assetId}/versions`, owner, { method: 'POST' })
    const refused = await server.api(`/libraries/${libraryId}/assets/${assetId}/publish`, owner, { method: 'POST' })
    expect(refused.status).toBe(422)
    expect((await refused.json()).error.message).toContain(logo.id)
    await server.api(`/libraries/${libraryId}/assets/${logo.id}/versions`, owner, { method: 'POST' })
    const published = await (await server.api(`/libraries/${libraryId}/assets/${assetId}/publish`, owner, { method: 'POST' })).json()
    expect(published.assetIds.sort()).toEqual([assetId, logo.id].sort())

    const delivered = await (
      await fetch(`${server.url}/api/v1/delivery/sites/${site.id}/assets/${assetId}`, { headers: { authorization: `Bearer ${site.deliveryKey}` } })
    ).json()
    expect(delivered.html).toContain(`<img src="/api/v1/delivery/sites/${site.id}/files/${logo.id}" alt="Logo">`)

    const preview = await signIn(browser, server.url, owner, `/preview/${site.id}/${assetId}`)
    await preview.page.waitForFunction(() => (document.querySelector('.live-body img') as HTMLImageElement | null)?.naturalWidth === 2, undefined, { timeout: 5000 })
    expect([...errors, ...preview.errors]).toEqual([])
  })
})
