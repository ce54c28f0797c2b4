/*
 * The record index of a source (CV3 section 1.8), computed in one pass over its subjects, e.g. from a cursor.
 * Memory is bounded by the number of EAV attributes × (MAX_CATEGORIES + 1) values, not by the number of subjects.
 *
 * Decisions:
 * - capability: `subject` and `source` when there is at least one subject; `hpo`, `ordo`, `snomed`, `variant`,
 *   `eav` when any subject has that field non-empty; `genes` when any subject has VARIANT or ALLELES entries.
 *   `subjectCapability` (no documented storage in CV3) is true when an EAV attribute is named, case- and
 *   punctuation-insensitively, age | age_at_* | gender | sex | family_type | affected.
 * - eavIndex: every EAV attribute appears in `attributes` with itself as display name. An attribute whose values
 *   are all numbers is numeric (absent from `mappings`). Otherwise it is categorical when it has at most
 *   MAX_CATEGORIES distinct values (numbers and booleans are written as strings, e.g. `'true'`), listed in first-seen
 *   order in `mappings` and in `values` ({value: value}); beyond that it is free text, left out of `mappings`.
 */
import type { Capability, EavValue, RecordIndex, SubjectDocument } from '../data.types';

export const MAX_CATEGORIES = 100;

const SUBJECT_CAPABILITY: Array<[RegExp, keyof Capability['subjectCapability']]> = [
  [/^(age|ageat.*|ageofonset)$/, 'age'],
  [/^(gender|sex)$/, 'gender'],
  [/^familytype$/, 'familyType'],
  [/^affected$/, 'affected'],
];

interface AttributeStats {
  numericOnly: boolean;
  /** undefined once the attribute has more than MAX_CATEGORIES distinct values. */
  values: Set<string> | undefined;
}

export function emptyCapability(): Capability {
  return {
    subject: false,
    genes: false,
    hpo: false,
    ordo: false,
    snomed: false,
    variant: false,
    source: false,
    eav: false,
    subjectCapability: { age: false, gender: false, familyType: false, affected: false },
  };
}

/**
 * What a builder has seen, in a storable form: a source keeps it so that appending subjects extends the index
 * (`fromState`, `add`…) instead of reading every subject again.
 */
export interface RecordIndexState {
  capability: Capability;
  count: number;
  /** In first-seen order; `values` is null beyond MAX_CATEGORIES (objects: FerretDB stores no nested arrays). */
  attributes: Array<{ key: string; numericOnly: boolean; values: string[] | null }>;
}

export class RecordIndexBuilder {
  private capability = emptyCapability();
  private count = 0;
  private readonly attributes = new Map<string, AttributeStats>();

  static fromState(state: RecordIndexState): RecordIndexBuilder {
    const b = new RecordIndexBuilder();
    b.capability = structuredClone(state.capability);
    b.count = state.count;
    for (const { key, numericOnly, values } of state.attributes) {
      b.attributes.set(key, { numericOnly, values: values ? new Set(values) : undefined });
    }
    return b;
  }

  toState(): RecordIndexState {
    return {
      capability: structuredClone(this.capability),
      count: this.count,
      attributes: [...this.attributes].map(([key, s]) => ({
        key,
        numericOnly: s.numericOnly,
        values: s.values ? [...s.values] : null,
      })),
    };
  }

  add(doc: Partial<SubjectDocument>): void {
    this.count++;
    const c = this.capability;
    c.subject = c.source = true;
    c.hpo ||= !!doc.HPO?.length;
    c.ordo ||= !!doc.ORDO?.length;
    c.snomed ||= !!doc.SNOMED?.length;
    c.variant ||= !!doc.VARIANT?.length;
    c.genes ||= !!doc.VARIANT?.length || !!doc.ALLELES?.length;
    const eav = doc.EAV ?? {};
    for (const key of Object.keys(eav)) {
      c.eav = true;
      this.addAttribute(key, eav[key]);
    }
  }

  private addAttribute(key: string, value: EavValue): void {
    let stats = this.attributes.get(key);
    if (!stats) {
      stats = { numericOnly: true, values: new Set() };
      this.attributes.set(key, stats);
      const norm = key.toLowerCase().replace(/[^a-z0-9]/g, '');
      const hit = SUBJECT_CAPABILITY.find(([re]) => re.test(norm));
      if (hit) {
        this.capability.subjectCapability[hit[1]] = true;
      }
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'number') {
        stats.numericOnly = false;
      }
      if (stats.values) {
        stats.values.add(String(v));
        if (stats.values.size > MAX_CATEGORIES) {
          stats.values = undefined;
        }
      }
    }
  }

  result(): RecordIndex {
    const eavIndex: RecordIndex['eavIndex'] = { attributes: {}, values: {}, mappings: {} };
    for (const [key, stats] of this.attributes) {
      eavIndex.attributes[key] = key;
      if (stats.numericOnly || !stats.values) {
        continue;
      }
      eavIndex.mappings[key] = [...stats.values];
      for (const v of stats.values) {
        eavIndex.values[v] = v;
      }
    }
    return { capability: structuredClone(this.capability), recordCount: this.count, eavIndex };
  }
}

/** One streaming pass over a source's subjects; `result()` is the index, `toState()` what a source keeps of it. */
export async function buildIndex(
  subjects: AsyncIterable<Partial<SubjectDocument>> | Iterable<Partial<SubjectDocument>>,
): Promise<RecordIndexBuilder> {
  const builder = new RecordIndexBuilder();
  for await (const doc of subjects) {
    builder.add(doc);
  }
  return builder;
}
