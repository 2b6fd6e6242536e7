import type { FlowNode, Language, NodeId, PromptRef } from './flow-types.js';

/** One arrow out of a node: the field holding it (relative JSON Pointer: `options/1`) and where it points. */
export interface Edge {
  field: string;
  to: NodeId;
}

const opt = (field: string, to: NodeId | undefined): Edge[] => (to === undefined ? [] : [{ field, to }]);

/** Every node a node can lead to, `on_error` included (the flow's own `on_error` is not). */
export function nodeEdges(node: FlowNode): Edge[] {
  return [...typeEdges(node), ...opt('on_error', node.on_error)];
}

function typeEdges(node: FlowNode): Edge[] {
  switch (node.type) {
    case 'menu':
      return [...Object.entries(node.options).map(([digit, to]) => ({ field: `options/${digit}`, to })), ...opt('on_fail', node.on_fail)];
    case 'collect':
      return [...opt('next', node.next), ...opt('on_fail', node.on_fail)];
    case 'pin_check':
      return [...opt('next', node.next), ...opt('on_fail', node.on_fail)];
    case 'time_switch':
    case 'caller_match':
      return [...node.rules.map((r, i) => ({ field: `rules/${i}/next`, to: r.next })), ...opt('otherwise', node.otherwise)];
    case 'goto':
      return opt('target', node.target);
    case 'route':
      return opt('on_no_answer', node.on_no_answer);
    case 'queue':
      return opt('on_overflow', node.on_overflow);
    case 'voicemail':
      return opt('next', node.next);
    case 'hangup':
      return [];
    default:
      return opt('next', node.next);
  }
}

/**
 * Whether the caller gets a say before the flow moves on: a node that waits for digits, plays a
 * prompt a digit can cut (barge-in), or hands the call on. A cycle made only of the other nodes
 * spins without the caller ever being heard ("loop without input").
 */
export function givesCallerATurn(node: FlowNode): boolean {
  switch (node.type) {
    case 'play':
      return node.barge_in !== false;
    case 'set':
    case 'goto':
    case 'time_switch':
    case 'caller_match':
    case 'http_lookup':
    case 'say':
      return false;
    default:
      return true;
  }
}

/** A prompt a node plays: the field (relative JSON Pointer) and the language it is looked up in. */
export interface PromptUse {
  field: string;
  ref: PromptRef;
  lang: Language;
}

/** Every prompt the node may play; `say` fragments in the node's own language when it has one. */
export function nodePrompts(node: FlowNode, flowLang: Language): PromptUse[] {
  const lists: Array<[string, PromptRef[] | undefined, Language]> = [];
  switch (node.type) {
    case 'menu':
      lists.push(['prompts', node.prompts, flowLang], ['invalid_prompts', node.invalid_prompts, flowLang], ['timeout_prompts', node.timeout_prompts, flowLang]);
      break;
    case 'collect':
      lists.push(['prompts', node.prompts, flowLang], ['invalid_prompts', node.invalid_prompts, flowLang]);
      break;
    case 'say':
      lists.push(['before', node.before, node.language ?? flowLang], ['after', node.after, node.language ?? flowLang]);
      break;
    case 'voicemail':
      lists.push(['greeting', node.greeting, flowLang]);
      break;
    case 'play':
    case 'pin_check':
    case 'callback_request':
    case 'survey':
    case 'hangup':
      lists.push(['prompts', node.prompts, flowLang]);
      break;
    default:
      break;
  }
  return lists.flatMap(([field, refs, lang]) => (refs ?? []).map((ref, i) => ({ field: `${field}/${i}`, ref, lang })));
}
