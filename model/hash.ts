/**
 * A small stable string hash (32-bit FNV-1a). Used wherever a choice must not
 * depend on file order: batch tie-breaks, subnet spreading.
 */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
