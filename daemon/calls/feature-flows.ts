import type { Flow, Language } from '../ivr/flow-types.js';

/**
 * Built-in one-step flows, so the box answers these calls through the same IVR path every flow takes
 * (media, digits, hang-up): a line routed straight to a queue, and feature-code confirmations.
 */

/** A line routed to `queue:NAME`: straight into the queue; given back by the queue = a goodbye. */
export function queueFlow(queue: string, language: Language): Flow {
  return {
    name: `queue-${queue}`, language, start: 'queue', on_error: 'bye',
    nodes: {
      queue: { type: 'route', target: `queue:${queue}`, on_no_answer: 'bye' },
      bye: { type: 'hangup', prompts: ['goodbye'] },
    },
  };
}

/** A desk-phone feature code (*45 …): the confirmation prompt, then hang up. */
export function featureFlow(prompt: string, language: Language): Flow {
  return {
    name: 'feature-code', language, start: 'done', on_error: 'done',
    nodes: { done: { type: 'hangup', prompts: [prompt] } },
  };
}
