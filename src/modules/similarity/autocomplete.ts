/*
 * Autocomplete (CV3 BTS v2), shared by both backends: the built-in one ranks every current term, the Neo4j one the
 * candidates its index prefilter found. The query loses its quotes, is lower-cased and split on whitespace; under
 * 3 characters (after that) it answers []. A term matches when one of its fields contains every word; fields are
 * tried in CV3's priority order ID (digits, a word's `HP:` dropped), label, synonyms, definition, and the first
 * that matches decides the rank: hits in a higher-priority field first, then shortest label, then earliest match
 * position (of any word) in that field, then ID. `limit` ≤ 0: all.
 */
import { type AutocompleteHit, normaliseHpoId } from './similarity.types';

/** Stripped from queries (as CV3): straight and curly quotes, and backticks. */
export const AUTOCOMPLETE_QUOTES = /["'`\u2018\u2019\u201c\u201d]/g;
/** CV3 BTS: shorter queries match too much of the ontology and get an empty list. */
export const MIN_AUTOCOMPLETE_CHARS = 3;

/** Lower-cased search fields of one current term, in CV3's priority order. */
export interface SearchEntry {
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

export interface AutocompleteQuery {
  words: string[];
  /** The words as they can match the ID field (bare digits). */
  idWords: string[];
}

export function searchEntry(t: { id: string; label: string; definition: string; synonyms: string[] }): SearchEntry {
  return {
    termId: t.id,
    label: t.label,
    definition: t.definition,
    fields: [[t.id], [t.label.toLowerCase()], t.synonyms.map((s) => s.toLowerCase()), [t.definition.toLowerCase()]],
  };
}

/** The query's words, or undefined when it is too short to answer. */
export function parseAutocompleteQuery(query: string): AutocompleteQuery | undefined {
  const text = query.replace(AUTOCOMPLETE_QUOTES, '').trim().toLowerCase();
  if (text.length < MIN_AUTOCOMPLETE_CHARS) {
    return undefined;
  }
  const words = text.split(/\s+/);
  // The ID field holds bare digits, so `HP:0001250` must lose its prefix to match there.
  return { words, idWords: words.map((w) => w.replace(/^hp[:_]/, '')) };
}

export function rankAutocomplete(
  entries: Iterable<SearchEntry>,
  query: AutocompleteQuery,
  limit: number,
  withDefinition: boolean,
): AutocompleteHit[] {
  const hits: Ranked[] = [];
  for (const entry of entries) {
    const hit = matchEntry(entry, query);
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
  return top.map(({ entry }) =>
    withDefinition
      ? { termId: entry.termId, label: entry.label, definition: entry.definition }
      : { termId: entry.termId, label: entry.label },
  );
}

/** The ID without prefix when it is one; otherwise the input as given (trimmed), so the caller can tell which. */
export function displayId(raw: string): string {
  return normaliseHpoId(raw) ?? raw.trim();
}

function matchEntry(entry: SearchEntry, { words, idWords }: AutocompleteQuery): Ranked | undefined {
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
