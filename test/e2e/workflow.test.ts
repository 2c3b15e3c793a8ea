import { describe, expect, it } from 'vitest'
import { CLIENT_DIR, editorText, launchBrowser, requireBuiltApp, signIn } from '../helpers/browser.js'
import { createFixture, startServer } from '../helpers/server.js'
import { waitFor } from '../helpers/wait.js'

describe('review workflow and undo in the browser', () => {
  it('lets the author submit, the reviewer reject and approve, and shows the versions with a diff', async () => {
    requireBuiltApp()
    const server = await startServer({ clientDir: CLIENT_DIR })
    const { owner, reviewer, libraryId, assetId } = await createFixture(server)
    await server.api(`/libraries/${libraryId}`, owner, { method: 'PATCH', body: { workflowEnabled: true } })
    const browser = await launchBrowser()
    const author = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    await author.page.locator('.status[data-state="Saved"]').waitFor()
    await author.page.locator('.ProseMirror p').first().click()
    await author.page.keyboard.type('First take.')
    await author.page.locator('.status[data-state="Saved"]').waitFor()
    await author.page.getByRole('button', { name: 'Submit for review' }).click()
    await author.page.getByText('Submitted for review.').waitFor()

    const rev = await signIn(browser, server.url, reviewer, `/edit/${assetId}`)
    await rev.page.getByLabel('Review comment').fill('Say more.')
    await rev.page.getByRole('button', { name: 'Reject' }).click()
    await rev.page.getByText('Rejected.').waitFor()
    expect(await rev.page.getByRole('button', { name: 'Submit for review' }).count()).toBe(0)

    await author.page.locator('.ProseMirror p').first().click()
    await author.page.keyboard.press('End')
    await author.page.keyboard.type(' Second take, longer.')
    await author.page.locator('.status[data-state="Saved"]').waitFor()
    await author.page.getByRole('button', { name: 'Submit for review' }).click()
    await author.page.getByText('Submitted for review.').waitFor()
    await rev.page.getByRole('button', { name: 'Approve' }).click()
    await rev.page.getByText('Approved.').waitFor()

    await author.page.reload()
    await author.page.locator('.version', { hasText: 'v2 · approved' }).waitFor()
    await author.page.locator('.version', { hasText: 'v1 · rejected' }).waitFor()
    await author.page.locator('.version', { hasText: 'v2' }).getByRole('button', { name: 'Diff' }).click()
    expect((await author.page.locator('.diff ins').allInnerTexts()).map((t) => t.trim())).toContain('Second take, longer.')
    expect([...author.errors, ...rev.errors]).toEqual([])
  })

  it('undoes only my own changes', async () => {
    requireBuiltApp()
    const server = await startServer({ clientDir: CLIENT_DIR })
    const { owner, member, assetId } = await createFixture(server)
    const browser = await launchBrowser()
    const a = await signIn(browser, server.url, owner, `/edit/${assetId}`)
    const b = await signIn(browser, server.url, member, `/edit/${assetId}`)
    await a.page.locator('.status[data-state="Saved"]').waitFor()
    await b.page.locator('.status[data-state="Saved"]').waitFor()
    await a.page.locator('.ProseMirror p').first().click()
    await a.page.keyboard.type('mine ')
    await waitFor(async () => (await editorText(b.page)) === 'mine', { what: 'the first text at the other author' })
    await b.page.locator('.ProseMirror p').first().click()
    await b.page.keyboard.press('End')
    await b.page.keyboard.type('theirs')
    await waitFor(async () => (await editorText(a.page)) === 'mine theirs', { what: 'both texts' })
    await a.page.locator('.ProseMirror').focus()
    await a.page.keyboard.press('Control+z')
    await waitFor(async () => (await editorText(a.page)) === 'theirs' && (await editorText(b.page)) === 'theirs', {
      what: 'only the undoer’s text to go',
    })
  })
})
