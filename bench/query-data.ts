/*
 * Synthetic subjects for the query benchmark (bench/query.ts): what a source holds after a CSV (phenotypes, a
 * disease, demographics and lab values) and a VCF (variants with a consequence and an allele frequency) were
 * ingested, as the stored parts `buildSubject` takes. Deterministic for a seed.
 *
 * Phenotypes come from the real HPO annotations (`phenotype.hpoa` next to `hp.obo`): each subject gets a disease
 * (diseases drawn with a Zipf skew, so some are frequent) and 3–15 HPO terms, most of them annotated to that
 * disease, the rest drawn from all annotations weighted by how often a term is annotated (so general terms such as
 * Seizure or Global developmental delay are common and rare ones rare). Only current (non-obsolete) terms of
 * `hp.obo` are kept, so every stored term is one the similarity module knows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubjectDocument, VariantEntry } from '@/modules/data/data.types';

/** Deterministic random numbers (mulberry32), as in bench/similarity.ts. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws an index 0..weights.length-1 with probability proportional to its weight (binary search on sums). */
class Weighted {
  private readonly sums: Float64Array;

  constructor(weights: readonly number[]) {
    this.sums = new Float64Array(weights.length);
    let s = 0;
    weights.forEach((w, i) => (this.sums[i] = s += w));
  }

  draw(rnd: () => number): number {
    const x = rnd() * this.sums[this.sums.length - 1];
    let lo = 0;
    let hi = this.sums.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sums[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}

const zipf = (n: number, s: number) => Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));

/** Genes of rare-disease panels; drawn with a Zipf skew in this order (the first ones are the most frequent). */
export const GENES = [
  'SCN1A', 'BRCA1', 'BRCA2', 'TP53', 'CFTR', 'DMD', 'FBN1', 'MECP2', 'KCNQ2', 'CDKL5',
  'STXBP1', 'SCN2A', 'PTEN', 'NF1', 'TSC1', 'TSC2', 'COL1A1', 'COL1A2', 'MYH7', 'MYBPC3',
  'LMNA', 'RYR1', 'SMN1', 'PKD1', 'PKD2', 'GJB2', 'USH2A', 'ABCA4', 'RPGR', 'CHD7',
  'KMT2D', 'ARID1B', 'ANKRD11', 'SYNGAP1', 'DYRK1A', 'FOXG1', 'GRIN2B', 'SHANK3', 'MLH1', 'MSH2',
] as const; // prettier-ignore

/** SO consequence terms as a VEP-annotated VCF gives them, with how often each is drawn. */
const CONSEQUENCES: Array<[string, number]> = [
  ['missense_variant', 30],
  ['synonymous_variant', 18],
  ['intron_variant', 14],
  ['3_prime_UTR_variant', 5],
  ['5_prime_UTR_variant', 3],
  ['upstream_gene_variant', 5],
  ['stop_gained', 5],
  ['frameshift_variant', 5],
  ['splice_donor_variant', 2],
  ['splice_acceptor_variant', 2],
  ['splice_region_variant', 3],
  ['inframe_deletion', 3],
  ['inframe_insertion', 1],
  ['start_lost', 1],
  ['stop_lost', 1],
  ['protein_altering_variant', 2],
];

const ETHNICITIES = ['European', 'African', 'South Asian', 'East Asian', 'Latin American', 'Middle Eastern'];
const FAMILY_TYPES = ['singleton', 'trio', 'family'];

export interface Phenotypes {
  /** Diseases with at least 3 current HPO terms: `ORPHA:123` / `OMIM:123`, and their terms (no prefix). */
  diseases: Array<{ id: string; terms: string[] }>;
  /** Every annotated current term, and how many annotations name it. */
  terms: string[];
  counts: number[];
  /** Terms by annotation count, highest first. */
  mostAnnotated: string[];
}

/** The current (non-obsolete) term IDs of an OBO file, without prefix. */
function currentTerms(oboPath: string): Set<string> {
  const out = new Set<string>();
  let id: string | undefined;
  let obsolete = false;
  const flush = () => {
    if (id && !obsolete) {
      out.add(id);
    }
    id = undefined;
    obsolete = false;
  };
  for (const line of readFileSync(oboPath, 'utf8').split('\n')) {
    if (line.startsWith('[')) {
      flush();
    } else if (line.startsWith('id: HP:')) {
      id = line.slice(7).trim();
    } else if (line.startsWith('is_obsolete: true')) {
      obsolete = true;
    }
  }
  flush();
  return out;
}

