/*
 * The HPO in memory: the is_a DAG, information content (IC) and the term-to-term measures (CV3 reference 6).
 * Built once from the parsed terms (and, optionally, annotation counts); every query after that is read-only.
 *
 * Information content
 * - With annotations (CV3's way): N(t) = the annotations directly on t plus N(c) of every child c. A term with
 *   several parents adds its N to *each* parent, so an annotation is counted once per path to the root and N(root)
 *   can exceed the number of annotations (CV3's worked example: 26 annotations, N(root) = 30).
 *   p(t) = N(t) / N(root), IC(t) = −ln p(t). Counts for an `alt_id` go to its primary term; counts for IDs that
 *   are not current terms (obsolete, or from another HPO release) are ignored (`unmatchedAnnotatedTerms`).
 * - Terms with N(t) = 0 (nothing annotated to them or below them) have no IC of their own. They take the IC and p
 *   of their most informative annotated ancestor: all we know about such a term is that it is a kind of that
 *   ancestor. This keeps IC monotone (a child never has less IC than a parent), keeps Lin in [0, 1], and makes the
 *   term as similar to others as that ancestor is; in particular such a term and that ancestor score Lin 1, and a
 *   whole unannotated branch under the root (e.g. Mode of inheritance with phenotype-only annotations) has IC 0
 *   and is similar to nothing. (The alternatives were worse: IC 0, as the Rust `hpo` crate does, breaks
 *   monotonicity and pushes Lin above 1; a pseudo-count of 1 makes every term of an unannotated branch maximally
 *   specific, so all of them score 1 with each other.)
 * - Without annotations: intrinsic IC (Sánchez et al. 2011), IC(t) = −ln((leaves(t)/|ancestors(t)| + 1) /
 *   (maxLeaves + 1)), where leaves(t) counts the leaf terms strictly below t (0 for a leaf, so every leaf has the
 *   highest IC, ln(maxLeaves + 1)), ancestors(t) includes t, and maxLeaves = leaves(root). p(t) is the fraction
 *   inside the log, so IC = −ln p holds in both modes.
 *
 * Measures, all in [0, 1] and 0 whenever the MICA is the root (IC 0):
 * - `lin`: 2·IC(MICA) / (IC(a) + IC(b)); 0 when both ICs are 0.
 * - `relevance` (Schlicker 2006, CV3's): lin × (1 − p(MICA)).
 * - `resnik`: IC(MICA) / maxIC, where maxIC is the highest IC of the ontology, so a threshold θ asks for a common
 *   ancestor carrying at least θ of the most specific term's information. Note resnik(t, t) = IC(t)/maxIC < 1 for
 *   all but the most specific terms.
 * MICA = the common ancestor (ancestors include the term itself) with the highest IC; on ties the lowest ID.
 *
 * Speed: ancestor lists are stored as sorted *ranks* (position of the term when all terms are ordered by IC, highest
 * first), so the MICA of two terms is the first rank their two lists share: a merge that stops early. `similarTo`
 * never scores all terms; see `collectSimilar`.
 */
import { MIN_STORED_SCORE, normaliseHpoId, type Measure, type OntologyTerm } from '../similarity.types';
import { DiseaseLinks } from './disease-links';
import { OntologyInputError } from './obo-parser';

export interface ScoredTerm {
  termId: string;
  /** Rounded with `roundScore`. */
  score: number;
}

/** One unordered pair of similar terms, `a < b`. */
export interface SimilarityEdge {
  a: string;
  b: string;
  /** Rounded with `roundScore`. */
  score: number;
}

export interface Descendant {
  termId: string;
  /** Shortest distance from the starting term (children are at 1). */
  depth: number;
}

export interface Replacement {
  /** Current terms: the obsolete term's `replaced_by` (followed to a current term), or the primary term of an alt_id. */
  replacedBy: string[];
  consider: string[];
}

/**
 * Scores are rounded to 4 decimals wherever they leave this class in lists (`similarTo`, `similarityEdges`), and
 * thresholds are compared with the rounded value, so the built-in and the Neo4j backends (which stores these
 * edges) agree to the last digit on which pairs pass a threshold.
 */
export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

