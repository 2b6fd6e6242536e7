import { randomBytes } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../message/index.js';

/**
 * Identifiers with enough randomness to be unique across boxes (RFC 3261 §8.1.1.4 Call-ID, §19.3
 * tags, §8.1.1.7 branch). A random prefix per process plus a counter keeps them cheap under load.
 */
const prefix = randomBytes(6).toString('hex');
let counter = 0;

function next(): string {
  counter = (counter + 1) % 0x7fffffff;
  return `${prefix}${counter.toString(36)}${randomBytes(3).toString('hex')}`;
}

export function newTag(): string {
  return next();
}

export function newBranch(): string {
  return `${BRANCH_MAGIC_COOKIE}${next()}`;
}

export function newCallId(): string {
  return next();
}
