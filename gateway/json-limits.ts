/**
 * JSON nesting is bounded before `JSON.parse` sees the text (issue #14): a body or WebSocket
 * message nested thousands deep parses, but every recursive walk after it (validation, copying,
 * `JSON.stringify` of the args) can overflow the stack and take the socket or the request down.
 * Counting brackets outside strings is one linear pass with no allocation.
 */

/** Deepest nesting any request of ours needs is 3 (checkout items); 32 leaves room for growth. */
export const maxJsonDepth = 32;

/** True when `text`, read as JSON, opens more than `maxDepth` arrays or objects inside each other. */
export function exceedsJsonDepth(text: string, maxDepth: number = maxJsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index += 1; // a backslash escapes the next character, `\"` included
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return false;
}