export class Ontology {
  /** How IC was computed. */
  readonly icSource: 'annotations' | 'intrinsic';
  /** Number of current (non-obsolete) terms. */
  readonly size: number;
  readonly rootId: string;
  /** Depth of the deepest term, each term at its shortest distance from the root. */
  readonly maxDepth: number;
  /** The highest IC of any term (Resnik's normaliser). */
  readonly maxIc: number;
  /** Annotated IDs that are not current terms, not even through an alt_id (their counts were ignored). */
  readonly unmatchedAnnotatedTerms: number = 0;
  /** The HPO–Orphanet link (ORPHA rows of phenotype.hpoa); empty without it. See disease-links.ts. */
  readonly diseaseLinks: DiseaseLinks;

  // Dense indexes 0..size-1 over the current terms, in ID order (so comparing indexes compares IDs).
  private readonly ids: string[];
  private readonly indexById = new Map<string, number>();
  private readonly terms: OntologyTerm[];
  private readonly obsolete = new Map<string, OntologyTerm>();
  /** alt_id → primary (current) term ID. */
  private readonly primaryOfAlt = new Map<string, string>();

  // Adjacency in CSR form: the parents of term i are parentList[parentStart[i] .. parentStart[i + 1]).
  private readonly parentStart: Int32Array;
  private readonly parentList: Int32Array;
  private readonly childStart: Int32Array;
  private readonly childList: Int32Array;
  private readonly depthOf: Int32Array;

  private readonly countOf: Float64Array;
  private readonly icOf: Float64Array;
  private readonly pOf: Float64Array;
  /** byRank[r] = the term with the r-th highest IC (ties: lower index first); rankOf is its inverse. */
  private readonly byRank: Int32Array;
  /** Ancestors of i, itself included, as ascending ranks (so highest IC first), CSR like the adjacency. */
  private readonly ancStart: Int32Array;
  private readonly ancRanks: Int32Array;

  // Scratch space of the traversals: a term is "seen" in the current traversal when stamp[i] === generation.
  private readonly stamp: Uint32Array;
  private generation = 0;
  private readonly stack: Int32Array;

  /**
   * `annotationCounts`: direct annotation counts per term ID (`readAnnotations`); none = intrinsic IC.
   * `orphaTerms`: ORPHA disease → direct HPO terms (`Annotations.orphaTerms`); none = no disease links.
   */
  constructor(
    allTerms: readonly OntologyTerm[],
    annotationCounts?: ReadonlyMap<string, number>,
    orphaTerms?: ReadonlyMap<string, readonly string[]>,
  ) {
    const current = allTerms.filter((t) => !t.obsolete).sort((x, y) => compareIds(x.id, y.id));
    const n = current.length;
    if (n === 0) {
      throw new OntologyInputError('the ontology has no current term');
    }
    this.size = n;
    this.stamp = new Uint32Array(n);
    this.stack = new Int32Array(n);
    this.terms = current;
    this.ids = current.map((t) => t.id);
    this.ids.forEach((id, i) => this.indexById.set(id, i));
    for (const t of allTerms) {
      if (t.obsolete) {
        this.obsolete.set(t.id, t);
      } else {
        t.altIds.forEach((alt) => this.primaryOfAlt.set(alt, t.id));
      }
    }

    [this.parentStart, this.parentList] = this.buildParents();
    [this.childStart, this.childList] = this.buildChildren();
    const topo = this.topologicalOrder();
    const root = topo[0];
    this.rootId = this.ids[root];
    this.depthOf = this.buildDepths(topo);
    this.maxDepth = this.depthOf.reduce((a, b) => Math.max(a, b), 0);
    const ancestors = this.buildAncestors(topo);

    this.countOf = new Float64Array(n);
    this.icOf = new Float64Array(n);
    this.pOf = new Float64Array(n);
    if (annotationCounts) {
      this.icSource = 'annotations';
      this.unmatchedAnnotatedTerms = this.annotationIc(annotationCounts, topo, root);
    } else {
      this.icSource = 'intrinsic';
      this.intrinsicIc(ancestors, root);
    }
    this.maxIc = this.icOf.reduce((a, b) => Math.max(a, b), 0);

    this.byRank = Int32Array.from(this.ids.keys()).sort((x, y) => this.icOf[y] - this.icOf[x] || x - y);
    const rankOf = new Int32Array(n);
    this.byRank.forEach((term, rank) => (rankOf[term] = rank));
    this.ancStart = new Int32Array(n + 1);
    ancestors.forEach((list, i) => (this.ancStart[i + 1] = this.ancStart[i] + list.length));
    this.ancRanks = new Int32Array(this.ancStart[n]);
    ancestors.forEach((list, i) => {
      const ranks = this.ancRanks.subarray(this.ancStart[i], this.ancStart[i + 1]);
      list.forEach((a, k) => (ranks[k] = rankOf[a]));
      ranks.sort();
    });

    this.diseaseLinks = new DiseaseLinks(orphaTerms ?? new Map(), {
      ids: this.ids,
      indexOf: (id) => this.indexOf(id),
      annotatedIndexOf: (id) => this.indexById.get(id) ?? this.indexById.get(this.primaryOfAlt.get(id) ?? '') ?? -1,
    });
  }

