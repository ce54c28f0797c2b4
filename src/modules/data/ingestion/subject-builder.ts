/*
 * Merging the contributions of rows and files into one subject document. Arrays keep the first-seen order without
 * duplicates (objects compare by content); VARIANT entries are one per (gene, mutation) with the highest af; EAV
 * values under the same key become an array of the distinct values (a single value stays a scalar).
 */
import type { EavValue, QualifiedTerm, SubjectDocument, VariantEntry } from '../data.types';

export type SubjectPart = Partial<SubjectDocument>;

type Scalar = string | number | boolean;

/** Content key for a string or a `{term: value}` object (key order does not matter). */
function termKey(t: string | QualifiedTerm): string {
  if (typeof t === 'string') {
    return `s:${t}`;
  }
  return `o:${JSON.stringify(
    Object.keys(t)
      .sort()
      .map((k) => [k, t[k]]),
  )}`;
}

function dedup<T>(items: Iterable<T>, key: (t: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(item);
    }
  }
  return out;
}

function scalarKey(v: Scalar): string {
  return `${typeof v}:${String(v)}`;
}

export function mergeEav(target: Record<string, EavValue>, source: Record<string, EavValue>): void {
  for (const key of Object.keys(source)) {
    const incoming = source[key];
    const values: Scalar[] = [];
    const prev = target[key];
    if (prev !== undefined) {
      values.push(...(Array.isArray(prev) ? prev : [prev]));
    }
    values.push(...(Array.isArray(incoming) ? incoming : [incoming]));
    const distinct = dedup(values, scalarKey);
    target[key] = distinct.length === 1 ? distinct[0] : distinct;
  }
}

export function mergeVariants(entries: Iterable<VariantEntry>): VariantEntry[] {
  const byKey = new Map<string, VariantEntry>();
  for (const e of entries) {
    const key = `${e.gene}\u0000${e.mutation}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...e });
    } else if (e.af !== undefined && (prev.af === undefined || e.af > prev.af)) {
      prev.af = e.af;
    }
  }
  return [...byKey.values()];
}

/** Merges partial subjects (rows of one file, or the parts of several files) into one document. */
export function mergeSubject(parts: SubjectPart[]): SubjectDocument {
  const doc: SubjectDocument = {
    subjectId: parts.find((p) => p.subjectId)?.subjectId ?? '',
    HPO: dedup(
      parts.flatMap((p) => p.HPO ?? []),
      termKey,
    ),
    ORDO: dedup(
      parts.flatMap((p) => p.ORDO ?? []),
      String,
    ),
    SNOMED: dedup(
      parts.flatMap((p) => p.SNOMED ?? []),
      termKey,
    ),
    NCIT: dedup(
      parts.flatMap((p) => p.NCIT ?? []),
      String,
    ),
    ALLELES: dedup(
      parts.flatMap((p) => p.ALLELES ?? []),
      (a) => JSON.stringify([a.gene, a.alleles]),
    ),
    VARIANT: mergeVariants(parts.flatMap((p) => p.VARIANT ?? [])),
    EAV: {},
    dataFiles: dedup(
      parts.flatMap((p) => p.dataFiles ?? []),
      String,
    ),
  };
  for (const p of parts) {
    if (p.EAV) {
      mergeEav(doc.EAV, p.EAV);
    }
  }
  return doc;
}
