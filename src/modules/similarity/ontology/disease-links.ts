/*
 * The HPO–Orphanet link of the query module (docs/query-semantics.md, "Term filters"): `hpo[].useOrphanet` also
 * matches subjects holding an ORPHA disease annotated with a query term, `ordo[].useHPO` subjects holding an HPO
 * term annotated to a query disease. It comes from the ORPHA rows of phenotype.hpoa (see annotations.ts): direct
 * annotations, never propagated along the DAG.
 *
 * Terms are resolved against the ontology as the annotation counts are (`Ontology.annotationIc`): a current term
 * stays, an alt_id becomes its primary term, anything else (obsolete, or from another HPO release) is dropped and
 * counted in `unmatchedTerms`. A disease left with no term is not kept. Both backends answer from this (the Neo4j
 * loader writes exactly these links), so they agree.
 *
 * Held as two CSR tables of dense indexes (the full HPO: ~4,300 diseases, ~114,000 pairs, about 1 MB of typed
 * arrays): disease → term indexes, and term → disease ordinals.
 */
import { compareOrphaIds, normaliseOrphaId } from '../similarity.types';

/** What the links need of the ontology. */
export interface TermIndex {
  /** Current term IDs by dense index, in ID order. */
  readonly ids: readonly string[];
  /** The dense index of a current term (any accepted ID form), -1 otherwise. */
  indexOf(id: string): number;
  /** What an annotated ID (no prefix) stands for: a current term, or the primary term of an alt_id; -1 otherwise. */
  annotatedIndexOf(id: string): number;
}

export class DiseaseLinks {
  /** ORPHA diseases with at least one term. */
  readonly diseaseCount: number;
  /** Distinct (disease, term) pairs. */
  readonly linkCount: number;
  /** Distinct annotated term IDs that name no current term, not even through an alt_id (their links dropped). */
  readonly unmatchedTerms: number;

  /** ORPHA IDs of the kept diseases, in ORPHA ID order (a disease's ordinal is its position here). */
  private readonly orphaIds: string[] = [];
  private readonly ordinalOf = new Map<string, number>();
  /** Terms of disease k: termList[termStart[k] .. termStart[k + 1]), ascending (= ID order). */
  private readonly termStart: Int32Array;
  private readonly termList: Int32Array;
  /** Diseases of term i: diseaseList[diseaseStart[i] .. diseaseStart[i + 1]), ascending ordinals (= ORPHA order). */
  private readonly diseaseStart: Int32Array;
  private readonly diseaseList: Int32Array;

  /** `orphaTerms`: ORPHA ID (digits) → direct HPO term IDs without prefix (`Annotations.orphaTerms`). */
  constructor(
    orphaTerms: ReadonlyMap<string, readonly string[]>,
    private readonly terms: TermIndex,
  ) {
    // Counting sorts throughout, no comparison sort but the ORPHA IDs': 1. every resolved (disease, term) pair,
    // diseases in ORPHA order; 2. grouped by term (stable: each term's diseases stay in ORPHA order), duplicates
    // (an alt_id next to its primary term) dropped; 3. grouped by disease, terms visited in index (= ID) order.
    const n = terms.ids.length;
    const keys = [...orphaTerms.keys()].sort(compareOrphaIds);
    let total = 0;
    for (const key of keys) {
      total += orphaTerms.get(key)!.length;
    }
    const pairDisease = new Int32Array(total);
    const pairTerm = new Int32Array(total);
    const unmatched = new Set<string>();
    let pairs = 0;
    for (let d = 0; d < keys.length; d++) {
      for (const raw of orphaTerms.get(keys[d])!) {
        const i = terms.annotatedIndexOf(raw);
        if (i < 0) {
          unmatched.add(raw);
        } else {
          pairDisease[pairs] = d;
          pairTerm[pairs++] = i;
        }
      }
    }

    const diseaseStart = new Int32Array(n + 1);
    for (let p = 0; p < pairs; p++) {
      diseaseStart[pairTerm[p] + 1]++;
    }
    for (let i = 0; i < n; i++) {
      diseaseStart[i + 1] += diseaseStart[i];
    }
    const fill = diseaseStart.slice(0, n);
    const byTerm = new Int32Array(pairs);
    for (let p = 0; p < pairs; p++) {
      byTerm[fill[pairTerm[p]]++] = pairDisease[p];
    }
    // De-duplicated in place; termsPer[d] counts the distinct terms of disease d.
    const termsPer = new Int32Array(keys.length);
    let links = 0;
    for (let i = 0; i < n; i++) {
      const from = diseaseStart[i];
      const to = diseaseStart[i + 1];
      diseaseStart[i] = links;
      for (let e = from; e < to; e++) {
        if (e === from || byTerm[e] !== byTerm[e - 1]) {
          byTerm[links++] = byTerm[e];
          termsPer[byTerm[e]]++;
        }
      }
    }
    diseaseStart[n] = links;

    // Diseases left without a term are not kept: renumber the rest.
    const ordinal = new Int32Array(keys.length).fill(-1);
    const termStart = [0];
    for (let d = 0; d < keys.length; d++) {
      if (termsPer[d] > 0) {
        ordinal[d] = this.orphaIds.length;
        this.ordinalOf.set(keys[d], this.orphaIds.length);
        this.orphaIds.push(keys[d]);
        termStart.push(termStart[termStart.length - 1] + termsPer[d]);
      }
    }
    this.termStart = Int32Array.from(termStart);
    this.termList = new Int32Array(links);
    this.diseaseList = byTerm.slice(0, links);
    const next = this.termStart.slice(0, this.orphaIds.length);
    for (let i = 0; i < n; i++) {
      for (let e = diseaseStart[i]; e < diseaseStart[i + 1]; e++) {
        const k = ordinal[this.diseaseList[e]];
        this.diseaseList[e] = k;
        this.termList[next[k]++] = i;
      }
    }
    this.diseaseStart = diseaseStart;

    this.diseaseCount = this.orphaIds.length;
    this.linkCount = links;
    this.unmatchedTerms = unmatched.size;
  }

  /** No link at all (genes_to_phenotype.txt, no annotation file, or no ORPHA row). */
  get empty(): boolean {
    return this.linkCount === 0;
  }

  /** The ORPHA diseases annotated directly with a current HPO term (any accepted form of its ID), in ORPHA order. */
  diseasesOfTerm(hpoId: string): string[] {
    const i = this.terms.indexOf(hpoId);
    if (i < 0) {
      return [];
    }
    return Array.from(
      this.diseaseList.subarray(this.diseaseStart[i], this.diseaseStart[i + 1]),
      (k) => this.orphaIds[k],
    );
  }

  /** The HPO terms annotated directly to an ORPHA disease (`ORPHA:558`, `Orphanet_558`, `558`), sorted. */
  termsOfDisease(orphaId: string): string[] {
    const norm = normaliseOrphaId(orphaId);
    const k = norm === undefined ? undefined : this.ordinalOf.get(norm);
    if (k === undefined) {
      return [];
    }
    return Array.from(this.termList.subarray(this.termStart[k], this.termStart[k + 1]), (i) => this.terms.ids[i]);
  }

  /** Every disease with its terms, in ORPHA ID order (the Neo4j loader). */
  *diseases(): IterableIterator<[string, string[]]> {
    for (let k = 0; k < this.orphaIds.length; k++) {
      yield [this.orphaIds[k], this.termsOfDisease(this.orphaIds[k])];
    }
  }
}