  // ---- terms and structure --------------------------------------------------------------------------------------

  /** True for a current term (accepts `HP:` prefixes). Obsolete terms and alt_ids are not part of the DAG. */
  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  /** The dense index of a current term, -1 otherwise (for the `*At` methods). */
  indexOf(id: string): number {
    const i = this.indexById.get(id);
    if (i !== undefined) {
      return i;
    }
    const norm = normaliseHpoId(id);
    return norm === undefined ? -1 : (this.indexById.get(norm) ?? -1);
  }

  /** A current or obsolete term by its primary ID; undefined for unknown IDs and for alt_ids (see `replace`). */
  term(id: string): OntologyTerm | undefined {
    const i = this.indexOf(id);
    if (i >= 0) {
      return this.terms[i];
    }
    const norm = normaliseHpoId(id);
    return norm === undefined ? undefined : this.obsolete.get(norm);
  }

  /** Current terms in ID order. */
  currentTerms(): readonly OntologyTerm[] {
    return this.terms;
  }

  obsoleteTerms(): OntologyTerm[] {
    return [...this.obsolete.values()];
  }

  // Structural lookups answer [] for an ID that is not a current term.

  parents(id: string): string[] {
    return this.neighbours(this.indexOf(id), this.parentStart, this.parentList);
  }

  /** In ID order. */
  children(id: string): string[] {
    return this.neighbours(this.indexOf(id), this.childStart, this.childList);
  }

  /** Every ancestor, the term itself included, in ID order. */
  ancestors(id: string): string[] {
    const i = this.indexOf(id);
    if (i < 0) {
      return [];
    }
    const out: number[] = [];
    for (let k = this.ancStart[i]; k < this.ancStart[i + 1]; k++) {
      out.push(this.byRank[this.ancRanks[k]]);
    }
    return out.sort((x, y) => x - y).map((t) => this.ids[t]);
  }

  /**
   * Descendants (not the term itself) down to `maxDepth` levels (0: all), each once with its shortest distance,
   * ordered by depth then ID.
   */
  descendants(id: string, maxDepth = 0): Descendant[] {
    const start = this.indexOf(id);
    if (start < 0) {
      return [];
    }
    const gen = this.nextGeneration();
    this.stamp[start] = gen;
    const out: Descendant[] = [];
    let frontier = [start];
    for (let depth = 1; frontier.length > 0 && (maxDepth <= 0 || depth <= maxDepth); depth++) {
      const next: number[] = [];
      for (const t of frontier) {
        for (let k = this.childStart[t]; k < this.childStart[t + 1]; k++) {
          const c = this.childList[k];
          if (this.stamp[c] !== gen) {
            this.stamp[c] = gen;
            next.push(c);
          }
        }
      }
      next.sort((x, y) => x - y);
      next.forEach((c) => out.push({ termId: this.ids[c], depth }));
      frontier = next;
    }
    return out;
  }

  /** Shortest distance from the root (root: 0). */
  depth(id: string): number {
    return this.depthOf[this.known(id)];
  }

  /**
   * What an obsolete term or an alt_id now means; undefined for current terms and unknown IDs. replaced_by chains
   * are followed to current terms.
   */
  replace(id: string): Replacement | undefined {
    const norm = normaliseHpoId(id);
    if (norm === undefined || this.indexById.has(norm)) {
      return undefined;
    }
    const old = this.obsolete.get(norm);
    const primary = this.primaryOfAlt.get(norm);
    if (!old && primary === undefined) {
      return undefined;
    }
    const replacedBy = new Set(this.resolve(norm, new Set()));
    return { replacedBy: [...replacedBy].sort(compareIds), consider: old ? [...old.consider] : [] };
  }

  // ---- information content and measures -------------------------------------------------------------------------
  // These throw a RangeError for an ID that is not a current term: there is no neutral number to answer.

  /** N(t): propagated annotation count (0 with intrinsic IC, and for terms with nothing annotated below them). */
  count(id: string): number {
    return this.countOf[this.known(id)];
  }

