import { hasCode } from '../../drivers/coded-error.js';
import type { BlacklistRepo, BlacklistRow } from '../store/blacklist-repo.js';
import { LinesError } from './errors.js';
import { isPlausibleNumber, normalizeNumber } from './phone-number.js';

/** The blacklist by numbers as people type them; matching is on `normalizeNumber`. */
export class Blacklist {
  constructor(private readonly repo: BlacklistRepo) {}

  list(): BlacklistRow[] {
    return this.repo.list();
  }

  add(number: string, reason = ''): BlacklistRow {
    if (!isPlausibleNumber(number)) {
      throw new LinesError('BLACKLIST_BAD_NUMBER', `"${number}" is not a phone number (digits, spaces, dashes, a leading +)`);
    }
    const row = { number: number.trim(), numberNorm: normalizeNumber(number), reason: reason.trim() };
    try {
      this.repo.add(row);
    } catch (err) {
      if (hasCode(err, 'STORE_CONFLICT')) throw new LinesError('BLACKLIST_DUPLICATE', `${row.number} is already on the blacklist`, { cause: err });
      throw err;
    }
    return this.repo.list().find((r) => r.numberNorm === row.numberNorm) ?? { ...row, createdAt: Date.now() };
  }

  remove(number: string): void {
    if (!this.repo.remove(normalizeNumber(number))) throw new LinesError('BLACKLIST_NOT_FOUND', `${number.trim()} is not on the blacklist`);
  }

  /** True when the caller's number (any formatting) is listed; an empty or withheld number never is. */
  isBlocked(number: string | undefined): boolean {
    const norm = number === undefined ? '' : normalizeNumber(number);
    return norm.length > 0 && this.repo.has(norm);
  }
}
