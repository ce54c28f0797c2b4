/*
 * Annotation counts for information content: for each HPO term, how many distinct items are annotated *directly*
 * to it. Propagation to ancestors is the ontology's job (CV3's rule, see ontology.ts), so the input must be a file
 * of direct annotations. The format is recognised by its header line:
 *
 * - `phenotype.hpoa` (HPO disease annotations; header `database_id  disease_name  qualifier  hpo_id ... aspect`,
 *   after `#` comment lines; the pre-2021 `#DatabaseID ... HPO_ID ... Aspect` header is read too). Items are
 *   diseases (`database_id`, e.g. `OMIM:619340`). Only aspect `P` rows count: the other aspects annotate modes of
 *   inheritance (I), clinical course (C), modifiers (M) and frequencies (H), which are properties of the disease,
 *   not phenotypes. `NOT` rows say the disease does *not* have the phenotype and are skipped.
 * - `genes_to_phenotype.txt` (header `ncbi_gene_id  gene_symbol  hpo_id ...`). Items are genes (`ncbi_gene_id`):
 *   a gene linked to a term through several diseases counts once, as CV3's gene–phenotype corpus counts genes.
 *
 * `phenotype_to_genes.txt` is refused: it lists every gene of a term's descendants under the term too (already
 * propagated), so propagating it again would count the same gene several times per term.
 *
 * Distinct items rather than rows, because the HPO repeats a (disease, term) pair once per reference or onset.
 *
 * The same pass collects the HPO–Orphanet link of the query module (`hpo[].useOrphanet`, `ordo[].useHPO`): for
 * each Orphanet disease (`database_id` `ORPHA:<digits>`) of phenotype.hpoa, the distinct HPO terms of its rows
 * that count above (aspect P, not NOT). Direct annotations as written in the file; resolving alt IDs and dropping
 * terms the ontology does not have is `DiseaseLinks`' job. genes_to_phenotype.txt has no such link: an empty map.
 */
import { compareOrphaIds, normaliseHpoId, normaliseOrphaId } from '../similarity.types';
import { OntologyInputError, readLines } from './obo-parser';

export interface Annotations {
  format: 'phenotype.hpoa' | 'genes_to_phenotype.txt';
  /** HPO term ID (no prefix) → how many distinct items are annotated directly to it. */
  counts: Map<string, number>;
  /**
   * ORPHA disease ID (digits, `558`) → its directly annotated HPO term IDs (no prefix), distinct, in file order;
   * the map in ORPHA ID order. Empty for genes_to_phenotype.txt. (Distinct per `database_id` as written: a
   * disease written both as ORPHA:98 and ORPHA:098 could list a term twice; `DiseaseLinks` de-duplicates.)
   */
  orphaTerms: Map<string, string[]>;
}

/** Reads an annotation file (format from its header; see the top of this file). */
export async function readAnnotations(path: string): Promise<Annotations> {
  const counter = new AnnotationCounter();
  try {
    for await (const line of readLines(path)) {
      counter.push(line);
    }
    return counter.finish();
  } catch (err) {
    if (err instanceof OntologyInputError) {
      err.message = `${path}: ${err.message}`;
    }
    throw err;
  }
}

/** Same as `readAnnotations` over lines already in memory (tests). */
export function parseAnnotations(lines: Iterable<string>): Annotations {
  const counter = new AnnotationCounter();
  for (const line of lines) {
    counter.push(line);
  }
  return counter.finish();
}

/** The counts only (information content). */
export async function readAnnotationsFile(path: string): Promise<Map<string, number>> {
  return (await readAnnotations(path)).counts;
}

/** The counts only, over lines already in memory (tests). */
export function parseAnnotationLines(lines: Iterable<string>): Map<string, number> {
  return parseAnnotations(lines).counts;
}

/** Where the columns we need are in one format, found from its header. */
interface Layout {
  format: Annotations['format'];
  item: number;
  term: number;
  /** hpoa only. */
  qualifier?: number;
  aspect?: number;
}

/** `database_id` of an Orphanet disease in phenotype.hpoa. */
const ORPHA_ITEM = /^ORPHA:(\d+)$/;

