/**
 * Who is signed in. A `?token=` in the address (the demo sign-in links) is kept for this tab and
 * removed from the address bar. In production the host application hands the token over instead:
 * `folioWindow.postMessage({ type: 'folio:token', token }, folioOrigin)`, or it opens the app with
 * `#token=…` in the fragment, which never reaches a server log.
 */
const STORAGE_KEY = 'folio.token'

export interface SessionUser {
  id: string
  name: string
  admin: boolean
}

export function takeTokenFromLocation(): void {
  const url = new URL(window.location.href)
  const fromQuery = url.searchParams.get('token')
  const fromHash = new URLSearchParams(url.hash.slice(1)).get('token')
  const token = fromQuery ?? fromHash
  if (!token) return
  sessionStorage.setItem(STORAGE_KEY, token)
  url.searchParams.delete('token')
  url.hash = ''
  window.history.replaceState(null, '', url.pathname + url.search)
}

export function listenForHandOff(onToken: () => void): void {
  window.addEventListener('message', (event) => {
    const data = event.data as { type?: unknown; token?: unknown } | null
    if (data?.type !== 'folio:token' || typeof data.token !== 'string') return
    sessionStorage.setItem(STORAGE_KEY, data.token)
    onToken()
  })
}

export function token(): string | null {
  return sessionStorage.getItem(STORAGE_KEY)
}

/** The user the token names (its payload, unverified: the server verifies it on every call). */
export function currentUser(): SessionUser | null {
  const value = token()
  if (!value) return null
  try {
    const payload = JSON.parse(atob(value.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>
    const id = String(payload.sub ?? '')
    return { id, name: typeof payload.name === 'string' ? payload.name : id, admin: payload.admin === true }
  } catch {
    // Not a JWT: the server will say so on the first call.
    return null
  }
}
