// Attribution: which recorder made a recording and which officer carried it, with the source
// of each. Pure: everything it needs is given. Sources in order of trust (DESIGN.md §2, issue 3):
//   device identity (identity file on the card, USB serial, vendor protocol)
//   > file name > metadata tags > dock configuration / operator > assignment at recording time.
// Disagreeing sources are all kept and flagged; the most trusted value is shown, never silently.
// Unknown recorder or officer is a flag, not a failure.

export type AttributionSource =
  | 'identity-file'
  | 'usb-serial'
  | 'vendor-protocol'
  | 'file-name'
  | 'metadata'
  | 'dock'
  | 'operator'
  | 'assignment';

/** Lower is more trusted. */
export const SOURCE_RANK: Readonly<Record<AttributionSource, number>> = Object.freeze({
  'identity-file': 1,
  'usb-serial': 1,
  'vendor-protocol': 1,
  'file-name': 2,
  metadata: 3,
  dock: 4,
  operator: 4,
  assignment: 5,
});

export interface Claim {
  source: AttributionSource;
  value: string;
  /** Which file, tag or row said so. */
  where?: string;
}

export interface Attributed {
  /** The most trusted claim's value, or null if nothing said. */
  value: string | null;
  source: AttributionSource | null;
  /** Every claim, most trusted first. */
  claims: Claim[];
  /** True when claims disagree. */
  conflict: boolean;
}

export type FlagCode =
  | 'recorder-conflict'
  | 'officer-conflict'
  | 'recorder-unknown'
  | 'officer-unknown'
  | 'recorder-unregistered'
  | 'officer-unregistered'
  | 'assignment-ambiguous'
  | 'recording-time-unknown'
  | 'start-time-conflict'
  | 'start-time-zone-corrected'
  | 'metadata-unavailable';

export interface Flag {
  code: FlagCode;
  message: string;
}

export interface Assignment {
  id: number;
  recorder: string;
  officer: string;
  /** ISO instant, inclusive. */
  from: string;
  /** ISO instant, exclusive; null = open. */
  to: string | null;
  /** The row this one corrects (replaces entirely), if any. */
  supersedes: number | null;
}

export interface IdentityFact {
  source: 'identity-file' | 'usb-serial' | 'vendor-protocol';
  where?: string;
  deviceId?: string | null;
  officerId?: string | null;
}

export interface AttributionInput {
  identity?: readonly IdentityFact[];
  fileName?: { deviceId: string | null; officer: string | null; where?: string } | null;
  metadata?: { serial: string | null; where?: string } | null;
  dock?: { recorderId?: string | null; officerId?: string | null; source?: 'dock' | 'operator'; where?: string } | null;
  /** When the recording was made (ISO instant), for the assignment register. */
  recordedAt?: string | null;
  assignments?: readonly Assignment[];
  /** Other names of a recorder (USB serial -> product serial), from the registry. */
  recorderAliases?: ReadonlyMap<string, string>;
  /** Registered recorders and officers (normalized ids); when given, unknown ones are flagged. */
  registeredRecorders?: ReadonlySet<string>;
  registeredOfficers?: ReadonlySet<string>;
}

export interface Attribution {
  recorder: Attributed;
  officer: Attributed;
  recordedAt: string | null;
  flags: Flag[];
}

/** How ids are compared: trimmed, upper case. */
export function normalizeId(value: string): string {
  return value.trim().toUpperCase();
}

function usable(v: string | null | undefined): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function decide(claims: Claim[]): Attributed {
  const sorted = claims
    .map((c, i) => ({ c, i }))
    .sort((a, b) => SOURCE_RANK[a.c.source] - SOURCE_RANK[b.c.source] || a.i - b.i)
    .map((x) => x.c);
  const distinct = new Set(sorted.map((c) => normalizeId(c.value)));
  return {
    value: sorted[0]?.value.trim() ?? null,
    source: sorted[0]?.source ?? null,
    claims: sorted,
    conflict: distinct.size > 1,
  };
}

function describeClaims(claims: Claim[]): string {
  return claims.map((c) => `${c.source}${c.where ? ` (${c.where})` : ''} says ${c.value}`).join(', ');
}

