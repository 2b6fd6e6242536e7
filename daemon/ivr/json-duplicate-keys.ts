/**
 * Keys given twice in one JSON object. JSON.parse keeps the last silently, so a hand-edited flow
 * with two `"1"` menu options or two nodes of the same id would lose one without a word.
 */

interface Frame {
  /** null for an array. */
  keys: Set<string> | null;
  path: string;
  lastKey: string;
  index: number;
}

/** JSON Pointers (`/nodes/menu/options/1`) of the repeated keys; `text` must be valid JSON. */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack.at(-1);
    if (!top) return '';
    return `${top.path}/${top.keys ? top.lastKey : String(top.index)}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      if (top?.keys && nextNonSpace(text, end + 1) === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) found.push(`${top.path}/${key}`);
        top.keys.add(key);
        top.lastKey = key;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      stack.push({ keys: c === '{' ? new Set() : null, path: childPath(), lastKey: '', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top && !top.keys) top.index++;
    }
  }
  return found;
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

function nextNonSpace(text: string, from: number): string | undefined {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return text[i];
}