/** `#DatabaseID` and `database_id` both become `databaseid`. */
const columnKey = (name: string) => name.replace(/^#/, '').replace(/_/g, '').trim().toLowerCase();

class AnnotationCounter {
  private lineNo = 0;
  private layout: Layout | undefined;
  /**
   * Term → the distinct items annotated to it, and the term's ID string as first seen: the disease links reuse that
   * one string (one per term, not one per row, and its hash is computed once for all later lookups).
   */
  private readonly items = new Map<string, { id: string; set: Set<string> }>();
  /** ORPHA disease → its distinct terms (hpoa only). */
  private readonly orpha = new Map<string, string[]>();
  /** The item of the last new pair and its ORPHA term list (undefined: not an ORPHA disease): rows come by disease. */
  private lastItem = '';
  private lastOrpha: string[] | undefined;

  push(line: string): void {
    this.lineNo++;
    if (line.trim() === '') {
      return;
    }
    if (!this.layout) {
      this.layout = this.readHeader(line);
      return;
    }
    if (line.startsWith('#')) {
      return;
    }
    const cols = line.split('\t');
    const { format, item, term, qualifier, aspect } = this.layout;
    if (cols.length <= Math.max(item, term, qualifier ?? 0, aspect ?? 0)) {
      throw new OntologyInputError(`expected tab-separated columns as in the header, got ${cols.length}`, this.lineNo);
    }
    if (aspect !== undefined && cols[aspect].trim() !== 'P') {
      return;
    }
    if (qualifier !== undefined && cols[qualifier].trim().toUpperCase() === 'NOT') {
      return;
    }
    const id = normaliseHpoId(cols[term]);
    if (!id) {
      throw new OntologyInputError(`"${cols[term]}" is not an HPO term ID`, this.lineNo);
    }
    const itemId = cols[item].trim();
    let entry = this.items.get(id);
    if (!entry) {
      entry = { id, set: new Set() };
      this.items.set(id, entry);
    }
    const { set } = entry;
    const known = set.size;
    set.add(itemId);
    // A new (term, disease) pair: the items set de-duplicates the disease links too.
    if (format === 'phenotype.hpoa' && set.size > known) {
      if (itemId !== this.lastItem) {
        this.lastItem = itemId;
        this.lastOrpha = this.orphaList(itemId);
      }
      this.lastOrpha?.push(entry.id);
    }
  }

  finish(): Annotations {
    if (!this.layout) {
      throw new OntologyInputError('no header line: not an HPO annotation file');
    }
    return {
      format: this.layout.format,
      counts: new Map([...this.items].map(([id, { set }]) => [id, set.size])),
      orphaTerms: new Map(
        [...this.orpha.keys()].sort(compareOrphaIds).map((orphaId) => [orphaId, this.orpha.get(orphaId)!]),
      ),
    };
  }

  /** The term list of an ORPHA disease item (`ORPHA:558`), created on first sight; undefined for other items. */
  private orphaList(itemId: string): string[] | undefined {
    const m = itemId.startsWith('ORPHA:') ? ORPHA_ITEM.exec(itemId) : null;
    const orphaId = m ? normaliseOrphaId(m[1]) : undefined;
    if (orphaId === undefined) {
      return undefined;
    }
    let list = this.orpha.get(orphaId);
    if (!list) {
      list = [];
      this.orpha.set(orphaId, list);
    }
    return list;
  }

  /**
   * Returns undefined for the `#` comment lines before the header (`#description: ...`); a `#` line with tabs is
   * the old hpoa header.
   */
  private readHeader(line: string): Layout | undefined {
    if (line.startsWith('#') && !line.includes('\t')) {
      return undefined;
    }
    const cols = line.split('\t').map(columnKey);
    const at = (name: string) => cols.indexOf(name);
    if (at('databaseid') >= 0 && at('hpoid') >= 0 && at('aspect') >= 0) {
      const qualifier = at('qualifier');
      return {
        format: 'phenotype.hpoa',
        item: at('databaseid'),
        term: at('hpoid'),
        qualifier: qualifier >= 0 ? qualifier : undefined,
        aspect: at('aspect'),
      };
    }
    if (cols[0] === 'ncbigeneid' && at('hpoid') >= 0) {
      return { format: 'genes_to_phenotype.txt', item: 0, term: at('hpoid') };
    }
    if (cols[0] === 'hpoid' && at('ncbigeneid') >= 0) {
      throw new OntologyInputError(
        'phenotype_to_genes.txt is already propagated to ancestors; use genes_to_phenotype.txt or phenotype.hpoa',
        this.lineNo,
      );
    }
    throw new OntologyInputError(
      'unknown annotation format: expected the header of phenotype.hpoa or genes_to_phenotype.txt',
      this.lineNo,
    );
  }
}
