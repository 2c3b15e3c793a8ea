/**
 * A library: its assets with type, status, tags, live version and who is in each right now;
 * filters; creating web content, documents and collections; and the staging bar.
 */
import { api, ApiFailure } from '../api.js'
import { clear, h } from '../dom.js'

interface Library {
  id: string
  name: string
  description: string
  stagingEnabled: boolean
  workflowEnabled: boolean
  permissions: string[]
}

interface Asset {
  id: string
  type: string
  title: string
  status: string
  tags: string[]
}

interface Presence {
  document: string
  userId: string
  name: string
}

interface Publication {
  id: string
  mode: string
  status: string
  assetIds: string[]
  createdBy: string
  createdAt: string
  durationMs: number | null
  error: string | null
  generation: number | null
}

interface CategoryNode {
  id: string
  name: string
  children: CategoryNode[]
}

const PRESENCE_REFRESH_MS = 3000

export async function renderLibrary(root: HTMLElement, libraryId: string): Promise<() => void> {
  const library = await api<Library>(`/libraries/${libraryId}`)
  const can = (p: string) => library.permissions.includes(p)
  const filters = { type: '', status: '', tag: '' }
  const table = h('tbody')
  const message = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true })
  const history = h('ol', { class: 'publications', 'aria-label': 'Publication history' })
  let presence: Presence[] = []
  let assets: Asset[] = []
  let live = new Set<string>()

  const say = (text: string) => {
    message.textContent = text
    message.hidden = false
  }
  const attempt = async (fn: () => Promise<unknown>, done: string, progress?: string) => {
    // While it runs: say so, and keep the buttons from being pressed twice.
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('button')]
    if (progress) {
      say(progress)
      root.setAttribute('aria-busy', 'true')
      for (const b of buttons) b.disabled = true
    }
    try {
      await fn()
      say(done)
      await load()
    } catch (error) {
      say(error instanceof ApiFailure ? error.message : String(error))
    } finally {
      root.removeAttribute('aria-busy')
      for (const b of buttons) b.disabled = false
    }
  }

  async function load() {
    const query = new URLSearchParams({ limit: '100' })
    for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value)
    assets = (await api<{ items: Asset[] }>(`/libraries/${libraryId}/assets?${query}`)).items
    live = new Set(Object.keys((await api<{ assets: Record<string, number> }>(`/libraries/${libraryId}/live-state`)).assets))
    renderRows()
    await loadHistory()
  }

  async function loadPresence() {
    presence = (await api<{ items: Presence[] }>(`/libraries/${libraryId}/presence`)).items
    renderRows()
  }

  function renderRows() {
    clear(table)
    for (const asset of assets) {
      const here = [...new Set(presence.filter((p) => p.document.split('/')[0] === asset.id).map((p) => p.name))]
      table.append(
        h(
          'tr',
          { 'data-asset': asset.id },
          h('td', {}, h('input', { type: 'checkbox', class: 'pick', value: asset.id, 'aria-label': `Pick ${asset.title}` })),
          h('td', {}, h('a', { href: `/edit/${asset.id}` }, asset.title || '(untitled)')),
          h('td', {}, asset.type),
          h('td', {}, asset.status),
          h('td', {}, asset.tags.join(', ')),
          h('td', {}, live.has(asset.id) ? 'live' : '—'),
          h('td', { class: 'presence' }, ...here.map((name) => h('span', { class: 'avatar small', title: name }, name.slice(0, 1).toUpperCase()))),
        ),
      )
    }
  }

  async function loadHistory() {
    const { items } = await api<{ items: Publication[] }>(`/libraries/${libraryId}/publications?limit=100`)
    clear(history)
    for (const p of [...items].reverse().slice(0, 20)) {
      history.append(
        h('li', {}, `${p.createdAt.slice(0, 19).replace('T', ' ')} · ${p.mode} · ${p.status} · ${p.assetIds.length} asset(s) · ${p.createdBy}${p.durationMs !== null ? ` · ${p.durationMs} ms` : ''}${p.error ? ` · ${p.error}` : ''}`),
      )
    }
  }

  const picked = () => [...root.querySelectorAll<HTMLInputElement>('input.pick:checked')].map((i) => i.value)

  // --- creation forms ---------------------------------------------------------------------------
  const newTitle = h('input', { 'aria-label': 'New web content title', placeholder: 'Title', required: true })
  const fileInput = h('input', { type: 'file', 'aria-label': 'Document file' })
  const docTitle = h('input', { 'aria-label': 'New document title', placeholder: 'Document title' })
  const collectionTitle = h('input', { 'aria-label': 'New collection title', placeholder: 'Collection title' })
  const dynamicTag = h('input', { 'aria-label': 'Dynamic collection tag', placeholder: 'tag (dynamic)' })
  const dynamicCategory = h('select', { 'aria-label': 'Dynamic collection category' }, h('option', { value: '' }, 'any category'))
  void (async () => {
    const vocabularies = (await api<{ items: { id: string; name: string }[] }>(`/libraries/${libraryId}/vocabularies?limit=100`)).items
    for (const vocabulary of vocabularies) {
      const tree = await api<{ categories: CategoryNode[] }>(`/libraries/${libraryId}/vocabularies/${vocabulary.id}`)
      const add = (nodes: CategoryNode[], depth: number) => {
        for (const node of nodes) {
          dynamicCategory.append(h('option', { value: node.id }, `${vocabulary.name}: ${'— '.repeat(depth)}${node.name}`))
          add(node.children, depth + 1)
        }
      }
      add(tree.categories, 0)
    }
  })().catch(() => undefined)

  const create = h(
    'section',
    { class: 'create', 'aria-label': 'Create' },
    h('h2', {}, 'Create'),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          void attempt(() => api(`/libraries/${libraryId}/assets`, { method: 'POST', body: { type: 'web-content', title: newTitle.value } }), 'Created.')
        },
      },
      newTitle,
      h('button', { type: 'submit' }, 'Create web content'),
    ),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          const file = fileInput.files?.[0]
          if (!file) return say('Pick a file first.')
          void attempt(async () => {
            const asset = await api<{ id: string }>(`/libraries/${libraryId}/assets`, { method: 'POST', body: { type: 'document', title: docTitle.value || file.name } })
            await api(`/libraries/${libraryId}/assets/${asset.id}/files?filename=${encodeURIComponent(file.name)}`, { method: 'POST', raw: file })
          }, 'Uploaded.')
        },
      },
      docTitle,
      fileInput,
      h('button', { type: 'submit' }, 'Upload document'),
    ),
    h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault()
          const tag = dynamicTag.value.trim()
          const category = dynamicCategory.value
          const collection =
            tag || category
              ? { kind: 'dynamic', query: { ...(tag ? { tags: [tag] } : {}), ...(category ? { categories: [category] } : {}), sort: 'title', order: 'asc', limit: 50 } }
              : { kind: 'manual', items: picked() }
          void attempt(() => api(`/libraries/${libraryId}/assets`, { method: 'POST', body: { type: 'collection', title: collectionTitle.value || 'Collection', collection } }), 'Collection created.')
        },
      },
      collectionTitle,
      dynamicTag,
      dynamicCategory,
      h('button', { type: 'submit' }, 'Create collection (picked assets, or by tag and category)'),
    ),
  )

  // --- staging bar ----------------------------------------------------------------------------------
  const sinceInput = h('input', { type: 'datetime-local', 'aria-label': 'Approved since' })
  const publish = (body: Record<string, unknown>, done: string) =>
    attempt(() => api(`/libraries/${libraryId}/publications`, { method: 'POST', body }), done, 'Publishing…')

  const stagingBar = h(
    'section',
    { class: 'staging-bar', 'aria-label': 'Staging' },
    h('span', { class: `badge ${library.stagingEnabled ? 'staging' : 'live'}` }, library.stagingEnabled ? 'Staging' : 'Live'),
    library.workflowEnabled ? h('span', { class: 'badge' }, 'Workflow on') : null,
    library.stagingEnabled && can('PUBLISH_LIBRARY')
      ? h('button', { type: 'button', class: 'publish-simple', onclick: () => publish({ mode: 'simple' }, 'Published to Live.') }, 'Publish to Live')
      : null,
    library.stagingEnabled && can('PUBLISH')
      ? h('button', { type: 'button', class: 'publish-advanced', onclick: () => publish({ mode: 'advanced', assetIds: picked() }, 'Picked assets published.') }, 'Publish picked assets')
      : null,
    library.stagingEnabled && can('PUBLISH') ? sinceInput : null,
    library.stagingEnabled && can('PUBLISH')
      ? h('button', { type: 'button', class: 'publish-since', onclick: () => sinceInput.value && publish({ mode: 'advanced', since: new Date(sinceInput.value).toISOString() }, 'Approved since then: published.') }, 'Publish approved since')
      : null,
  )

  const filterBar = h(
    'form',
    { class: 'filters', 'aria-label': 'Filters', onchange: () => void load() },
    h('label', {}, 'Type ', h('select', { onchange: (e: Event) => (filters.type = (e.target as HTMLSelectElement).value) }, ...['', 'web-content', 'document', 'collection'].map((v) => h('option', { value: v }, v || 'any')))),
    h('label', {}, 'Status ', h('select', { onchange: (e: Event) => (filters.status = (e.target as HTMLSelectElement).value) }, ...['', 'draft', 'pending', 'approved'].map((v) => h('option', { value: v }, v || 'any')))),
    h('label', {}, 'Tag ', h('input', { onchange: (e: Event) => (filters.tag = (e.target as HTMLInputElement).value) })),
  )

  clear(root)
  root.append(
    h('h1', {}, library.name),
    h('p', {}, library.description),
    stagingBar,
    message,
    filterBar,
    h('table', { class: 'assets' }, h('thead', {}, h('tr', {}, ...['', 'Title', 'Type', 'Status', 'Tags', 'Live', 'Here now'].map((t) => h('th', { scope: 'col' }, t)))), table),
    can('MANAGE_ASSETS') ? create : '',
    h('section', { 'aria-label': 'Publications' }, h('h2', {}, 'Publications'), history),
  )
  await load()
  await loadPresence()
  const timer = setInterval(() => void loadPresence().catch(() => undefined), PRESENCE_REFRESH_MS)
  return () => clearInterval(timer)
}
