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
 * - autocomplete (CV3 BTS v2): the query loses its quotes, is lower-cased and split on whitespace; under 3
 *   characters (after that) answers []. A term matches when one of its fields contains every word; fields are
 *   tried in CV3's priority order ID (digits, a word's `HP:` dropped), label, synonyms, definition, and the first
 *   that matches decides the rank: hits in a higher-priority field first, then shortest label, then earliest
 *   match position (of any word) in that field, then ID. Obsolete terms are never suggested. `limit` ≤ 0: all.
 */
import {
  MIN_STORED_SCORE,
  normaliseHpoId,
  type AutocompleteHit,
  type ExpandResult,
  type Measure,
  type ReplaceResult,
  type SimilarityBackend,
  type SimilarResult,
  type TermDetails,
} from '../similarity.types';
import { loadOntology, type OntologyPaths } from '../ontology/load';
import type { Ontology } from '../ontology/ontology';

/** Lower-cased search fields of one current term, in CV3's priority order. */
interface SearchEntry {
  termId: string;
  label: string;
  definition: string;
  fields: string[][];
}

interface Ranked {
  entry: SearchEntry;
  field: number;
  position: number;
}

const QUOTES = /["'\u2018\u2019\u201c\u201d]/g;
const MIN_QUERY_CHARS = 3;

export class BuiltinBackend implements SimilarityBackend {
  readonly mode = 'builtin' as const;
  private readonly search: SearchEntry[];

  constructor(
    readonly ontology: Ontology,
    readonly measure: Measure,
  ) {
    this.search = ontology.currentTerms().map((t) => ({
      termId: t.id,
      label: t.label,
      definition: t.definition,
      fields: [[t.id], [t.label.toLowerCase()], t.synonyms.map((s) => s.toLowerCase()), [t.definition.toLowerCase()]],
    }));
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
    const text = query.replace(QUOTES, '').trim().toLowerCase();
    if (text.length < MIN_QUERY_CHARS) {
      return Promise.resolve([]);
    }
    const words = text.split(/\s+/);
    // The ID field holds bare digits, so `HP:0001250` must lose its prefix to match there.
    const idWords = words.map((w) => w.replace(/^hp[:_]/, ''));
    const hits: Ranked[] = [];
    for (const entry of this.search) {
      const hit = matchEntry(entry, words, idWords);
      if (hit) {
        hits.push(hit);
      }
    }
    hits.sort(
      (x, y) =>
        x.field - y.field ||
        x.entry.label.length - y.entry.label.length ||
        x.position - y.position ||
        (x.entry.termId < y.entry.termId ? -1 : 1),
    );
    const top = limit > 0 ? hits.slice(0, limit) : hits;
    return Promise.resolve(
      top.map(({ entry }) =>
        withDefinition
          ? { termId: entry.termId, label: entry.label, definition: entry.definition }
          : { termId: entry.termId, label: entry.label },
      ),
    );
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

  replace(termIds: string[]): Promise<ReplaceResult[]> {
    return Promise.resolve(
      termIds.map((raw) => {
        const r = this.ontology.replace(raw);
        return { termId: displayId(raw), replacedBy: r?.replacedBy ?? [], consider: r?.consider ?? [] };
      }),
    );
  }
}

/** The ID without prefix when it is one; otherwise the input as given (trimmed), so the caller can tell which. */
function displayId(raw: string): string {
  return normaliseHpoId(raw) ?? raw.trim();
}

function matchEntry(entry: SearchEntry, words: string[], idWords: string[]): Ranked | undefined {
  for (let field = 0; field < entry.fields.length; field++) {
    const ws = field === 0 ? idWords : words;
    let best = Infinity;
    for (const value of entry.fields[field]) {
      best = Math.min(best, matchPosition(value, ws));
    }
    if (best < Infinity) {
      return { entry, field, position: best };
    }
  }
  return undefined;
}

/** Where the earliest of the words starts in `value`, when it contains all of them; Infinity otherwise. */
function matchPosition(value: string, words: string[]): number {
  let position = Infinity;
  for (const w of words) {
    const at = value.indexOf(w);
    if (at < 0) {
      return Infinity;
    }
    position = Math.min(position, at);
  }
  return position;
}
