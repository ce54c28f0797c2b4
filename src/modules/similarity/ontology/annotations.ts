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
 */
import { normaliseHpoId } from '../similarity.types';
import { OntologyInputError, readLines } from './obo-parser';

export async function readAnnotationsFile(path: string): Promise<Map<string, number>> {
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

/** Same as `readAnnotationsFile` over lines already in memory (tests). */
export function parseAnnotationLines(lines: Iterable<string>): Map<string, number> {
  const counter = new AnnotationCounter();
  for (const line of lines) {
    counter.push(line);
  }
  return counter.finish();
}

/** Where the columns we need are in one format, found from its header. */
interface Layout {
  item: number;
  term: number;
  /** hpoa only. */
  qualifier?: number;
  aspect?: number;
}

/** `#DatabaseID` and `database_id` both become `databaseid`. */
const columnKey = (name: string) => name.replace(/^#/, '').replace(/_/g, '').trim().toLowerCase();

class AnnotationCounter {
  private lineNo = 0;
  private layout: Layout | undefined;
  /** Term → the distinct items annotated to it. */
  private readonly items = new Map<string, Set<string>>();

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
    const { item, term, qualifier, aspect } = this.layout;
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
    let set = this.items.get(id);
    if (!set) {
      set = new Set();
      this.items.set(id, set);
    }
    set.add(cols[item].trim());
  }

  finish(): Map<string, number> {
    if (!this.layout) {
      throw new OntologyInputError('no header line: not an HPO annotation file');
    }
    return new Map([...this.items].map(([id, set]) => [id, set.size]));
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
        item: at('databaseid'),
        term: at('hpoid'),
        qualifier: qualifier >= 0 ? qualifier : undefined,
        aspect: at('aspect'),
      };
    }
    if (cols[0] === 'ncbigeneid' && at('hpoid') >= 0) {
      return { item: 0, term: at('hpoid') };
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
