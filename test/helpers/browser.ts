/**
 * Debian's Chromium driven by playwright-core: no downloaded browser. One browser per test,
 * closed when the test ends; each user gets a context of their own, signed in by link.
 */
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { onTestFinished } from 'vitest'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CLIENT_DIR = fileURLToPath(new URL('../../dist/client', import.meta.url))
/** Screenshots go to a temporary folder; `SCREENSHOT_DIR=docs npm test` refreshes the README's. */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR
  ? fileURLToPath(new URL(`../../${process.env.SCREENSHOT_DIR}`, import.meta.url))
  : join(tmpdir(), 'folio-screenshots')

export function requireBuiltApp(): void {
  if (!existsSync(`${CLIENT_DIR}/index.html`)) throw new Error('the browser app is not built: run `npm run build` (npm test does)')
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  onTestFinished(() => browser.close())
  return browser
}

/** A signed-in user in a context of their own, on a page of the app; its script errors are collected. */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  token: string,
  path = '/',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message))
  await page.goto(`${baseUrl}${path}?token=${token}`)
  return { context, page, errors }
}

/** The text of the editor's body, without the name labels of remote cursors. */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const clone = document.querySelector('.ProseMirror')!.cloneNode(true) as HTMLElement
    for (const cursor of clone.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove()
    return clone.innerText.replace(/\u2060/g, '').trim()
  })
}
