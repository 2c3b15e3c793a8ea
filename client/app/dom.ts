/** A tiny element builder: h('button', { onclick, 'aria-label': 'x' }, 'Text'). */
type Child = Node | string | null | undefined | false
type Props = Record<string, unknown>

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value as EventListener)
    else if (key === 'class') element.className = String(value)
    else if (key in element && typeof value !== 'string') (element as unknown as Record<string, unknown>)[key] = value
    else element.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children) if (child) element.append(child)
  return element
}

export function clear(element: Element): void {
  element.replaceChildren()
}

/** A colour for a user, stable across sessions. */
export function colorFor(id: string): string {
  let hash = 0
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0
  const palette = ['#d0312d', '#1f77b4', '#2ca02c', '#9467bd', '#e377c2', '#8c564b', '#ff7f0e', '#17becf']
  return palette[hash % palette.length]!
}
