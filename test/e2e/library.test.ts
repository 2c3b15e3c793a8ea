import { mkdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CLIENT_DIR, SCREENSHOT_DIR, launchBrowser, requireBuiltApp, signIn } from '../helpers/browser.js'
import { createFixture, startServer } from '../helpers/server.js'

const DOCS = SCREENSHOT_DIR

describe('the library view', () => {
  it('lists assets with who is in them, creates content, and publishes picked assets to Live', async () => {
    requireBuiltApp()
    const server = await startServer({ clientDir: CLIENT_DIR })
    const { owner, member, libraryId, assetId } = await createFixture(server)
    const browser = await launchBrowser()
    const site = await (await server.api('/sites', owner, { method: 'POST', body: { name: 'Staged', stagingEnabled: true } })).json()
    await server.api(`/libraries/${libraryId}`, owner, { method: 'PATCH', body: { stagingEnabled: true } })
    await server.api(`/libraries/${libraryId}/sites/${site.id}`, owner, { method: 'PUT' })

    const editor = server.connect(assetId, member)
    await editor.whenSynced()
    const { page, errors } = await signIn(browser, server.url, owner, '/')
    await page.getByRole('link', { name: 'Fixture' }).click()
    await page.locator(`tr[data-asset="${assetId}"] .presence .avatar[title="Mia Member"]`).waitFor({ timeout: 10_000 })
    expect(await page.locator('.staging-bar .badge').first().innerText()).toBe('Staging')

    await page.getByLabel('New web content title').fill('Made in the browser')
    await page.getByRole('button', { name: 'Create web content' }).click()
    await page.locator('tr', { hasText: 'Made in the browser' }).waitFor()

    // Freeze the fixture asset, pick it, and publish it.
    await server.api(`/libraries/${libraryId}/assets/${assetId}/versions`, owner, { method: 'POST' })
    await page.getByLabel('Pick Fixture asset').check()
    await page.getByRole('button', { name: 'Publish picked assets' }).click()
    await page.getByText('Picked assets published.').waitFor()
    await page.locator('.publications li', { hasText: 'advanced · succeeded · 1 asset(s)' }).waitFor()
    expect(await page.locator(`tr[data-asset="${assetId}"] td`).nth(5).innerText()).toBe('live')

    await page.setViewportSize({ width: 600, height: 900 })
    mkdirSync(DOCS, { recursive: true })
    await page.screenshot({ path: `${DOCS}/library-narrow.png`, fullPage: true })
    expect(errors).toEqual([])
  })
})
