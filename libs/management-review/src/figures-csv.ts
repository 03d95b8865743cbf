import type { ImprovementActionFigures as ActionTally } from '#improvement-actions';
import type { Classification, Count, Durations, MilestoneTally, PhaseTime } from './management-review.service.js';

/** One row of the tidy table: which figure, which of its values, the value (empty where there is none). */
export type CsvRow = [section: string, key: string, value: string | number | null];

/** RFC 4180: a field with a comma, a quote, CR or LF is quoted, its quotes doubled; lines end in CRLF. */
export function toCsv(rows: readonly CsvRow[]): string {
  const field = (value: string | number | null) => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [['section', 'key', 'value'] as const, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

const window = (figures: { from: string; to: string }): CsvRow[] => [
  ['window', 'from', figures.from],
  ['window', 'to', figures.to],
];

const counts = (section: string, items: Count[]): CsvRow[] => items.map((c) => [section, c.key, c.count]);

const classified = (section: string, c: Classification): CsvRow[] => [
  [section, 'total', c.total],
  ...counts(`${section}.byCategory`, c.byCategory),
  ...counts(`${section}.bySeverity`, c.bySeverity),
  ...counts(`${section}.byPhase`, c.byPhase),
];

const durations = (section: string, d: Durations): CsvRow[] => [
  [section, 'count', d.count],
  [section, 'medianSeconds', d.medianSeconds],
  [section, 'p90Seconds', d.p90Seconds],
];

const phases = (items: PhaseTime[]): CsvRow[] => [
  ...items.map((p): CsvRow => ['timePerPhase.count', p.phase, p.count]),
  ...items.map((p): CsvRow => ['timePerPhase.medianSeconds', p.phase, p.medianSeconds]),
];

const milestones = (items: MilestoneTally[]): CsvRow[] =>
  items.flatMap((m) => (['met', 'late', 'missed', 'pending'] as const).map((outcome): CsvRow => [`nis2.${outcome}`, m.milestone, m[outcome]]));

const actions = (a: ActionTally): CsvRow[] => [
  ['improvementActions', 'open', a.open],
  ['improvementActions', 'overdue', a.overdue],
  ['improvementActions', 'done', a.done],
];

/** The organisation's figures as rows, in the order of the JSON answer. */
export function figuresRows(f: {
  from: string;
  to: string;
  organisationId: string;
  incidents: Classification;
  nearMisses: number;
  awarenessToContainment: Durations;
  timePerPhase: PhaseTime[];
  nis2: { incidents: number; milestones: MilestoneTally[] };
  improvementActions: ActionTally;
}): CsvRow[] {
  return [
    ...window(f),
    ['organisation', 'id', f.organisationId],
    ...classified('incidents', f.incidents),
    ['nearMisses', 'count', f.nearMisses],
    ...durations('awarenessToContainment', f.awarenessToContainment),
    ...phases(f.timePerPhase),
    ['nis2', 'incidents', f.nis2.incidents],
    ...milestones(f.nis2.milestones),
    ...actions(f.improvementActions),
  ];
}

/** The coordinator's joint figures as rows, in the order of the JSON answer. */
export function jointFiguresRows(f: {
  from: string;
  to: string;
  coordinatorId: string;
  jointIncidents: Classification;
  openingToClosing: Durations;
  timePerPhase: PhaseTime[];
  participantsPerJointIncident: { median: number | null };
  improvementActions: ActionTally;
}): CsvRow[] {
  return [
    ...window(f),
    ['coordinator', 'id', f.coordinatorId],
    ...classified('jointIncidents', f.jointIncidents),
    ...durations('openingToClosing', f.openingToClosing),
    ...phases(f.timePerPhase),
    ['participantsPerJointIncident', 'median', f.participantsPerJointIncident.median],
    ...actions(f.improvementActions),
  ];
}

/** A file name naming the window, safe in a Content-Disposition header: `management-review-figures_20250101T000000Z_20260101T000000Z.csv`. */
export function csvFileName(kind: string, f: { from: string; to: string }): string {
  const stamp = (iso: string) => iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `management-review-${kind}_${stamp(f.from)}_${stamp(f.to)}.csv`;
}
