/**
 * Review comments: threads in the asset's `<assetId>/comments` document, each anchored to a range
 * of the body with Yjs relative positions, so the range follows everyone's edits. A ProseMirror
 * plugin highlights the anchored text; the sidebar lists threads with replies and resolve/reopen.
 */
import { Plugin, PluginKey, TextSelection, type EditorState } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'

export interface Reply {
  author: string
  name: string
  text: string
  at: string
}

export interface Thread {
  id: string
  map: Y.Map<unknown>
  quote: string
  text: string
  author: string
  name: string
  createdAt: string
  resolved: boolean
  replies: Reply[]
}

export const commentsKey = new PluginKey<DecorationSet>('folio-comments')

type Mapping = Parameters<typeof absolutePositionToRelativePosition>[2]

function binding(state: EditorState): { mapping: Mapping; doc: Y.Doc; type: Y.XmlFragment } | null {
  const sync = ySyncPluginKey.getState(state) as { binding?: { mapping: Mapping; doc: Y.Doc; type: Y.XmlFragment } } | undefined
  return sync?.binding ?? null
}

export function threadsOf(comments: Y.Doc): Thread[] {
  return comments
    .getArray<Y.Map<unknown>>('threads')
    .toArray()
    .map((map) => ({
      id: String(map.get('id')),
      map,
      quote: String(map.get('quote') ?? ''),
      text: String(map.get('text') ?? ''),
      author: String(map.get('author') ?? ''),
      name: String(map.get('name') ?? ''),
      createdAt: String(map.get('createdAt') ?? ''),
      resolved: map.get('resolved') === true,
      replies: ((map.get('replies') as Y.Array<Reply> | undefined)?.toArray() ?? []).filter((r) => typeof r?.text === 'string'),
    }))
}

/** Where a thread's anchor is in the editor now; null once its text is gone. */
export function rangeOf(state: EditorState, thread: Thread): { from: number; to: number } | null {
  const b = binding(state)
  const anchor = thread.map.get('anchor') as { from?: unknown; to?: unknown } | undefined
  if (!b || !anchor?.from || !anchor.to) return null
  const from = relativePositionToAbsolutePosition(b.doc, b.type, Y.createRelativePositionFromJSON(anchor.from), b.mapping)
  const to = relativePositionToAbsolutePosition(b.doc, b.type, Y.createRelativePositionFromJSON(anchor.to), b.mapping)
  if (from === null || to === null || to <= from) return null
  return { from, to }
}

export function addThread(view: EditorView, comments: Y.Doc, user: { id: string; name: string }, text: string): boolean {
  const { from, to } = view.state.selection
  const b = binding(view.state)
  if (!b || from === to) return false
  const thread = new Y.Map<unknown>()
  const replies = new Y.Array<Reply>()
  comments.transact(() => {
    thread.set('id', crypto.randomUUID())
    thread.set('anchor', {
      from: Y.relativePositionToJSON(absolutePositionToRelativePosition(from, b.type, b.mapping)),
      to: Y.relativePositionToJSON(absolutePositionToRelativePosition(to, b.type, b.mapping)),
    })
    thread.set('quote', view.state.doc.textBetween(from, to, ' ').slice(0, 200))
    thread.set('text', text)
    thread.set('author', user.id)
    thread.set('name', user.name)
    thread.set('createdAt', new Date().toISOString())
    thread.set('resolved', false)
    thread.set('replies', replies)
    comments.getArray<Y.Map<unknown>>('threads').push([thread])
  })
  return true
}

export function reply(thread: Thread, user: { id: string; name: string }, text: string): void {
  ;(thread.map.get('replies') as Y.Array<Reply> | undefined)?.push([{ author: user.id, name: user.name, text, at: new Date().toISOString() }])
}

export function setResolved(thread: Thread, resolved: boolean): void {
  thread.map.set('resolved', resolved)
}

export function selectThread(view: EditorView, thread: Thread): void {
  const range = rangeOf(view.state, thread)
  if (!range) return
  view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, range.from, range.to)).scrollIntoView())
  view.focus()
}

/** Highlights the open threads' ranges; refreshed whenever the comments document changes. */
export function commentsPlugin(comments: Y.Doc): Plugin<DecorationSet> {
  const build = (state: EditorState) => {
    const decorations: Decoration[] = []
    for (const thread of threadsOf(comments)) {
      if (thread.resolved) continue
      const range = rangeOf(state, thread)
      if (range) decorations.push(Decoration.inline(range.from, range.to, { class: 'comment-anchor', 'data-thread': thread.id }))
    }
    return DecorationSet.create(state.doc, decorations)
  }
  return new Plugin<DecorationSet>({
    key: commentsKey,
    state: {
      init: (_config, state) => build(state),
      apply: (tr, old, _oldState, newState) => {
        // Rebuild from the Yjs anchors when the comments change, or when a change came from Yjs
        // (then the Yjs document is up to date). A local edit reaches Yjs only after this state is
        // applied, so its highlights are mapped through the edit instead.
        const fromYjs = (tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin === true
        return tr.getMeta(commentsKey) || (tr.docChanged && fromYjs) ? build(newState) : old.map(tr.mapping, tr.doc)
      },
    },
    props: { decorations: (state) => commentsKey.getState(state) },
    view(view) {
      const refresh = () => view.dispatch(view.state.tr.setMeta(commentsKey, true))
      comments.on('update', refresh)
      return { destroy: () => comments.off('update', refresh) }
    },
  })
}