/** Assignments in force for `recorder` at instant `at`: not superseded, from <= at < to. */
export function assignmentsAt(assignments: readonly Assignment[], recorder: string, at: string): Assignment[] {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) return [];
  const superseded = new Set(assignments.map((a) => a.supersedes).filter((s): s is number => s !== null));
  const key = normalizeId(recorder);
  return assignments.filter(
    (a) =>
      !superseded.has(a.id) &&
      normalizeId(a.recorder) === key &&
      Date.parse(a.from) <= t &&
      (a.to === null || t < Date.parse(a.to)),
  );
}

export function attribute(input: AttributionInput): Attribution {
  const flags: Flag[] = [];
  const alias = (v: string) => {
    const mapped = input.recorderAliases?.get(normalizeId(v));
    return mapped ?? v.trim();
  };

  const recorderClaims: Claim[] = [];
  const officerClaims: Claim[] = [];
  for (const id of input.identity ?? []) {
    if (usable(id.deviceId)) recorderClaims.push({ source: id.source, value: alias(id.deviceId), where: id.where });
    if (usable(id.officerId)) officerClaims.push({ source: id.source, value: id.officerId.trim(), where: id.where });
  }
  if (input.fileName) {
    if (usable(input.fileName.deviceId)) recorderClaims.push({ source: 'file-name', value: alias(input.fileName.deviceId), where: input.fileName.where });
    if (usable(input.fileName.officer)) officerClaims.push({ source: 'file-name', value: input.fileName.officer.trim(), where: input.fileName.where });
  }
  if (input.metadata && usable(input.metadata.serial)) {
    recorderClaims.push({ source: 'metadata', value: alias(input.metadata.serial), where: input.metadata.where });
  }
  if (input.dock) {
    const source = input.dock.source ?? 'dock';
    if (usable(input.dock.recorderId)) recorderClaims.push({ source, value: alias(input.dock.recorderId), where: input.dock.where });
    if (usable(input.dock.officerId)) officerClaims.push({ source, value: input.dock.officerId.trim(), where: input.dock.where });
  }

  const recorder = decide(recorderClaims);
  if (recorder.value === null) flags.push({ code: 'recorder-unknown', message: 'no source names the recorder' });
  if (recorder.conflict) flags.push({ code: 'recorder-conflict', message: `sources disagree on the recorder: ${describeClaims(recorder.claims)}` });
  if (recorder.value !== null && input.registeredRecorders && !input.registeredRecorders.has(normalizeId(recorder.value))) {
    flags.push({ code: 'recorder-unregistered', message: `recorder ${recorder.value} is not in the registry` });
  }

  const recordedAt = input.recordedAt ?? null;
  if (recordedAt === null) {
    flags.push({ code: 'recording-time-unknown', message: 'the recording time is unknown, so the assignment register could not be consulted' });
  } else if (input.assignments && recorder.value !== null) {
    // Consult the register for every recorder a source named, so a conflict stays visible.
    const recorders = [...new Set(recorder.claims.map((c) => normalizeId(c.value)))];
    for (const r of recorders) {
      const inForce = assignmentsAt(input.assignments, r, recordedAt);
      const officers = [...new Set(inForce.map((a) => a.officer))];
      for (const a of inForce) {
        officerClaims.push({ source: 'assignment', value: a.officer, where: `assignment #${a.id} of ${a.recorder}` });
      }
      if (officers.length > 1) {
        flags.push({ code: 'assignment-ambiguous', message: `recorder ${r} was assigned to ${officers.join(' and ')} at ${recordedAt}` });
      }
    }
  }

  const officer = decide(officerClaims);
  if (officer.value === null) flags.push({ code: 'officer-unknown', message: 'no source names the officer (no assignment covers the recording time)' });
  if (officer.conflict) flags.push({ code: 'officer-conflict', message: `sources disagree on the officer: ${describeClaims(officer.claims)}` });
  if (officer.value !== null && input.registeredOfficers && !input.registeredOfficers.has(normalizeId(officer.value))) {
    flags.push({ code: 'officer-unregistered', message: `officer ${officer.value} is not in the registry` });
  }

  return { recorder, officer, recordedAt, flags };
}
