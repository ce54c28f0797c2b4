/*
 * Derived fields stored with each subject so that record queries can test several properties of one VARIANT or
 * ALLELES entry at once. MongoDB would do that with `$elemMatch`, but FerretDB (the test server) implements
 * `$elemMatch` only for operator conditions on scalars, so "this gene with this mutation" becomes one string:
 *
 * - `_variantKeys`: `gene|mutation` of every VARIANT entry (a multikey index serves `$in` on it);
 * - `_variantAf`: `{"gene|mutation": af}` (0 when the entry has no af: an unknown frequency is never filtered out);
 * - `_alleleKeys`: `gene|allele` for every allele an ALLELES entry carries, and `gene|a/b` for its genotype (the two
 *   alleles sorted).
 *
 * Key parts are URI-encoded, and `.` and `$` too, so a key is a valid MongoDB field name and `|`/`/` never
 * occur inside a part. The fields are written with the document and never served (detailed answers project
 * them out).
 */
import type { SubjectDocument } from '../data.types';

export const VARIANT_KEYS_FIELD = '_variantKeys';
export const VARIANT_AF_FIELD = '_variantAf';
export const ALLELE_KEYS_FIELD = '_alleleKeys';
/** Every derived field, for projections that must leave them out. */
export const DERIVED_FIELDS = [VARIANT_KEYS_FIELD, VARIANT_AF_FIELD, ALLELE_KEYS_FIELD] as const;

export interface QueryKeys {
  _variantKeys: string[];
  _variantAf: Record<string, number>;
  _alleleKeys: string[];
}

function part(s: string): string {
  return encodeURIComponent(s).replace(/\./g, '%2E').replace(/\$/g, '%24');
}

export function variantKey(gene: string, mutation: string): string {
  return `${part(gene)}|${part(mutation)}`;
}

/** One allele (`gene|a`) or a genotype of two (`gene|a/b`, order-free). */
export function alleleKey(gene: string, alleles: readonly string[]): string {
  return `${part(gene)}|${[...alleles].map(part).sort().join('/')}`;
}

export function queryKeys(doc: Pick<SubjectDocument, 'VARIANT' | 'ALLELES'>): QueryKeys {
  const variantKeys: string[] = [];
  const variantAf: Record<string, number> = {};
  for (const v of doc.VARIANT ?? []) {
    const key = variantKey(v.gene, v.mutation);
    const af = typeof v.af === 'number' && Number.isFinite(v.af) ? v.af : 0;
    if (!(key in variantAf)) {
      variantKeys.push(key);
      variantAf[key] = af;
    } else if (af > variantAf[key]) {
      variantAf[key] = af;
    }
  }
  const alleleKeys = new Set<string>();
  for (const a of doc.ALLELES ?? []) {
    for (const allele of a.alleles) {
      alleleKeys.add(alleleKey(a.gene, [allele]));
    }
    if (a.alleles.length === 2) {
      alleleKeys.add(alleleKey(a.gene, a.alleles));
    }
  }
  return { _variantKeys: variantKeys, _variantAf: variantAf, _alleleKeys: [...alleleKeys] };
}
