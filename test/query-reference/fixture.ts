/*
 * A deterministic fixture of subject documents for comparing the query compiler with the reference evaluator:
 * four sources with deliberately different shapes (see generateFixture), stored values as ingestion writes them
 * (term IDs without prefix, EAV attribute names with `.`→`_` and a leading `$`→`_`).
 */
import type { EavValue, QualifiedTerm, SubjectDocument, VariantEntry } from '@/modules/data/data.types';
import { loadFixtureOntology } from './fixture-ontology';
import { REFERENCE_SO_TERMS } from './reference';

// ---- seeded randomness ---------------------------------------------------------------------------------------

export type Rng = () => number;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi]. */
export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** Like pick, but the first items come up far more often (index ~ n·u²). */
export function skewPick<T>(rng: Rng, items: readonly T[]): T {
  const u = rng();
  return items[Math.floor(u * u * items.length)];
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** `n` distinct items (fewer when there are not that many), drawn with skewPick. */
export function distinct<T>(rng: Rng, items: readonly T[], n: number, skew = true): T[] {
  const out: T[] = [];
  for (let tries = 0; out.length < Math.min(n, items.length) && tries < 100; tries++) {
    const x = skew ? skewPick(rng, items) : pick(rng, items);
    if (!out.includes(x)) {
      out.push(x);
    }
  }
  return out;
}

// ---- vocabularies --------------------------------------------------------------------------------------------

/** ORPHA diseases of test/fixtures/hpo/phenotype.hpoa first (annotated), then unannotated ones. */
export const ORDO_POOL = ['1934', '306', '2542', '567', '558', '79', '98'];
export const SNOMED_POOL = [
  '84757009',
  '73211009',
  '38341003',
  '195967001',
  '267036007',
  '386661006',
  '22298006',
  '49601007',
];
export const NCIT_POOL = ['C3262', 'C2991', 'C4872'];
export const GENE_POOL = [
  'SCN1A',
  'BRCA1',
  'TP53',
  'BRCA2',
  'SYNGAP1',
  'FGFR3',
  'CFTR',
  'MECP2',
  'KCNQ2',
  'STXBP1',
  'SCN1B',
  'CDKL5',
  'PCDH19',
  'DMD',
  'FBN1',
  'COL1A1',
  'LDLR',
  'MYH7',
  'TTN',
  'PTEN',
  'MLH1',
  'MSH2',
  'RET',
  'NF1',
  'TSC1',
  'TSC2',
  'SMN1',
  'HTT',
  'GBA1',
  'APOE',
];
/** Genes with ALLELES entries and their alleles. */
export const ALLELE_POOL: Record<string, string[]> = {
  APOE: ['e2', 'e3', 'e4'],
  CYP2D6: ['*1', '*2', '*4', '*10'],
  CYP2C19: ['*1', '*2', '*17'],
  'HLA-B': ['*57:01', '*58:01', '*15:02'],
};
/** Every SO term of the class table, the class names, and values outside the table. */
export const MUTATION_POOL: string[] = [
  ...Object.values(REFERENCE_SO_TERMS).flat(),
  'missense',
  'nonsense',
  'lossOfStart',
  'unknown',
  'synonymous_variant',
  'Missense_Variant',
];
/** Allele frequencies, thresholds among them. */
const AF_EDGES = [0, 0.001, 0.01, 0.05, 0.1, 0.5, 1];

// ---- the fixture ---------------------------------------------------------------------------------------------

export interface FixtureSource {
  sourceId: string;
  subjects: SubjectDocument[];
}

export interface Fixture {
  sources: FixtureSource[];
}

export interface FixtureOptions {
  /** Multiplies every source's size (default 1: 1200 + 1000 + 700 + 100 subjects). The small source stays ≥ 20. */
  scale?: number;
}

function subject(subjectId: string, dataFile: string, parts: Partial<SubjectDocument>): SubjectDocument {
  return {
    subjectId,
    HPO: [],
    ORDO: [],
    SNOMED: [],
    NCIT: [],
    ALLELES: [],
    VARIANT: [],
    EAV: {},
    dataFiles: [dataFile],
    ...parts,
  };
}

/** Distinct IDs in no particular order, so sorting by subjectId means something. */
function idMaker(rng: Rng, prefix: string): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const id = `${prefix}-${Math.floor(rng() * 36 ** 5)
        .toString(36)
        .padStart(5, '0')}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}

function age(rng: Rng): number {
  return chance(rng, 0.05) ? pick(rng, [0, 100, 18, 65]) : int(rng, 0, 99);
}

function af(rng: Rng): number | undefined {
  if (chance(rng, 0.15)) {
    return undefined;
  }
  if (chance(rng, 0.35)) {
    return pick(rng, AF_EDGES);
  }
  return Math.round(rng() * rng() * 10_000) / 10_000;
}

function variants(rng: Rng, genes: readonly string[], max: number): VariantEntry[] {
  const out: VariantEntry[] = [];
  const n = int(rng, 0, max);
  for (let i = 0; i < n; i++) {
    const entry: VariantEntry = { gene: skewPick(rng, genes), mutation: skewPick(rng, MUTATION_POOL) };
    const f = af(rng);
    if (f !== undefined) {
      entry.af = f;
    }
    out.push(entry);
    // Now and then a second entry of the same (gene, mutation) with another frequency (another position).
    if (chance(rng, 0.05)) {
      const again: VariantEntry = { gene: entry.gene, mutation: entry.mutation };
      const g = af(rng);
      if (g !== undefined) {
        again.af = g;
      }
      out.push(again);
    }
  }
  return out;
}

function alleles(rng: Rng): Array<{ gene: string; alleles: string[] }> {
  const out: Array<{ gene: string; alleles: string[] }> = [];
  for (const gene of distinct(rng, Object.keys(ALLELE_POOL), int(rng, 1, 2))) {
    const pool = ALLELE_POOL[gene];
    // Mostly a genotype of two (homozygous now and then), sometimes one allele.
    out.push({ gene, alleles: chance(rng, 0.15) ? [pick(rng, pool)] : [skewPick(rng, pool), skewPick(rng, pool)] });
  }
  return out;
}

/** clinic: HPO + ORDO + demographics under varied names, casings and types. */
function clinic(rng: Rng, n: number, hpo: string[]): FixtureSource {
  const id = idMaker(rng, 'cl');
  const subjects: SubjectDocument[] = [];
  for (let i = 0; i < n; i++) {
    const eav: Record<string, EavValue> = {};
    const sexValues = ['Male', 'male', 'm', 'M', 'FEMALE', 'Female', 'f', 'F', 'unknown', 'Other'];
    const r = rng();
    if (r < 0.45) {
      eav.Sex = pick(rng, sexValues);
    } else if (r < 0.8) {
      eav.gender = pick(rng, sexValues);
    } else if (r < 0.85) {
      eav.Sex = pick(rng, sexValues);
      eav.gender = pick(rng, sexValues);
    }
    if (chance(rng, 0.8)) {
      eav.age = chance(rng, 0.9) ? age(rng) : pick(rng, ['42', 'unknown', '7']);
    }
    if (chance(rng, 0.5)) {
      eav.age_at_onset = chance(rng, 0.9) ? int(rng, 0, 60) : pick(rng, [0.5, 12.5, 'childhood']);
    }
    if (chance(rng, 0.3)) {
      eav.age_at_diagnosis = int(rng, 0, 70);
    }
    if (chance(rng, 0.7)) {
      eav.affected = pick(rng, [true, false, 'yes', 'no', 1, 0, 'Y', 'Affected', 'unaffected', 'TRUE']);
    }
    if (chance(rng, 0.6)) {
      eav.family_type = pick(rng, ['Trio', 'singleton', 'families', 'Singletons', 'TRIOS', 'Family', 'duo']);
    }
    if (chance(rng, 0.9)) {
      eav.center = pick(rng, ['Leicester', 'Manchester', 'Leeds', 'london']);
    }
    if (chance(rng, 0.6)) {
      eav.bmi = Math.round((16 + rng() * 20) * 10) / 10;
    }
    if (chance(rng, 0.5)) {
      // Ingested from a column `lab.result`.
      eav.lab_result = chance(rng, 0.8) ? int(rng, 0, 20) : 'pending';
    }
    if (chance(rng, 0.5)) {
      eav.consent = chance(rng, 0.7);
    }
    subjects.push(
      subject(id(), 'clinic-file-1', {
        HPO: chance(rng, 0.9) ? distinct(rng, hpo, int(rng, 1, 5)) : [],
        ORDO: chance(rng, 0.6) ? distinct(rng, ORDO_POOL, int(rng, 1, 2)) : [],
        EAV: eav,
      }),
    );
  }
  return { sourceId: 'src-clinic', subjects };
}

/** vcf: VARIANT and ALLELES, little EAV, no HPO/ORDO/SNOMED. */
function vcf(rng: Rng, n: number): FixtureSource {
  const id = idMaker(rng, 'vc');
  const subjects: SubjectDocument[] = [];
  for (let i = 0; i < n; i++) {
    const eav: Record<string, EavValue> = { sample_type: pick(rng, ['blood', 'saliva', 'Blood']) };
    if (chance(rng, 0.7)) {
      eav.sex = pick(rng, ['F', 'M', 'female', 'MALE']);
    }
    if (chance(rng, 0.3)) {
      eav.age = age(rng);
    }
    if (chance(rng, 0.4)) {
      eav.depth = int(rng, 10, 60);
    }
    subjects.push(
      subject(id(), pick(rng, ['vcf-file-1', 'vcf-file-2']), {
        VARIANT: chance(rng, 0.9) ? variants(rng, GENE_POOL, 6) : [],
        ALLELES: chance(rng, 0.4) ? alleles(rng) : [],
        EAV: eav,
      }),
    );
  }
  return { sourceId: 'src-vcf', subjects };
}

/** registry: SNOMED, HPO strings mixed with qualified terms, a little ORDO, EAV arrays. */
function registry(rng: Rng, n: number, hpo: string[]): FixtureSource {
  const id = idMaker(rng, 'rg');
  const subjects: SubjectDocument[] = [];
  for (let i = 0; i < n; i++) {
    const hpoEntries: Array<string | QualifiedTerm> = chance(rng, 0.8) ? distinct(rng, hpo, int(rng, 0, 3)) : [];
    for (const t of distinct(rng, hpo, int(rng, 0, 2))) {
      hpoEntries.push({ [t]: pick<string | number | boolean>(rng, [3, 12, true, 'severe', 0.5]) });
    }
    const snomed: Array<string | QualifiedTerm> = chance(rng, 0.85) ? distinct(rng, SNOMED_POOL, int(rng, 1, 3)) : [];
    if (chance(rng, 0.1)) {
      snomed.push({ [pick(rng, SNOMED_POOL)]: int(rng, 1, 5) });
    }
    const eav: Record<string, EavValue> = {};
    if (chance(rng, 0.7)) {
      const tags = distinct(rng, ['a', 'b', 'c', 'rare', 'B'], int(rng, 1, 3));
      eav.tags = chance(rng, 0.2) ? tags[0] : tags;
    }
    if (chance(rng, 0.6)) {
      eav.scores = chance(rng, 0.8) ? [int(rng, 0, 10), Math.round(rng() * 100) / 10] : int(rng, 0, 10);
    }
    if (chance(rng, 0.5)) {
      eav.flags = chance(rng, 0.5) ? [chance(rng, 0.5), chance(rng, 0.5)] : chance(rng, 0.5);
    }
    if (chance(rng, 0.3)) {
      eav.mixed = [pick(rng, [3, 7]), pick(rng, ['x', 'y', '3']), pick(rng, [true, false])];
    }
    if (chance(rng, 0.4)) {
      // Ingested from a column `$score`.
      eav._score = int(rng, 0, 5);
    }
    if (chance(rng, 0.5)) {
      eav.age_of_onset = int(rng, 0, 40);
    }
    if (chance(rng, 0.6)) {
      eav.Gender = chance(rng, 0.3) ? [pick(rng, ['female', 'male', 'F'])] : pick(rng, ['female', 'male', 'X']);
    }
    if (chance(rng, 0.4)) {
      eav.affected = pick(rng, [[true], ['no', 'yes'], 'y', false]);
    }
    subjects.push(
      subject(id(), 'registry-file-1', {
        HPO: hpoEntries,
        ORDO: chance(rng, 0.2) ? [skewPick(rng, ORDO_POOL)] : [],
        SNOMED: snomed,
        NCIT: chance(rng, 0.2) ? [pick(rng, NCIT_POOL)] : [],
        EAV: eav,
      }),
    );
  }
  return { sourceId: 'src-registry', subjects };
}

/** biobank: small (exact local frequencies), no HPO/ORDO/SNOMED/ALLELES, a few VARIANT entries, EAV. */
function biobank(rng: Rng, n: number): FixtureSource {
  const id = idMaker(rng, 'bb');
  const subjects: SubjectDocument[] = [];
  const genes = GENE_POOL.slice(0, 4);
  for (let i = 0; i < n; i++) {
    const eav: Record<string, EavValue> = { GENDER: pick(rng, ['f', 'm', 'M']), AGE: age(rng) };
    if (chance(rng, 0.5)) {
      eav.tags = pick(rng, ['a', 'b', 'rare']);
    }
    if (chance(rng, 0.3)) {
      eav.family_type = pick(rng, ['trio', 'singleton']);
    }
    subjects.push(
      subject(id(), 'biobank-file-1', { VARIANT: chance(rng, 0.2) ? variants(rng, genes, 1) : [], EAV: eav }),
    );
  }
  return { sourceId: 'src-biobank', subjects };
}

/**
 * Four sources: src-clinic (HPO, ORDO, demographics), src-vcf (VARIANT, ALLELES), src-registry (SNOMED, qualified
 * HPO, EAV arrays), src-biobank (100 subjects, EAV and a few VARIANT only). Same seed, same fixture.
 */
export function generateFixture(seed: number, opts: FixtureOptions = {}): Fixture {
  const scale = opts.scale ?? 1;
  const rng = mulberry32(seed);
  const hpo = [...loadFixtureOntology().termIds];
  // A seed-dependent order, so that skewPick favours different terms for different seeds.
  for (let i = hpo.length - 1; i > 0; i--) {
    const j = int(rng, 0, i);
    [hpo[i], hpo[j]] = [hpo[j], hpo[i]];
  }
  return {
    sources: [
      clinic(rng, Math.round(1200 * scale), hpo),
      vcf(rng, Math.round(1000 * scale)),
      registry(rng, Math.round(700 * scale), hpo),
      biobank(rng, Math.max(20, Math.round(100 * scale))),
    ],
  };
}

// ---- what the fixture holds (for random queries) -------------------------------------------------------------

export interface AttributeValues {
  strings: string[];
  numbers: number[];
  booleans: boolean[];
}

export interface FixtureInfo {
  sourceIds: string[];
  /** Plain-string HPO terms held somewhere. */
  hpoTerms: string[];
  /** HPO terms of the ontology (current and obsolete) or made up, held by nobody as plain strings. */
  absentHpoTerms: string[];
  ordoTerms: string[];
  absentOrdoTerms: string[];
  snomedTerms: string[];
  absentSnomedTerms: string[];
  variantGenes: string[];
  /** gene → alleles held (ALLELES). */
  alleles: Record<string, string[]>;
  /** attribute (stored name) → its values, sorted. */
  attributes: Record<string, AttributeValues>;
}

function sortedUnique<T extends string | number | boolean>(xs: Iterable<T>): T[] {
  return [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function describeFixture(fixture: Fixture): FixtureInfo {
  const hpo = new Set<string>();
  const ordo = new Set<string>();
  const snomed = new Set<string>();
  const genes = new Set<string>();
  const alleles: Record<string, Set<string>> = {};
  const attrs: Record<string, { strings: Set<string>; numbers: Set<number>; booleans: Set<boolean> }> = {};
  for (const source of fixture.sources) {
    for (const s of source.subjects) {
      s.HPO.forEach((e) => typeof e === 'string' && hpo.add(e));
      s.ORDO.forEach((e) => ordo.add(e));
      s.SNOMED.forEach((e) => typeof e === 'string' && snomed.add(e));
      s.VARIANT.forEach((v) => genes.add(v.gene));
      for (const a of s.ALLELES) {
        alleles[a.gene] ??= new Set();
        a.alleles.forEach((x) => alleles[a.gene].add(x));
      }
      for (const [key, value] of Object.entries(s.EAV)) {
        attrs[key] ??= { strings: new Set(), numbers: new Set(), booleans: new Set() };
        for (const v of Array.isArray(value) ? value : [value]) {
          if (typeof v === 'string') {
            attrs[key].strings.add(v);
          } else if (typeof v === 'number') {
            attrs[key].numbers.add(v);
          } else {
            attrs[key].booleans.add(v);
          }
        }
      }
    }
  }
  const ontology = loadFixtureOntology();
  return {
    sourceIds: fixture.sources.map((s) => s.sourceId),
    hpoTerms: sortedUnique(hpo),
    absentHpoTerms: sortedUnique([...ontology.termIds.filter((t) => !hpo.has(t)), ...ontology.obsoleteIds, '9999999']),
    ordoTerms: sortedUnique(ordo),
    absentOrdoTerms: sortedUnique([...ORDO_POOL.filter((t) => !ordo.has(t)), '999999']),
    snomedTerms: sortedUnique(snomed),
    absentSnomedTerms: sortedUnique([...SNOMED_POOL.filter((t) => !snomed.has(t)), '111111111']),
    variantGenes: sortedUnique(genes),
    alleles: Object.fromEntries(Object.entries(alleles).map(([g, xs]) => [g, sortedUnique(xs)])),
    attributes: Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        { strings: sortedUnique(v.strings), numbers: sortedUnique(v.numbers), booleans: sortedUnique(v.booleans) },
      ]),
    ),
  };
}
