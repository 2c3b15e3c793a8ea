/** The Folio browser app: sign-in from the link or the host, then a view per path. */
import 'prosemirror-view/style/prosemirror.css'
import 'prosemirror-menu/style/menu.css'
import 'prosemirror-example-setup/style/style.css'
import './style.css'
import { ApiFailure } from './api.js'
import { h } from './dom.js'
import { currentUser, listenForHandOff, takeTokenFromLocation } from './session.js'
import { renderEditor } from './views/editor.js'
import { renderLibraries } from './views/libraries.js'
import { renderLibrary } from './views/library.js'
import { renderPreview } from './views/preview.js'

const root = document.getElementById('app')!
let cleanup: (() => void) | void = undefined

async function route(): Promise<void> {
  if (cleanup) cleanup()
  cleanup = undefined
  const user = currentUser()
  document.getElementById('whoami')!.textContent = user ? `Signed in as ${user.name}` : ''
  if (!user) {
    root.replaceChildren(h('h1', {}, 'Sign in'), h('p', {}, 'Open one of the sign-in links that `npm start` prints, or sign in through your host application.'))
    return
  }
  const parts = window.location.pathname.split('/').filter(Boolean)
  try {
    if (parts[0] === 'libraries' && parts[1]) cleanup = await renderLibrary(root, parts[1])
    else if (parts[0] === 'edit' && parts[1]) cleanup = await renderEditor(root, parts[1])
    else if (parts[0] === 'preview' && parts[1] && parts[2]) cleanup = await renderPreview(root, parts[1], parts[2])
    else await renderLibraries(root)
  } catch (error) {
    const text = error instanceof ApiFailure ? `${error.message} (${error.status})` : String(error)
    root.replaceChildren(h('h1', {}, 'Something is not right'), h('p', { role: 'alert' }, text))
  }
}

takeTokenFromLocation()
listenForHandOff(() => void route())
// Links inside the app change the view without reloading.
document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest('a')
  if (!link || link.origin !== window.location.origin || event.metaKey || event.ctrlKey) return
  event.preventDefault()
  window.history.pushState(null, '', link.pathname)
  void route()
})
window.addEventListener('popstate', () => void route())
void route()
