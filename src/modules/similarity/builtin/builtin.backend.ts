/*
 * The built-in similarity backend (default, `Neo4j.Enabled` false): everything answered in process from an
 * `Ontology`. The Neo4j backend stores the edges of `Ontology.similarityEdges` and must answer exactly as this one.
 *
 * Inputs are term IDs with or without `HP:`; answers carry them without. One answer per input, in input order
 * (de-duplication is the service's job). An input that is not a current term (unknown, malformed, obsolete, or an
 * alt_id) gets an empty answer: no children, no similar terms, not even itself; `term` returns undefined for it
 * except for obsolete terms, which are shown with their replacements. Turning those into 400s, or mapping obsolete
 * inputs through `replace` first, is the service's choice.
 *
 * - expand: descendants with their shortest depth, ordered by depth then ID; `depth` ≤ 0 means unlimited.
 * - similar: the input itself with score 1, then every term scoring ≥ max(threshold, MIN_STORED_SCORE) with the
 *   configured measure, ordered by score (rounded to 4 decimals, see `roundScore`) descending then ID; `limit`
 *   (undefined or ≤ 0: none) caps the whole list, the input included. `threshold` in the answer is the effective
 *   one (≥ MIN_STORED_SCORE).
 * - replace: see `Ontology.replace`; current and unknown IDs get empty lists.
 * - autocomplete: see ../autocomplete.ts; obsolete terms are never suggested.
 * - diseasesOfTerms / termsOfDiseases: the HPO–Orphanet link, `Ontology.diseaseLinks` (../ontology/disease-links.ts);
 *   one map entry per distinct input, keyed by the normalised ID (the trimmed input when malformed), [] when none.
 */
import {
  MIN_STORED_SCORE,
  normaliseOrphaId,
  type AutocompleteHit,
  type ExpandResult,
  type Measure,
  type ReplaceResult,
  type SimilarityBackend,
  type SimilarResult,
  type TermDetails,
} from '../similarity.types';
import { displayId, parseAutocompleteQuery, rankAutocomplete, type SearchEntry, searchEntry } from '../autocomplete';
import { loadOntology, type OntologyPaths } from '../ontology/load';
import type { Ontology } from '../ontology/ontology';

export class BuiltinBackend implements SimilarityBackend {
  readonly mode = 'builtin' as const;
  private readonly search: SearchEntry[];

  constructor(
    readonly ontology: Ontology,
    readonly measure: Measure,
  ) {
    this.search = ontology.currentTerms().map(searchEntry);
  }

  static async fromFiles(paths: OntologyPaths, measure: Measure): Promise<BuiltinBackend> {
    return new BuiltinBackend(await loadOntology(paths), measure);
  }

  /** Loaded in the constructor: always ready. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  /** For the service's `GET /hpo` answer and its load log. */
  stats(): { termCount: number; rootTerm: string; maxDepth: number } {
    const o = this.ontology;
    return { termCount: o.size, rootTerm: o.rootId, maxDepth: o.maxDepth };
  }

  term(id: string): Promise<TermDetails | undefined> {
    const t = this.ontology.term(id);
    if (!t) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve({
      termId: t.id,
      label: t.label,
      definition: t.definition,
      synonyms: [...t.synonyms],
      comment: t.comment,
      parents: [...t.parents],
      children: this.ontology.children(t.id),
      obsolete: t.obsolete,
      replacedBy: t.obsolete ? (this.ontology.replace(t.id)?.replacedBy ?? []) : [],
      consider: [...t.consider],
    });
  }

  autocomplete(query: string, limit: number, withDefinition: boolean): Promise<AutocompleteHit[]> {
    const q = parseAutocompleteQuery(query);
    return Promise.resolve(q ? rankAutocomplete(this.search, q, limit, withDefinition) : []);
  }

  expand(termIds: string[], depth: number): Promise<ExpandResult[]> {
    return Promise.resolve(
      termIds.map((raw) => ({
        termId: displayId(raw),
        children: this.ontology.descendants(raw, Math.max(depth, 0)),
        depth,
      })),
    );
  }

  similar(termIds: string[], threshold: number, limit?: number): Promise<SimilarResult[]> {
    const effective = Math.max(threshold, MIN_STORED_SCORE);
    return Promise.resolve(
      termIds.map((raw) => {
        const termId = displayId(raw);
        if (!this.ontology.has(termId)) {
          return { termId, similar: [], threshold: effective };
        }
        const similar = [{ termId, score: 1 }, ...this.ontology.similarTo(termId, effective, this.measure)];
        // Other terms can also score exactly 1 (Lin), so the input is sorted in like any other term.
        similar.sort((x, y) => y.score - x.score || (x.termId < y.termId ? -1 : 1));
        return { termId, similar: limit && limit > 0 ? similar.slice(0, limit) : similar, threshold: effective };
      }),
    );
  }

  diseasesOfTerms(hpoIds: string[]): Promise<Map<string, string[]>> {
    const links = this.ontology.diseaseLinks;
    return Promise.resolve(new Map(hpoIds.map((raw) => [displayId(raw), links.diseasesOfTerm(raw)])));
  }

  termsOfDiseases(orphaIds: string[]): Promise<Map<string, string[]>> {
    const links = this.ontology.diseaseLinks;
    return Promise.resolve(
      new Map(orphaIds.map((raw) => [normaliseOrphaId(raw) ?? raw.trim(), links.termsOfDisease(raw)])),
    );
  }

  hasDiseaseLinks(): Promise<boolean> {
    return Promise.resolve(!this.ontology.diseaseLinks.empty);
  }

  replace(termIds: string[]): Promise<ReplaceResult[]> {
    return Promise.resolve(
      termIds.map((raw) => {
        const r = this.ontology.replace(raw);
        return { termId: displayId(raw), replacedBy: r?.replacedBy ?? [], consider: r?.consider ?? [] };
      }),
    );
  }
}
