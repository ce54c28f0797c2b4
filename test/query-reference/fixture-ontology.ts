/*
 * The test HPO fixture (test/fixtures/hpo) read with a few lines of code of its own: current term IDs, is_a
 * parents, the ORPHA rows of phenotype.hpoa, and a toy similarity (Jaccard of ancestor sets) for tests that need
 * *some* similarity without the real similarity module. The property test should give both implementations the
 * same `similar` (e.g. the real Ontology's similarTo); the toy one only makes the reference's own tests meaningful.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferenceDeps } from './reference';

export const FIXTURE_HPO_DIR = join(__dirname, '..', 'fixtures', 'hpo');

export interface FixtureOntology {
  /** Current (non-obsolete) term IDs, 7 digits without prefix, in file order. */
  termIds: string[];
  /** Obsolete term IDs (7 digits). */
  obsoleteIds: string[];
  /** is_a parents of each current term (7 digits). */
  parents: Map<string, string[]>;
  /** [orphaId (digits), hpoId (7 digits)] for every ORPHA row of phenotype.hpoa (qualifier NOT left out). */
  orphaAnnotations: Array<[string, string]>;
}

let cached: FixtureOntology | undefined;

export function loadFixtureOntology(): FixtureOntology {
  if (cached) {
    return cached;
  }
  const termIds: string[] = [];
  const obsoleteIds: string[] = [];
  const parents = new Map<string, string[]>();
  let id: string | undefined;
  let obsolete = false;
  let isA: string[] = [];
  const flush = () => {
    if (id) {
      if (obsolete) {
        obsoleteIds.push(id);
      } else {
        termIds.push(id);
        parents.set(id, isA);
      }
    }
    id = undefined;
    obsolete = false;
    isA = [];
  };
  for (const line of readFileSync(join(FIXTURE_HPO_DIR, 'hp.obo'), 'utf8').split(/\r?\n/)) {
    if (line.startsWith('[')) {
      flush();
    }
    let m = /^id: HP:(\d{7})\s*$/.exec(line);
    if (m) {
      id = m[1];
    }
    m = /^is_a: HP:(\d{7})/.exec(line);
    if (m) {
      isA.push(m[1]);
    }
    if (/^is_obsolete: true/.test(line)) {
      obsolete = true;
    }
  }
  flush();

  const orphaAnnotations: Array<[string, string]> = [];
  for (const line of readFileSync(join(FIXTURE_HPO_DIR, 'phenotype.hpoa'), 'utf8').split(/\r?\n/)) {
    const cols = line.split('\t');
    const disease = /^ORPHA:(\d+)$/.exec(cols[0] ?? '');
    const hpo = /^HP:(\d{7})$/.exec(cols[3] ?? '');
    if (disease && hpo && cols[2] !== 'NOT') {
      orphaAnnotations.push([disease[1], hpo[1]]);
    }
  }
  cached = { termIds, obsoleteIds, parents, orphaAnnotations };
  return cached;
}

/** diseasesOfHpo / hpoOfDisease from the fixture's ORPHA rows (direct annotations only, no propagation). */
export function fixtureAnnotationDeps(): Required<Pick<ReferenceDeps, 'diseasesOfHpo' | 'hpoOfDisease'>> {
  const { orphaAnnotations } = loadFixtureOntology();
  return {
    diseasesOfHpo: (termId) => [...new Set(orphaAnnotations.filter(([, h]) => h === termId).map(([d]) => d))],
    hpoOfDisease: (orphaId) => [...new Set(orphaAnnotations.filter(([d]) => d === orphaId).map(([, h]) => h))],
  };
}

function ancestors(id: string, parents: Map<string, string[]>): Set<string> {
  const out = new Set<string>();
  const todo = [id];
  while (todo.length > 0) {
    const t = todo.pop() as string;
    if (!out.has(t)) {
      out.add(t);
      todo.push(...(parents.get(t) ?? []));
    }
  }
  return out;
}

/** Toy similarity: |anc(a) ∩ anc(b)| / |anc(a) ∪ anc(b)| (ancestors include the term), rounded to 4 decimals. */
export function toySimilarity(a: string, b: string): number {
  const { parents } = loadFixtureOntology();
  if (!parents.has(a) || !parents.has(b)) {
    return a === b ? 1 : 0;
  }
  const x = ancestors(a, parents);
  const y = ancestors(b, parents);
  let common = 0;
  for (const t of x) {
    if (y.has(t)) {
      common++;
    }
  }
  return Math.round((common / (x.size + y.size - common)) * 10_000) / 10_000;
}

/** ReferenceDeps with the toy similarity and the fixture's ORPHA annotations. */
export function toyDeps(): ReferenceDeps {
  const { termIds } = loadFixtureOntology();
  return {
    similar: (termId, threshold) => termIds.filter((t) => toySimilarity(termId, t) >= threshold),
    ...fixtureAnnotationDeps(),
  };
}
