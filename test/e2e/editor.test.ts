import { mkdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { bodyText } from '../helpers/body.js'
import { CLIENT_DIR, SCREENSHOT_DIR, editorText, launchBrowser, requireBuiltApp, signIn } from '../helpers/browser.js'
import { createFixture, startServer } from '../helpers/server.js'
import { waitFor } from '../helpers/wait.js'

const DOCS = SCREENSHOT_DIR

async function setup() {
  requireBuiltApp()
  const server = await startServer({ clientDir: CLIENT_DIR })
  const fixture = await createFixture(server)
  const browser = await launchBrowser()
  return { server, browser, ...fixture }
}

describe('the browser app', () => {
  it('lets two authors type in the same paragraph, and both see the same text', async () => {
    const { server, browser, owner, member, assetId } = await setup()
    const a = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    const b = await signIn(browser, server.url, member, `/edit/${assetId}`)
    for (const { page } of [a, b]) {
      await page.locator('.ProseMirror').waitFor()
      await page.locator('.status[data-state="Saved"]').waitFor()
    }
    expect(new URL(a.page.url()).search).toBe('')
    await a.page.locator('.ProseMirror p').first().click()
    await a.page.keyboard.type('Hello from Olga. ')
    await b.page.locator('.ProseMirror p').first().click()
    await b.page.keyboard.press('End')
    await b.page.keyboard.type('And from Mia.')
    await waitFor(async () => {
      const [ta, tb] = await Promise.all([editorText(a.page), editorText(b.page)])
      return ta === tb && ta.includes('Hello from Olga.') && ta.includes('And from Mia.')
    }, { timeoutMs: 20_000, what: 'both editors to show the same text' })
    await a.page.locator('.status[data-state="Saved"]').waitFor()
    await b.page.locator('.status[data-state="Saved"]').waitFor()
    // A free field added by one author appears for the other, and its value follows.
    await a.page.getByLabel('New field name').fill('slug', { timeout: 5000 })
    await a.page.getByRole('button', { name: 'Add field' }).click({ timeout: 5000 })
    await a.page.getByLabel('Field slug').fill('hello-world', { timeout: 5000 })
    await b.page.getByLabel('Field slug').waitFor({ timeout: 5000 })
    await waitFor(async () => (await b.page.getByLabel('Field slug').inputValue()) === 'hello-world', { what: 'the field value to arrive' })
    // Both are present, with names, and the other's cursor shows.
    await a.page.locator('.avatars .avatar[data-user="member"]').waitFor()
    await a.page.locator('.ProseMirror-yjs-cursor', { hasText: 'Mia Member' }).waitFor()
    const stored = server.connect(assetId, owner)
    await stored.whenSynced()
    expect(bodyText(stored.doc)).toBe(await editorText(a.page))
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('lets a reviewer comment on selected text, live for the author, while the reviewer’s typing changes nothing', async () => {
    const { server, browser, owner, member, reviewer, assetId } = await setup()
    const author = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    await author.page.locator('.ProseMirror').waitFor()
    await author.page.locator('.ProseMirror p').first().click()
    await author.page.keyboard.type('The quick brown fox jumps.')
    await author.page.locator('.status[data-state="Saved"]').waitFor()

    const rev = await signIn(browser, server.url, reviewer, `/edit/${assetId}`)
    await rev.page.locator('.ProseMirror').waitFor()
    await rev.page.locator('.status[data-state="Read-only"]').waitFor()
    expect(await rev.page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')
    expect(await rev.page.locator('.ProseMirror-menubar').getAttribute('aria-disabled')).toBe('true')
    await rev.page.locator('.ProseMirror').getByText('The quick brown fox jumps.').waitFor()
    // Select "quick brown" in the reviewer's (read-only) editor and comment on it.
    await rev.page.evaluate(() => {
      const text = document.querySelector('.ProseMirror p')!.firstChild!
      const range = document.createRange()
      range.setStart(text, 4)
      range.setEnd(text, 15)
      const selection = window.getSelection()!
      selection.removeAllRanges()
      selection.addRange(range)
    })
    await rev.page.locator('.ProseMirror').focus()
    await rev.page.keyboard.type('REVIEWER TYPING')
    await rev.page.getByLabel('Comment on the selected text').fill('Is "quick" the right word?')
    await rev.page.getByRole('button', { name: 'Comment', exact: true }).click()

    const thread = author.page.locator('.thread', { hasText: 'Is "quick" the right word?' })
    await thread.waitFor({ timeout: 10_000 })
    expect(await thread.locator('.quote').innerText()).toBe('“quick brown”')
    await author.page.locator('.comment-anchor', { hasText: 'quick brown' }).waitFor()
    // The anchor follows edits made before it.
    await author.page.locator('.ProseMirror p').first().click({ position: { x: 2, y: 5 } })
    await author.page.keyboard.press('Home')
    await author.page.keyboard.type('Look: ')
    await waitFor(async () => (await editorText(author.page)).startsWith('Look: The quick'), { what: 'the edit before the anchor' })
    expect(await author.page.locator('.comment-anchor').innerText()).toBe('quick brown')
    await rev.page.locator('.comment-anchor', { hasText: 'quick brown' }).waitFor()
    await thread.getByLabel('Reply').fill('Yes, it is.')
    await thread.getByRole('button', { name: 'Reply' }).click()
    await rev.page.locator('.thread .reply', { hasText: 'Yes, it is.' }).waitFor()

    mkdirSync(DOCS, { recursive: true })
    // Two more editors in the document (the member, and the owner in another tab), for the screenshot.
    const other = await signIn(browser, server.url, member, `/edit/${assetId}`)
    await other.page.locator('.ProseMirror p').first().click()
    await other.page.keyboard.press('End')
    const second = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    await second.page.locator('.ProseMirror p').first().click({ position: { x: 5, y: 5 } })
    await author.page.locator('.ProseMirror-yjs-cursor', { hasText: 'Mia Member' }).waitFor()
    await author.page.locator('.ProseMirror-yjs-cursor', { hasText: 'Olga Owner' }).waitFor()
    await author.page.screenshot({ path: `${DOCS}/editor-cursors-and-comments.png` })

    expect(await editorText(author.page)).not.toContain('REVIEWER TYPING')
    expect([...author.errors, ...rev.errors]).toEqual([])
    const stored = server.connect(assetId, owner)
    await stored.whenSynced()
    expect(bodyText(stored.doc)).toBe('Look: The quick brown fox jumps.')
  })

  it('shows a publication in the site preview, live', async () => {
    const { server, browser, owner, libraryId, assetId } = await setup()
    const site = await (await server.api('/sites', owner, { method: 'POST', body: { name: 'Web' } })).json()
    await server.api(`/libraries/${libraryId}/sites/${site.id}`, owner, { method: 'PUT' })
    const editor = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    const preview = await signIn(browser, server.url, owner, `/preview/${site.id}/${assetId}`)
    await preview.page.getByText('Not live on this site yet.').waitFor()
    await editor.page.locator('.ProseMirror p').first().click()
    await editor.page.keyboard.type('Fresh from the editor')
    await editor.page.locator('.status[data-state="Saved"]').waitFor()
    await editor.page.getByRole('button', { name: 'Save version' }).click()
    await editor.page.getByText('Version saved.').waitFor()
    await editor.page.getByRole('button', { name: 'Publish' }).click()
    await editor.page.getByText('Published.').waitFor()
    await preview.page.locator('.live-body', { hasText: 'Fresh from the editor' }).waitFor({ timeout: 10_000 })
  })

  it('drops a member who is demoted while editing to read-only, on the same page', async () => {
    const { server, browser, owner, member, libraryId, assetId } = await setup()
    const m = await signIn(browser, server.url, member, `/edit/${assetId}`)
    await m.page.locator('.status[data-state="Saved"]').waitFor()
    await m.page.locator('.ProseMirror p').first().click()
    await m.page.keyboard.type('Typed while allowed. ')
    await m.page.locator('.status[data-state="Saved"]').waitFor()
    const put = await server.api(`/libraries/${libraryId}/members/member`, owner, { method: 'PUT', body: { role: 'reviewer' } })
    expect(put.status).toBe(200)
    await m.page.getByText('Your role changed').waitFor({ timeout: 5000 })
    await m.page.locator('.status[data-state="Read-only"]').waitFor()
    expect(await m.page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')
    expect(await editorText(m.page)).toContain('Typed while allowed.')
    expect(m.errors.join('\n')).toBe('')
    expect(new URL(m.page.url()).pathname).toBe(`/edit/${assetId}`)
  })

  it('starts again from the server’s document when a downgrade finds edits not yet saved', async () => {
    requireBuiltApp()
    // A long commit window keeps the member's last edits unacknowledged when the downgrade lands.
    const server = await startServer({ clientDir: CLIENT_DIR, env: { COMMIT_DELAY_MS: '1000' } })
    const { owner, member, libraryId, assetId } = await createFixture(server)
    const browser = await launchBrowser()
    const m = await signIn(browser, server.url, member, `/edit/${assetId}`)
    await m.page.locator('.status[data-state="Saved"]').waitFor()
    await m.page.locator('.ProseMirror p').first().click()
    await m.page.keyboard.type('Sent before the change.')
    await m.page.locator('.status[data-state="Saving…"]').waitFor()
    await server.api(`/libraries/${libraryId}/members/member`, owner, { method: 'PUT', body: { role: 'reviewer' } })
    await m.page.getByText('Your role changed').waitFor()
    await m.page.locator('.status[data-state="Read-only"]').waitFor({ timeout: 10_000 })
    // What the server had applied before the change is there; the page never reloaded.
    await waitFor(async () => (await editorText(m.page)) === 'Sent before the change.', { what: 'the server’s document' })
    expect(await m.page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')
    expect(m.errors).toEqual([])
  })
})