  /** p(t); see the header for terms with N(t) = 0. */
  probability(id: string): number {
    return this.pOf[this.known(id)];
  }

  ic(id: string): number {
    return this.icOf[this.known(id)];
  }

  mica(a: string, b: string): string {
    return this.ids[this.micaAt(this.known(a), this.known(b))];
  }

  score(a: string, b: string, measure: Measure): number {
    return this.scoreAt(this.known(a), this.known(b), measure);
  }

  lin(a: string, b: string): number {
    return this.score(a, b, 'lin');
  }

  relevance(a: string, b: string): number {
    return this.score(a, b, 'relevance');
  }

  /** Normalised Resnik, IC(MICA) / maxIC. */
  resnik(a: string, b: string): number {
    return this.score(a, b, 'resnik');
  }

  /** `score` by dense index (`indexOf`), for hot loops. */
  scoreAt(a: number, b: number, measure: Measure): number {
    const m = this.micaAt(a, b);
    return this.scoreWithMica(measure, m, this.icOf[a], this.icOf[b]);
  }

  /** MICA by dense index: the first rank shared by the two ascending rank lists. */
  micaAt(a: number, b: number): number {
    const r = this.ancRanks;
    let i = this.ancStart[a];
    let j = this.ancStart[b];
    const iEnd = this.ancStart[a + 1];
    const jEnd = this.ancStart[b + 1];
    while (i < iEnd && j < jEnd) {
      if (r[i] === r[j]) {
        return this.byRank[r[i]];
      }
      if (r[i] < r[j]) {
        i++;
      } else {
        j++;
      }
    }
    // Unreachable: the DAG has one root and every ancestor list contains it.
    throw new Error(`no common ancestor for ${this.ids[a]} and ${this.ids[b]}`);
  }

  /**
   * Every current term other than `id` whose score with `id` is at least max(threshold, MIN_STORED_SCORE) after
   * rounding, highest score first, then ID. [] for an ID that is not a current term.
   */
  similarTo(id: string, threshold: number, measure: Measure): ScoredTerm[] {
    const a = this.indexOf(id);
    if (a < 0) {
      return [];
    }
    const found: Array<[number, number]> = [];
    this.collectSimilar(a, Math.max(threshold, MIN_STORED_SCORE), measure, (b, score) => found.push([b, score]));
    found.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    return found.map(([b, score]) => ({ termId: this.ids[b], score }));
  }

