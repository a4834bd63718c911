import { Writable } from 'node:stream'

/**
 * Characters a terminal may act on, or that make printed text read differently from what it holds:
 * - C0 controls except tab and newline, and DEL (ANSI escape sequences start with ESC, U+001B);
 * - C1 controls U+0080–U+009F (U+009B is a one-character CSI: many terminals act on it like ESC [);
 * - bidi embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069 ("Trojan Source", CVE-2021-42574):
 *   they reorder what is shown, so `evt_1‮gnp.exe` reads differently from what it is.
 * The left-to-right and right-to-left marks (U+200E, U+200F) are kept: they reorder nothing by themselves, and
 * mixed right-to-left text (Hebrew or Arabic device names) needs them to display correctly.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/**
 * THE sanitizer for text printed to a terminal: console alerts, `state show`, `state dead-letters`, `replay`,
 * `test-notify`. Removes what UNSAFE lists; tabs and newlines stay.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '')
}

/**
 * JSON text for a terminal: every such character written as its `\uXXXX` escape, so the JSON still parses to
 * the same value while the terminal sees only printable text. (JSON.stringify escapes C0 controls already, but
 * not C1 controls or bidi overrides.)
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** In JSON text: an escaped backslash, a `\uXXXX` escape, or a raw unsafe character. */
const JSON_TOKEN = new RegExp(`\\\\\\\\|\\\\u([0-9a-fA-F]{4})|${UNSAFE.source}`, 'g')
const UNSAFE_CHAR = new RegExp(`^${UNSAFE.source}$`)

/**
 * JSON text for a reader that decodes it and prints the values (pino-pretty on a terminal): every such character,
 * raw or written as a `\uXXXX` escape, becomes the visible text `\uXXXX`, so what the reader prints is printable.
 * (terminalSafeJson is not enough there: the reader's JSON.parse turns its escapes back into the characters.)
 */
export function terminalSafeDecodedJson(json: string): string {
  return json.replace(JSON_TOKEN, (token, hex: string | undefined) => {
    const char = hex === undefined ? token : String.fromCharCode(Number.parseInt(hex, 16))
    if (!UNSAFE_CHAR.test(char)) return token // an escaped backslash, or an escape of a harmless character
    return `\\\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

/**
 * A stream that writes everything through `clean` (terminalSafe, or terminalSafeJson for JSON lines) to `target`,
 * with back-pressure passed on: for commands that hand their output stream to code that writes event data.
 */
export function terminalSafeStream(
  target: NodeJS.WritableStream,
  clean: (text: string) => string,
): NodeJS.WritableStream {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (target.write(clean(typeof chunk === 'string' ? chunk : chunk.toString('utf8')))) done()
      else target.once('drain', () => done())
    },
  })
}