/** Reads the HPO's disease annotations (phenotypic aspect, negated ones left out). */
export function readPhenotypes(hpoDir: string): Phenotypes {
  const current = currentTerms(join(hpoDir, 'hp.obo'));
  const byDisease = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const line of readFileSync(join(hpoDir, 'phenotype.hpoa'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.startsWith('database_id')) {
      continue;
    }
    const f = line.split('\t');
    if (f.length < 11 || f[10] !== 'P' || f[2] === 'NOT' || !f[3].startsWith('HP:')) {
      continue;
    }
    const term = f[3].slice(3);
    if (!current.has(term)) {
      continue;
    }
    let set = byDisease.get(f[0]);
    if (!set) {
      byDisease.set(f[0], (set = new Set()));
    }
    set.add(term);
    counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  const diseases = [...byDisease]
    .filter(([, t]) => t.size >= 3)
    .map(([id, t]) => ({ id, terms: [...t].sort() }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const terms = [...counts.keys()].sort();
  const mostAnnotated = [...terms].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
  return { diseases, terms, counts: terms.map((t) => counts.get(t)!), mostAnnotated };
}

export type SubjectPart = Partial<SubjectDocument>;

/**
 * Subject parts for one source. The same generator state is not shared between sources: each source has its own
 * seed, so layout A's single source and layout B's ten sources hold the same kind of data, not the same subjects.
 */
export class SubjectGenerator {
  private readonly rnd: () => number;
  private readonly diseases: Weighted;
  private readonly background: Weighted;
  private readonly genes = new Weighted(zipf(GENES.length, 0.9));
  private readonly consequences = new Weighted(CONSEQUENCES.map(([, w]) => w));
  /** The disease list in a seed-fixed order (which diseases are frequent). */
  private readonly order: Phenotypes['diseases'];

  constructor(
    private readonly ph: Phenotypes,
    seed: number,
  ) {
    this.rnd = random(seed);
    // The frequent diseases are the same for every source (shuffled with a fixed seed, not the source's).
    const shuffle = random(20250116);
    this.order = [...ph.diseases];
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    this.diseases = new Weighted(zipf(this.order.length, 1.05));
    this.background = new Weighted(ph.counts);
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.rnd() * (max - min + 1));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  private round(x: number, digits: number): number {
    const f = Math.pow(10, digits);
    return Math.round(x * f) / f;
  }

  next(): SubjectPart {
    const disease = this.order[this.diseases.draw(this.rnd)];
    // 3–15 HPO terms: about three quarters from the disease, the rest from all annotations.
    const want = this.int(3, 15);
    const hpo = new Set<string>();
    for (let tries = 0; hpo.size < want && tries < want * 4; tries++) {
      hpo.add(this.rnd() < 0.75 ? this.pick(disease.terms) : this.ph.terms[this.background.draw(this.rnd)]);
    }
    const ordo = disease.id.startsWith('ORPHA:') && this.rnd() < 0.6 ? [disease.id.slice(6)] : [];

    const age = this.int(0, 90);
    const EAV: Record<string, string | number> = {
      age,
      sex: this.rnd() < 0.5 ? 'male' : 'female',
      ethnicity: this.pick(ETHNICITIES),
      familyType: this.pick(FAMILY_TYPES),
      consanguinity: this.rnd() < 0.08 ? 'yes' : this.rnd() < 0.9 ? 'no' : 'unknown',
    };
    if (this.rnd() < 0.8) {
      EAV.ageAtOnset = this.int(0, age);
    }
    // Lab values, each measured for most but not all subjects.
    if (this.rnd() < 0.85) {
      EAV.crp = this.round(Math.exp(this.rnd() * 5 - 1), 1); // 0.4–54 mg/L, skewed low
    }
    if (this.rnd() < 0.85) {
      EAV.hb = this.round(8 + this.rnd() * 10, 1);
    }
    if (this.rnd() < 0.7) {
      EAV.creatinine = this.int(40, 300);
    }
    if (this.rnd() < 0.75) {
      EAV.bmi = this.round(14 + this.rnd() * 31, 1);
    }

    const VARIANT: VariantEntry[] = [];
    const nVariants = this.int(0, 8);
    for (let i = 0; i < nVariants; i++) {
      const v: VariantEntry = {
        gene: GENES[this.genes.draw(this.rnd)],
        mutation: CONSEQUENCES[this.consequences.draw(this.rnd)][0],
      };
      if (this.rnd() < 0.9) {
        v.af = Number(Math.pow(10, -5 + this.rnd() * 4.7).toPrecision(3)); // 1e-5 … 0.5
      }
      VARIANT.push(v);
    }
    return { HPO: [...hpo], ORDO: ordo, EAV, VARIANT };
  }
}
