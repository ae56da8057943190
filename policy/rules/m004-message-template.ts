/**
 * ROLLOUT-M004: the message template is well formed: every `{{#x}}` /
 * `{{^x}}` is closed by `{{/x}}` in order, conditionals exist, `is_match`
 * has a quoted tag variable and value. Datadog accepts a broken template and
 * then silently sends the wrong text to the wrong people.
 */
import { parseTemplate } from '../../plan/monitoring/template';
import type { Rule } from '../rule';

export const M004: Rule = {
  id: 'ROLLOUT-M004',
  title: 'the message template is well formed (balanced {{#x}}/{{/x}}, known conditionals)',
  check(m) {
    const texts = [m.message, ...(m.renotify?.message !== undefined ? [m.renotify.message] : [])];
    const errors = texts.flatMap((t) => parseTemplate(t).errors);
    return errors.length === 0
      ? []
      : [{ field: 'message', got: errors.join('; '), expected: 'a well-formed template: each {{#x}} or {{^x}} closed by its {{/x}}, known conditionals only' }];
  },
};
