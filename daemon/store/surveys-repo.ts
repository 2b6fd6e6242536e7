import type { Database } from 'better-sqlite3';

export interface SurveyRow {
  id: number;
  /** The call that answered; null once the calls row is gone. */
  callId: string | null;
  /** The survey (the flow node's question), so answers to different questions are not mixed. */
  name: string;
  /** 1 (worst) to 5 (best). */
  score: number;
  createdAt: number;
}

export interface SurveySummary {
  name: string;
  count: number;
  /** null without answers. */
  average: number | null;
  /** How many answered 1, 2, 3, 4, 5. */
  byScore: [number, number, number, number, number];
}

const COLUMNS = 'id, call_id AS callId, name, score, created_at AS createdAt';

/** Post-call survey answers, one row per answer. */
export class SurveysRepo {
  constructor(private readonly db: Database) {}

  /** Returns the id; the schema refuses a score outside 1-5. */
  insert(s: Omit<SurveyRow, 'id'>): number {
    return Number(this.db.prepare('INSERT INTO surveys (call_id, name, score, created_at) VALUES (@callId, @name, @score, @createdAt)').run(s).lastInsertRowid);
  }

  forCall(callId: string): SurveyRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM surveys WHERE call_id = ? ORDER BY id`).all(callId) as SurveyRow[];
  }

  /** Newest first. */
  list(o: { name?: string; limit?: number } = {}): SurveyRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM surveys WHERE (@name IS NULL OR name = @name) ORDER BY created_at DESC, id DESC LIMIT @limit`)
      .all({ name: o.name ?? null, limit: o.limit ?? 100 }) as SurveyRow[];
  }

  /** Count, average and spread of one survey's answers given at or after `since` (epoch ms). */
  summary(name: string, since = 0): SurveySummary {
    const rows = this.db.prepare('SELECT score, count(*) AS n FROM surveys WHERE name = ? AND created_at >= ? GROUP BY score')
      .all(name, since) as Array<{ score: number; n: number }>;
    const byScore: SurveySummary['byScore'] = [0, 0, 0, 0, 0];
    for (const r of rows) byScore[r.score - 1] = r.n;
    const count = byScore.reduce((a, b) => a + b, 0);
    const total = byScore.reduce((a, n, i) => a + n * (i + 1), 0);
    return { name, count, average: count === 0 ? null : total / count, byScore };
  }
}
