/** The REST API, with the session's token; errors carry the server's code and message. */
import { readEventStream } from '../../shared/event-stream.js'
import { token } from './session.js'

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) }
  const bearer = token()
  if (bearer) headers.authorization = `Bearer ${bearer}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : init.raw !== undefined ? { body: init.raw } : {}),
  })
  const text = await response.text()
  const data = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error
    throw new ApiFailure(response.status, error?.code ?? 'error', error?.message ?? response.statusText, error?.details)
  }
  return data as T
}

/** Reads a server-sent-events stream with the session's token (EventSource cannot send headers). */
export function subscribeEvents(path: string, onEvent: (event: string, data: unknown) => void): () => void {
  const controller = new AbortController()
  void (async () => {
    const response = await fetch(`/api/v1${path}`, { headers: { authorization: `Bearer ${token() ?? ''}` }, signal: controller.signal })
    if (response.body) await readEventStream(response.body, (event, data) => onEvent(event, JSON.parse(data)))
  })().catch(() => undefined)
  return () => controller.abort()
}
