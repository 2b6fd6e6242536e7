export interface CheckResult {
  ok: boolean;
  detail: string;
  /** What to do about a ✗, in one line. */
  fix?: string;
}

export interface Check {
  label: string;
  run(): Promise<CheckResult>;
}

export const pass = (detail: string): CheckResult => ({ ok: true, detail });
export const fail = (detail: string, fix: string): CheckResult => ({ ok: false, detail, fix });
