/**
 * Datadog monitor message templates (pure): a small parser that finds
 * conditional blocks (`{{#is_alert}}...{{/is_alert}}`, `{{^is_match "env.name" "prod"}}`),
 * where each notification handle sits, and what is malformed.
 */

/** Conditional variables Datadog understands (`{{#name}}` / `{{^name}}`). */
export const CONDITIONALS = [
  'is_alert',
  'is_alert_recovery',
  'is_alert_to_warning',
  'is_exact_match',
  'is_match',
  'is_no_data',
  'is_no_data_recovery',
  'is_priority',
  'is_recovery',
  'is_renotify',
  'is_unknown',
  'is_warning',
  'is_warning_recovery',
] as const;

/** An enclosing block as seen from inside: `#is_alert`, `^is_match`, ... (`{{else}}` flips it). */
export interface Enclosing {
  readonly name: string;
  readonly negated: boolean;
}

/** A notification handle and the blocks around it, outermost first. */
export interface HandleUse {
  readonly handle: string;
  readonly within: readonly Enclosing[];
}

/** A `{{#is_match "tag.name" "value" ...}}` (or is_exact_match) and the tag it tests. */
export interface MatchUse {
  readonly conditional: string;
  /** The tag variable as written (`env.name`). */
  readonly variable: string;
  /** The tag key it reads (`env`). */
  readonly tag: string;
}

export interface ParsedTemplate {
  /** What is malformed, in order of appearance; empty when well formed. */
  readonly errors: readonly string[];
  readonly handles: readonly HandleUse[];
  readonly matches: readonly MatchUse[];
}

const HANDLE = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9][A-Za-z0-9_.+@-]*[A-Za-z0-9])/g;

/** Parse a message template. Never throws. */
export function parseTemplate(text: string): ParsedTemplate {
  const errors: string[] = [];
  const handles: HandleUse[] = [];
  const matches: MatchUse[] = [];
  const stack: Array<{ name: string; negated: boolean; flipped: boolean }> = [];
  const within = (): Enclosing[] => stack.map((s) => ({ name: s.name, negated: s.negated !== s.flipped }));
  const scanText = (segment: string): void => {
    for (const m of segment.matchAll(HANDLE)) handles.push({ handle: `@${m[2]}`, within: within() });
  };
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      scanText(text.slice(i));
      break;
    }
    scanText(text.slice(i, open));
    const triple = text.startsWith('{{{', open);
    const closeToken = triple ? '}}}' : '}}';
    const close = text.indexOf(closeToken, open + (triple ? 3 : 2));
    if (close < 0) {
      errors.push(`an unterminated "${triple ? '{{{' : '{{'}" at offset ${open}`);
      break;
    }
    const body = text.slice(open + (triple ? 3 : 2), close).trim();
    i = close + closeToken.length;
    if (triple) continue; // {{{var}}}: unescaped variable
    const head = body[0];
    if (head === '#' || head === '^') {
      const [name, ...rest] = splitArgs(body.slice(1));
      if (!name) {
        errors.push(`an empty block "{{${body}}}"`);
        continue;
      }
      if (!(CONDITIONALS as readonly string[]).includes(name)) errors.push(`an unknown conditional "{{${head}${name}}}"`);
      if (name === 'is_match' || name === 'is_exact_match') {
        if (rest.length < 2 || rest.some((a) => !/^"[^"]*"$/.test(a))) {
          errors.push(`"{{${head}${name} ...}}" with a quoted tag variable and at least one quoted value`);
        } else {
          const variable = rest[0].slice(1, -1);
          matches.push({ conditional: name, variable, tag: tagOfVariable(variable) });
        }
      }
      if (name === 'is_priority' && !(rest.length === 1 && /^['"]P[1-5]['"]$/.test(rest[0]))) errors.push(`"{{${head}is_priority 'P1'}}" naming P1 to P5`);
      stack.push({ name, negated: head === '^', flipped: false });
    } else if (head === '/') {
      const name = body.slice(1).trim();
      const top = stack.pop();
      if (!top) errors.push(`a closing "{{/${name}}}" without an opening block`);
      else if (top.name !== name) {
        errors.push(`"{{/${name}}}" closing "{{${top.negated ? '^' : '#'}${top.name}}}"`);
        stack.push(top);
        // Recover: if an outer block matches, close up to it.
        const idx = stack.map((s) => s.name).lastIndexOf(name);
        if (idx >= 0) stack.splice(idx);
      }
    } else if (body === 'else') {
      const top = stack[stack.length - 1];
      if (!top) errors.push('an "{{else}}" outside a conditional block');
      else if (top.flipped) errors.push(`a second "{{else}}" in "{{${top.negated ? '^' : '#'}${top.name}}}"`);
      else top.flipped = true;
    } else if (body === '') {
      errors.push('an empty "{{}}"');
    }
  }
  for (const s of stack.reverse()) errors.push(`"{{${s.negated ? '^' : '#'}${s.name}}}" never closed`);
  return { errors, handles, matches };
}

/** `env.name` -> `env`; `[dot.key].name` -> `dot.key`; `@http.status_code.name` -> `@http.status_code`. */
export function tagOfVariable(variable: string): string {
  let v = variable.trim().replace(/\.name$/, '');
  if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
  return v;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"[^"]*"|'[^']*'|[^\s]+/g;
  for (const m of s.matchAll(re)) out.push(m[0]);
  return out;
}
