/**
 * Phone numbers are kept as dialled and in a normalised form for matching (caller ID, blacklist,
 * VIP, customer lookup): digits only, a leading + kept as the international prefix marker.
 */
export function normalizeNumber(raw: string): string {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, '');
  return trimmed.startsWith('+') && digits ? `+${digits}` : digits;
}

/** What a person may type for a line's number: digits with spaces, dashes, dots, parentheses, leading +. */
export function isPlausibleNumber(raw: string): boolean {
  return /^\+?[0-9][0-9 ().-]{1,30}$/.test(raw.trim()) && normalizeNumber(raw).replace('+', '').length >= 3;
}