  /**
   * Every unordered pair of distinct current terms scoring at least `minScore` (after rounding; the Neo4j loader
   * passes MIN_STORED_SCORE), handed to `onBatch` in batches of `batchSize` (the last one smaller) and awaited one
   * at a time, so a slow consumer slows the enumeration instead of piling up edges. Resolves to the number of edges.
   */
  async similarityEdges(
    minScore: number,
    measure: Measure,
    onBatch: (edges: SimilarityEdge[]) => void | Promise<void>,
    batchSize = 10_000,
  ): Promise<number> {
    let batch: SimilarityEdge[] = [];
    let total = 0;
    for (let a = 0; a < this.size; a++) {
      // Each pair is found from both ends; keep it from its lower end only.
      this.collectSimilar(a, minScore, measure, (b, score) => {
        if (b > a) {
          batch.push({ a: this.ids[a], b: this.ids[b], score });
        }
      });
      while (batch.length >= batchSize) {
        const full = batch.slice(0, batchSize);
        batch = batch.slice(batchSize);
        total += full.length;
        await onBatch(full);
      }
    }
    if (batch.length > 0) {
      total += batch.length;
      await onBatch(batch);
    }
    return total;
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  /**
   * Calls `emit(b, roundedScore)` for every term b ≠ a with roundScore(score(a, b)) ≥ cutoff, each once, without
   * scoring every term:
   * - The MICA of a and b is an ancestor m of a with b below m. Walking a's ancestors by decreasing IC (that is
   *   the rank order of the ancestor list) and, for each, its not yet seen descendants, the first ancestor under
   *   which b is reached is its MICA, so b is scored once, with the right MICA.
   * - With m fixed, every measure falls as IC(b) grows, and IC never decreases going down the DAG; so once a
   *   descendant scores below the cutoff, nothing below it that is first reached through it can pass: that
   *   branch is not walked. (Anything below it that does pass has a MICA of higher IC and was reached earlier.)
   * - score(a, m) for the ancestor m itself (its own MICA) is the best any term under m can reach through m, and it
   *   only falls along the IC order: the first ancestor below the cutoff ends the walk. For Lin this is the
   *   bound Lin ≥ θ ⇒ IC(MICA) ≥ θ·(IC(a) + IC(b))/2.
   * The work is the number of terms close enough to a to be scored, not the size of the ontology.
   */
  private collectSimilar(a: number, cutoff: number, measure: Measure, emit: (b: number, score: number) => void): void {
    const { stamp, stack, childStart, childList, icOf } = this;
    const icA = icOf[a];
    const gen = this.nextGeneration();
    for (let k = this.ancStart[a]; k < this.ancStart[a + 1]; k++) {
      const m = this.byRank[this.ancRanks[k]];
      if (stamp[m] === gen) {
        continue; // already walked from an ancestor of equal IC above it
      }
      const top = roundScore(this.scoreWithMica(measure, m, icA, icOf[m]));
      if (top < cutoff) {
        break;
      }
      stamp[m] = gen;
      if (m !== a) {
        emit(m, top);
      }
      let sp = 0;
      stack[sp++] = m;
      while (sp > 0) {
        const t = stack[--sp];
        for (let c = childStart[t]; c < childStart[t + 1]; c++) {
          const b = childList[c];
          if (stamp[b] === gen) {
            continue;
          }
          stamp[b] = gen;
          const score = roundScore(this.scoreWithMica(measure, m, icA, icOf[b]));
          if (score >= cutoff) {
            if (b !== a) {
              emit(b, score);
            }
            stack[sp++] = b;
          }
        }
      }
    }
  }

  private scoreWithMica(measure: Measure, m: number, icA: number, icB: number): number {
    const icM = this.icOf[m];
    switch (measure) {
      case 'resnik':
        return this.maxIc > 0 ? icM / this.maxIc : 0;
      case 'lin':
        return icA + icB > 0 ? (2 * icM) / (icA + icB) : 0;
      case 'relevance':
        return icA + icB > 0 ? ((2 * icM) / (icA + icB)) * (1 - this.pOf[m]) : 0;
    }
  }

  /** Direct counts propagated along every path (CV3); returns how many annotated IDs matched no current term. */
  private annotationIc(counts: ReadonlyMap<string, number>, topo: Int32Array, root: number): number {
    const { countOf: N, icOf: ic, pOf: p } = this;
    let unmatched = 0;
    for (const [id, c] of counts) {
      const i = this.indexById.get(id) ?? this.indexById.get(this.primaryOfAlt.get(id) ?? '');
      if (i === undefined) {
        unmatched++;
      } else {
        N[i] += c;
      }
    }
    // Children before parents: each term's N is final before it is added to its parents.
    for (let k = topo.length - 1; k >= 0; k--) {
      const t = topo[k];
      for (let e = this.parentStart[t]; e < this.parentStart[t + 1]; e++) {
        N[this.parentList[e]] += N[t];
      }
    }
    const total = N[root];
    if (total === 0) {
      throw new OntologyInputError('no annotation names a current term of the ontology');
    }
    // Parents before children, so an unannotated term can take the values of its best parent (see the header).
    for (const t of topo) {
      if (N[t] > 0) {
        p[t] = N[t] / total;
        ic[t] = p[t] >= 1 ? 0 : -Math.log(p[t]);
        continue;
      }
      let best = -1;
      for (let e = this.parentStart[t]; e < this.parentStart[t + 1]; e++) {
        const q = this.parentList[e];
        if (best < 0 || ic[q] > ic[best]) {
          best = q;
        }
      }
      p[t] = p[best];
      ic[t] = ic[best];
    }
    return unmatched;
  }

  private intrinsicIc(ancestors: number[][], root: number): void {
    const leaves = new Float64Array(this.size);
    for (let t = 0; t < this.size; t++) {
      if (this.childStart[t] === this.childStart[t + 1]) {
        for (const a of ancestors[t]) {
          if (a !== t) {
            leaves[a]++;
          }
        }
      }
    }
    const maxLeaves = leaves[root];
    for (let t = 0; t < this.size; t++) {
      const p = (leaves[t] / ancestors[t].length + 1) / (maxLeaves + 1);
      this.pOf[t] = p;
      this.icOf[t] = p >= 1 ? 0 : -Math.log(p);
    }
  }

  private buildParents(): [Int32Array, Int32Array] {
    const start = new Int32Array(this.size + 1);
    const list: number[] = [];
    this.terms.forEach((t, i) => {
      for (const p of t.parents) {
        const j = this.indexById.get(p);
        if (j === undefined) {
          throw new OntologyInputError(`term ${t.id}: is_a ${p} is not a current term of the ontology`);
        }
        list.push(j);
      }
      start[i + 1] = list.length;
    });
    return [start, Int32Array.from(list)];
  }

  /** Children lists in index (= ID) order, because terms are visited in that order. */
  private buildChildren(): [Int32Array, Int32Array] {
    const n = this.size;
    const start = new Int32Array(n + 1);
    for (const p of this.parentList) {
      start[p + 1]++;
    }
    for (let i = 0; i < n; i++) {
      start[i + 1] += start[i];
    }
    const fill = start.slice(0, n);
    const list = new Int32Array(this.parentList.length);
    for (let c = 0; c < n; c++) {
      for (let e = this.parentStart[c]; e < this.parentStart[c + 1]; e++) {
        list[fill[this.parentList[e]]++] = c;
      }
    }
    return [start, list];
  }

  /** Parents before children (Kahn); the one root first. Refuses several roots and cycles. */
  private topologicalOrder(): Int32Array {
    const n = this.size;
    const waiting = new Int32Array(n);
    const order = new Int32Array(n);
    let len = 0;
    for (let i = 0; i < n; i++) {
      waiting[i] = this.parentStart[i + 1] - this.parentStart[i];
      if (waiting[i] === 0) {
        order[len++] = i;
      }
    }
    if (len !== 1) {
      const roots = Array.from(order.subarray(0, len), (i) => this.ids[i]);
      throw new OntologyInputError(
        `expected one root term (without is_a), found ${len}: ${roots.slice(0, 5).join(', ')}`,
      );
    }
    for (let k = 0; k < len; k++) {
      const t = order[k];
      for (let e = this.childStart[t]; e < this.childStart[t + 1]; e++) {
        const c = this.childList[e];
        if (--waiting[c] === 0) {
          order[len++] = c;
        }
      }
    }
    if (len !== n) {
      const stuck = this.ids[waiting.findIndex((w) => w > 0)];
      throw new OntologyInputError(`is_a cycle: term ${stuck} is its own ancestor or below such a term`);
    }
    return order;
  }

  private buildDepths(topo: Int32Array): Int32Array {
    const depth = new Int32Array(this.size).fill(-1);
    depth[topo[0]] = 0;
    for (const t of topo) {
      for (let e = this.childStart[t]; e < this.childStart[t + 1]; e++) {
        const c = this.childList[e];
        if (depth[c] < 0 || depth[t] + 1 < depth[c]) {
          depth[c] = depth[t] + 1;
        }
      }
    }
    return depth;
  }

  /** Ancestors of every term, itself included (first), as term indexes; parents are done before children. */
  private buildAncestors(topo: Int32Array): number[][] {
    const ancestors = new Array<number[]>(this.size);
    for (const t of topo) {
      const gen = this.nextGeneration();
      const list = [t];
      this.stamp[t] = gen;
      for (let e = this.parentStart[t]; e < this.parentStart[t + 1]; e++) {
        for (const a of ancestors[this.parentList[e]]) {
          if (this.stamp[a] !== gen) {
            this.stamp[a] = gen;
            list.push(a);
          }
        }
      }
      ancestors[t] = list;
    }
    return ancestors;
  }

  private neighbours(i: number, start: Int32Array, list: Int32Array): string[] {
    if (i < 0) {
      return [];
    }
    return Array.from(list.subarray(start[i], start[i + 1]), (j) => this.ids[j]);
  }

  /** Current terms an ID stands for: itself, its primary term, or its replacements, followed through chains. */
  private resolve(id: string, seen: Set<string>): string[] {
    if (seen.has(id)) {
      return [];
    }
    seen.add(id);
    if (this.indexById.has(id)) {
      return [id];
    }
    const primary = this.primaryOfAlt.get(id);
    const old = this.obsolete.get(id);
    return [
      ...(primary === undefined ? [] : [primary]),
      ...(old?.replacedBy ?? []).flatMap((r) => this.resolve(r, seen)),
    ];
  }

  private known(id: string): number {
    const i = this.indexOf(id);
    if (i < 0) {
      throw new RangeError(`${id} is not a current term of the ontology`);
    }
    return i;
  }

  private nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }
}

/** IDs are fixed-width digit strings, so string order is numeric order. */
function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
