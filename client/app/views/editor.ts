/**
 * The editor: fields and a rich body bound to the asset's Yjs document, remote cursors, who is
 * here, undo of one's own changes, the connection state, review comments, workflow and versions.
 */
import { exampleSetup } from 'prosemirror-example-setup'
import { keymap } from 'prosemirror-keymap'
import { EditorState } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { redo, undo, yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import { bodySchema } from '../../../shared/schema.js'
import { connectAsset, type AssetConnection } from '../../connect-asset.js'
import { api, ApiFailure } from '../api.js'
import { addThread, commentsPlugin, reply, selectThread, setResolved, threadsOf } from '../comments.js'
import { clear, colorFor, h } from '../dom.js'
import { currentUser, token } from '../session.js'

interface LibraryInfo {
  id: string
  name: string
  stagingEnabled: boolean
  workflowEnabled: boolean
  permissions: string[]
}

interface AssetInfo {
  id: string
  libraryId: string
  type: string
  title: string
  status: string
}

interface Version {
  version: number
  status: string
  createdBy: string
  createdAt: string
  reviewComment: string | null
}

const CLOSE_MESSAGES: Record<number, string> = {
  4401: 'Your sign-in is no longer valid. Sign in again to keep editing.',
  4403: 'You no longer have access to this asset.',
  4404: 'This asset does not exist (any more).',
  4429: 'You have too many Folio tabs open. Close some and reload.',
}

export async function renderEditor(root: HTMLElement, assetId: string): Promise<() => void> {
  const user = currentUser()
  const asset = await api<AssetInfo>(`/assets/${assetId}`)
  const library = await api<LibraryInfo>(`/libraries/${asset.libraryId}`)
  const can = (p: string) => library.permissions.includes(p)
  let readOnly = !can('EDIT')
  const cleanups: (() => void)[] = []

  const status = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'Connecting…')
  const avatars = h('div', { class: 'avatars', 'aria-label': 'Who is here' })
  const notice = h('div', { class: 'notice', role: 'alert', hidden: true })
  const titleInput = h('input', { class: 'title', 'aria-label': 'Title', placeholder: 'Title' })
  const descriptionInput = h('input', { class: 'description', 'aria-label': 'Description', placeholder: 'Description' })
  const fieldsBox = h('div', { class: 'fields', 'aria-label': 'Fields' })
  const editorHost = h('div', { class: 'editor-host' })
  const threadsList = h('ol', { class: 'threads', 'aria-label': 'Comments' })
  const commentText = h('textarea', { 'aria-label': 'Comment on the selected text', placeholder: 'Select text, then write a comment', rows: 2 })
  const imagePicker = h('select', { class: 'image-picker', 'aria-label': 'Insert an image from the library' }, h('option', { value: '' }, 'Insert image from the library…'))
  const workflowBox = h('div', { class: 'workflow' })
  const versionsBox = h('section', { class: 'versions', 'aria-label': 'Versions' })

  clear(root)
  root.append(
    h(
      'div',
      { class: 'editor-page' },
      h(
        'div',
        { class: 'editor-main' },
        h(
          'nav',
          { class: 'crumbs' },
          h('a', { href: `/libraries/${library.id}` }, library.name),
          ' › ',
          h('span', {}, asset.title),
          h('span', { class: `badge ${library.stagingEnabled ? 'staging' : 'live'}` }, library.stagingEnabled ? 'Staging' : 'Live'),
        ),
        h('div', { class: 'editor-bar' }, status, imagePicker, avatars),
        notice,
        titleInput,
        descriptionInput,
        fieldsBox,
        editorHost,
      ),
      h(
        'aside',
        { class: 'editor-side' },
        h('h2', {}, 'Comments'),
        commentText,
        h('button', { type: 'button', class: 'add-comment', onclick: () => comment() }, 'Comment'),
        threadsList,
        workflowBox,
        versionsBox,
      ),
    ),
  )

  // --- documents -----------------------------------------------------------------------------
  const options = { token: token() ?? '' }
  let connection: AssetConnection = connectAsset(window.location.origin, asset.id, options)
  const comments = connectAsset(window.location.origin, `${asset.id}/comments`, options)
  const localUser = { id: user?.id ?? '', name: user?.name ?? '', color: colorFor(user?.id ?? '') }
  let view: EditorView | null = null

  /**
   * Takes the view off the page and destroys it a tick later: y-prosemirror schedules cursor
   * updates with a zero timeout and dispatches them without checking that the view still exists.
   */
  function retireView() {
    const old = view
    view = null
    if (!old) return
    old.dom.remove()
    setTimeout(() => old.destroy(), 0)
  }

  function mount() {
    retireView()
    const awareness = connection.provider.awareness
    awareness.setLocalStateField('user', localUser)
    const fragment = connection.doc.getXmlFragment('body')
    const state = EditorState.create({
      schema: bodySchema,
      plugins: [
        ySyncPlugin(fragment),
        yCursorPlugin(awareness),
        yUndoPlugin(),
        keymap({ 'Mod-z': undo, 'Mod-y': redo, 'Mod-Shift-z': redo }),
        ...exampleSetup({ schema: bodySchema, history: false, menuBar: true }),
        commentsPlugin(comments.doc),
      ],
    })
    view = new EditorView(editorHost, {
      state,
      editable: () => !readOnly,
      attributes: { 'aria-label': 'Body', role: 'textbox', 'aria-multiline': 'true' },
      nodeViews: { image: (node) => imageView(node.attrs as { src: string; alt?: string; title?: string }) },
    })
    bindField(titleInput, 'title')
    bindField(descriptionInput, 'description')
    renderFields()
    connection.doc.getMap('fields').observe(renderFields)
    applyReadOnly()
    awareness.on('change', renderAvatars)
    renderAvatars()
  }

  /** Images of the library's documents (`asset:<id>`) load with the session's token, as object URLs. */
  function imageView(attrs: { src: string; alt?: string; title?: string }) {
    const img = h('img', { alt: attrs.alt ?? '', title: attrs.title ?? undefined })
    const reference = /^asset:(ast_[0-9a-z]+)$/.exec(attrs.src)
    if (!reference) img.src = attrs.src
    else void libraryImage(reference[1]!).then((url) => url && (img.src = url))
    return { dom: img }
  }

  const imageUrls = new Map<string, Promise<string | null>>()
  function libraryImage(id: string): Promise<string | null> {
    let url = imageUrls.get(id)
    if (!url) {
      url = (async () => {
        const doc = await api<{ file?: { version: number } }>(`/libraries/${library.id}/assets/${id}`)
        if (!doc.file) return null
        const response = await fetch(`/api/v1/libraries/${library.id}/assets/${id}/files/${doc.file.version}`, { headers: { authorization: `Bearer ${token() ?? ''}` } })
        return response.ok ? URL.createObjectURL(await response.blob()) : null
      })().catch(() => null)
      imageUrls.set(id, url)
    }
    return url
  }

  async function fillImagePicker() {
    const documents = (await api<{ items: { id: string; title: string }[] }>(`/libraries/${library.id}/assets?type=document&limit=100`)).items
    for (const doc of documents) {
      const detail = await api<{ file?: { contentType: string } }>(`/libraries/${library.id}/assets/${doc.id}`)
      if (detail.file?.contentType.startsWith('image/')) imagePicker.append(h('option', { value: doc.id }, doc.title))
    }
  }
  imagePicker.onchange = () => {
    const id = imagePicker.value
    imagePicker.value = ''
    if (!id || !view || readOnly) return
    const title = imagePicker.querySelector(`option[value="${id}"]`)?.textContent ?? ''
    view.dispatch(view.state.tr.replaceSelectionWith(bodySchema.nodes.image!.create({ src: `asset:${id}`, alt: title })))
    view.focus()
  }
  void fillImagePicker().catch(() => undefined)

  function bindField(input: HTMLInputElement, key: string) {
    const fields = connection.doc.getMap<unknown>('fields')
    const show = () => {
      const value = fields.get(key)
      if (document.activeElement !== input) input.value = typeof value === 'string' ? value : ''
    }
    fields.observe(show)
    show()
    input.oninput = () => {
      if (!readOnly) fields.set(key, input.value)
    }
  }

  /** The free key/value fields besides title and description: edited live like the rest. */
  function renderFields() {
    const fields = connection.doc.getMap<unknown>('fields')
    const keys = [...fields.keys()].filter((k) => k !== 'title' && k !== 'description').sort()
    const shown = [...fieldsBox.querySelectorAll<HTMLInputElement>('input.field-value')]
    if (fieldsBox.querySelector('form.add-field') && shown.map((i) => i.dataset.field).join() === keys.join()) {
      // Same fields: refresh the values, but never under the caret of whoever is typing.
      for (const input of shown) {
        const value = fields.get(input.dataset.field!)
        if (document.activeElement !== input) input.value = typeof value === 'string' ? value : String(value ?? '')
        input.readOnly = readOnly
      }
      return
    }
    clear(fieldsBox)
    for (const key of keys) {
      const value = fields.get(key)
      const input = h('input', { class: 'field-value', 'aria-label': `Field ${key}`, 'data-field': key, readOnly, value: typeof value === 'string' ? value : String(value ?? '') })
      input.oninput = () => {
        if (!readOnly) fields.set(key, input.value)
      }
      fieldsBox.append(h('label', { class: 'field' }, h('span', {}, key), input))
    }
    const name = h('input', { 'aria-label': 'New field name', placeholder: 'new field', pattern: '[A-Za-z][A-Za-z0-9_-]{0,63}', readOnly })
    fieldsBox.append(
      h(
        'form',
        {
          class: 'add-field',
          onsubmit: (event: Event) => {
            event.preventDefault()
            const key = name.value.trim()
            if (!readOnly && /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key) && !fields.has(key)) fields.set(key, '')
          },
        },
        name,
        h('button', { type: 'submit', disabled: readOnly }, 'Add field'),
      ),
    )
  }

  function applyReadOnly() {
    titleInput.readOnly = readOnly
    descriptionInput.readOnly = readOnly
    clear(fieldsBox)
    renderFields()
    editorHost.classList.toggle('read-only', readOnly)
    imagePicker.disabled = readOnly
    const menu = editorHost.querySelector('.ProseMirror-menubar')
    menu?.setAttribute('aria-disabled', String(readOnly))
    menu?.classList.toggle('disabled', readOnly)
    view?.setProps({ editable: () => !readOnly })
  }

  function renderAvatars() {
    const seen = new Map<string, { name: string; color: string }>()
    for (const state of connection.provider.awareness.getStates().values()) {
      const u = (state as { user?: { id?: string; name?: string; color?: string } }).user
      if (u?.id && !seen.has(u.id)) seen.set(u.id, { name: u.name ?? u.id, color: u.color ?? colorFor(u.id) })
    }
    clear(avatars)
    for (const [id, u] of seen) {
      avatars.append(h('span', { class: 'avatar', title: u.name, 'data-user': id, style: `background:${u.color}` }, u.name.slice(0, 1).toUpperCase()))
    }
  }

  function showNotice(text: string) {
    notice.textContent = text
    notice.hidden = false
  }

  function renderStatus() {
    const provider = connection.provider
    if (connection.closeInfo) status.textContent = 'Disconnected'
    else if (!provider.wsconnected) status.textContent = connection.isAcknowledged() ? 'Reconnecting…' : 'Offline — edits pending'
    else if (!connection.synced) status.textContent = 'Connecting…'
    else status.textContent = readOnly ? 'Read-only' : connection.isAcknowledged() ? 'Saved' : 'Saving…'
    status.dataset.state = status.textContent
  }

  function wire(current: AssetConnection) {
    current.provider.on('status', renderStatus)
    current.on('synced', renderStatus)
    current.on('acknowledged', renderStatus)
    current.on('closed', (info) => {
      showNotice(CLOSE_MESSAGES[info.code] ?? `Disconnected: ${info.reason}`)
      readOnly = true
      applyReadOnly()
      renderStatus()
    })
    current.on('denied', (reason) => {
      if (!reason.startsWith('read-only') || readOnly) return
      // Downgraded while editing: keep the page and continue read-only.
      readOnly = true
      showNotice('Your role changed: you can read this asset and comment, but no longer edit it.')
      applyReadOnly()
      renderStatus()
      if (current.isAcknowledged()) return
      // Edits the server refused are only in this tab: start again from the server's document.
      retireView()
      current.destroy()
      connection = connectAsset(window.location.origin, asset.id, options)
      wire(connection)
      setTimeout(mount, 0)
    })
  }
  wire(connection)
  mount()
  cleanups.push(() => {
    for (const url of imageUrls.values()) void url.then((u) => u && URL.revokeObjectURL(u))
    retireView()
    connection.destroy()
    comments.destroy()
  })

  // --- comments ------------------------------------------------------------------------------
  function comment() {
    const text = commentText.value.trim()
    if (!text || !view || !user) return
    if (addThread(view, comments.doc, user, text)) commentText.value = ''
    else showNotice('Select some text first, then comment on it.')
  }

  function renderThreads() {
    clear(threadsList)
    const threads = threadsOf(comments.doc).sort((a, b) => Number(a.resolved) - Number(b.resolved))
    for (const thread of threads) {
      const replyInput = h('input', { 'aria-label': 'Reply', placeholder: 'Reply…' })
      threadsList.append(
        h(
          'li',
          { class: `thread${thread.resolved ? ' resolved' : ''}`, 'data-thread': thread.id },
          h('button', { type: 'button', class: 'quote', onclick: () => view && selectThread(view, thread) }, `“${thread.quote}”`),
          h('p', { class: 'comment' }, h('b', {}, thread.name), ' ', thread.text),
          ...thread.replies.map((r) => h('p', { class: 'reply' }, h('b', {}, r.name), ' ', r.text)),
          h(
            'form',
            {
              class: 'reply-form',
              onsubmit: (event: Event) => {
                event.preventDefault()
                if (user && replyInput.value.trim()) reply(thread, user, replyInput.value.trim())
              },
            },
            replyInput,
            h('button', { type: 'submit' }, 'Reply'),
          ),
          h('button', { type: 'button', onclick: () => setResolved(thread, !thread.resolved) }, thread.resolved ? 'Reopen' : 'Resolve'),
        ),
      )
    }
  }
  comments.doc.on('update', renderThreads)
  comments.on('synced', renderThreads)
  renderThreads()

  // --- workflow and versions ------------------------------------------------------------------
  const base = `/libraries/${library.id}/assets/${asset.id}`
  async function act(action: () => Promise<unknown>, done: string) {
    try {
      await action()
      showNotice(done)
      await renderVersions()
    } catch (error) {
      showNotice(error instanceof ApiFailure ? error.message : String(error))
    }
  }

  function renderWorkflow() {
    clear(workflowBox)
    if (library.workflowEnabled) {
      if (can('EDIT')) workflowBox.append(h('button', { type: 'button', onclick: () => act(() => api(`${base}/workflow`, { method: 'POST', body: { action: 'submit' } }), 'Submitted for review.') }, 'Submit for review'))
      if (can('REVIEW')) {
        const reason = h('input', { 'aria-label': 'Review comment', placeholder: 'Review comment' })
        workflowBox.append(
          reason,
          h('button', { type: 'button', onclick: () => act(() => api(`${base}/workflow`, { method: 'POST', body: { action: 'approve', comment: reason.value || undefined } }), 'Approved.') }, 'Approve'),
          h('button', { type: 'button', onclick: () => act(() => api(`${base}/workflow`, { method: 'POST', body: { action: 'reject', comment: reason.value } }), 'Rejected.') }, 'Reject'),
        )
      }
    } else if (can('EDIT')) {
      workflowBox.append(h('button', { type: 'button', onclick: () => act(() => api(`${base}/versions`, { method: 'POST' }), 'Version saved.') }, 'Save version'))
    }
    if (can('PUBLISH') && !library.stagingEnabled) {
      workflowBox.append(h('button', { type: 'button', class: 'publish', onclick: () => act(() => api(`${base}/publish`, { method: 'POST' }), 'Published.') }, 'Publish'))
    }
  }

  async function renderVersions() {
    const versions = (await api<{ items: Version[] }>(`${base}/versions?limit=100`)).items
    clear(versionsBox)
    versionsBox.append(h('h2', {}, 'Versions'))
    const diffBox = h('div', { class: 'diff', 'aria-live': 'polite' })
    for (const v of [...versions].reverse()) {
      versionsBox.append(
        h(
          'div',
          { class: 'version' },
          h('span', {}, `v${v.version} · ${v.status} · ${v.createdBy}`),
          v.version > 1 &&
            h('button', {
              type: 'button',
              onclick: async () => {
                const diff = await api<{ body: { value: string; added: boolean; removed: boolean }[] }>(`${base}/versions/${v.version - 1}/diff/${v.version}`)
                clear(diffBox)
                for (const part of diff.body) diffBox.append(h(part.added ? 'ins' : part.removed ? 'del' : 'span', {}, part.value))
              },
            }, 'Diff'),
          can('PUBLISH') && v.status === 'approved' && h('button', { type: 'button', onclick: () => act(() => api(`${base}/versions/${v.version}/restore`, { method: 'POST' }), `Version ${v.version} is live again.`) }, 'Restore'),
        ),
      )
    }
    versionsBox.append(diffBox)
  }
  renderWorkflow()
  await renderVersions().catch(() => undefined)

  return () => cleanups.forEach((fn) => fn())
}
