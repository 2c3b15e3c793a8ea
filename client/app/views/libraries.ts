/** The libraries I can see. */
import { api } from '../api.js'
import { clear, h } from '../dom.js'

interface Library {
  id: string
  name: string
  description: string
  role: string | null
  stagingEnabled: boolean
}

export async function renderLibraries(root: HTMLElement): Promise<void> {
  const { items } = await api<{ items: Library[] }>('/libraries?limit=100')
  clear(root)
  root.append(
    h('h1', {}, 'Libraries'),
    items.length === 0
      ? h('p', {}, 'You are not a member of any library yet.')
      : h(
          'ul',
          { class: 'cards' },
          ...items.map((l) =>
            h(
              'li',
              { class: 'card' },
              h('a', { href: `/libraries/${l.id}` }, h('h2', {}, l.name)),
              h('p', {}, l.description),
              h('span', { class: 'badge' }, l.role ?? ''),
              h('span', { class: `badge ${l.stagingEnabled ? 'staging' : 'live'}` }, l.stagingEnabled ? 'Staging' : 'Live'),
            ),
          ),
        ),
  )
}
