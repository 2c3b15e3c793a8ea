/**
 * The type of an upload, from its bytes and never from what the client claimed: file-type knows
 * the binary formats by their magic numbers; bytes it does not know are text if they decode as
 * UTF-8 without control characters, and opaque otherwise. Text is stored as text/plain, so an
 * HTML or SVG upload is never served as something a browser would render.
 */
import { fileTypeFromBuffer } from 'file-type'

export const OCTET_STREAM = 'application/octet-stream'

export async function detectType(head: Uint8Array): Promise<string> {
  const known = await fileTypeFromBuffer(head)
  if (known) return known.mime
  return looksLikeText(head) ? 'text/plain; charset=utf-8' : OCTET_STREAM
}

// Control characters other than tab, line feed, form feed and carriage return.
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/

function looksLikeText(head: Uint8Array): boolean {
  // The sample may end inside a multi-byte character: drop up to three trailing bytes and retry.
  for (let cut = 0; cut < 4 && cut < head.length; cut++) {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut))
    } catch {
      // Not valid UTF-8 where it was cut: try a shorter sample.
      continue
    }
    return !CONTROL.test(text)
  }
  return false
}
