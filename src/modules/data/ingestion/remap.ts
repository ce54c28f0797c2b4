/*
 * Remap: staged rows (CSV) or VCF records → the subject fields of CV3 section 1.7.
 *
 * Decisions:
 * - Pattern sets are tried in order and the first whose regex matches the value wins; a value no set matches passes
 *   through unchanged (sets transform, they do not filter). CV3 wrote Python regexes, so `\1` / `\g<1>` / `\g<name>`
 *   in replacements and `(?P<name>` in patterns are accepted and translated to JS syntax.
 * - Terms lose their prefix and must then have the ontology's shape, else they are invalid (see `RemapOptions`):
 *   HPO `HP:0001250`/`HP_0001250`/OBO URL → `0001250` (7 digits); ORDO `ORPHA:558`/`Orphanet_558`/URL → `558`;
 *   SNOMED `SNOMEDCT:123456`/`SCTID:…`/plain → digits (6–18); NCIT `NCIT:C12345` → `C12345`.
 * - A qualifier set yields `{term: value}` for hpo and snomedCT (the term is normalised as above, the value parsed
 *   as an EAV scalar), `{key: value}` in EAV for eav, `{gene, mutation}` for gene; for ordo only the term is kept.
 * - `gene` directives (CSV): `BRCA1` → VARIANT `{gene: 'BRCA1', mutation: 'unknown'}`; `BRCA1:missense_variant` →
 *   VARIANT with that mutation; `APOE:e3/e4` (a `/` after the colon) → ALLELES `{gene: 'APOE', alleles: ['e3','e4']}`.
 *   No af is stored for CSV genes (the index computes frequencies from VCF data only).
 * - EAV values: decimal numbers → number (except ones with a leading zero such as `007`, kept as IDs), `true`/`false`
 *   (any case) → boolean, anything else → trimmed string. Several values in a row → an array. Attribute names get
 *   `.` → `_` and a leading `$` → `_` (MongoDB field names).
 * - No directives (or no remap pipeline): default remap by header name, case- and punctuation-insensitive:
 *   hpo/hp/hpo_id(s)/hpo_term(s) → HPO, ordo/orpha/orphanet/orpha_code → ORDO, snomed/snomedct/sctid → SNOMED,
 *   ncit/nci → NCIT, gene/genes/gene_symbol/hgnc → gene rules above, every other column → EAV.
 * - VCF: a sample gets a VARIANT for each ALT allele its GT carries, one per distinct (gene, consequence) annotated
 *   for that allele (ANN/CSQ; without them INFO GENEINFO/GENE gives the gene and INFO MC the class, else the record is
 *   skipped; annotations that cannot be matched to an ALT of a multi-allelic record are skipped). af = INFO AF for
 *   that allele, else computed from the record's own genotypes (alt alleles / called alleles, CV3 assumes the dataset
 *   complete). Per subject entries are de-duplicated by (gene, mutation) keeping the highest af, listed by gene in
 *   first-seen order. Every sample of the header is a subject, even one without variants. REF/ALT/POS are never
 *   stored.
 */
import type {
  QualifiedTerm,
  RemapDestination,
  RemapPipeline,
  SubjectDocument,
  TermSetDirective,
  VariantEntry,
  PatternSet,
} from '../data.types';
import type { StagedValue } from './file-pipeline';
import { IngestionInputError, type VcfRecord } from './readers';
import { mergeSubject, type SubjectPart } from './subject-builder';

export type TermKind = 'hpo' | 'ordo' | 'snomed' | 'ncit';
type Destination = RemapDestination | 'ncit';
type Scalar = string | number | boolean;

export interface RemapIssue {
  line?: number;
  column: string;
  value: string;
  destination: Destination;
  reason: string;
}

export interface RemapOptions {
  /** `drop` (default): invalid values are skipped and reported to `onInvalid`; `error`: the first one throws. */
  invalid?: 'drop' | 'error';
  onInvalid?: (issue: RemapIssue) => void;
}

export interface RemapRowInput {
  line?: number;
  values: Record<string, StagedValue>;
}

const TERM_RULES: Record<TermKind, { prefix: RegExp; shape: RegExp; label: string }> = {
  hpo: {
    prefix: /^(?:https?:\/\/purl\.obolibrary\.org\/obo\/)?HPO?[:_]\s*/i,
    shape: /^\d{7}$/,
    label: 'an HPO term (7 digits)',
  },
  ordo: {
    prefix: /^(?:https?:\/\/www\.orpha\.net\/ORDO\/)?(?:ORPHA(?:NET)?|ORDO)[:_]\s*/i,
    shape: /^\d+$/,
    label: 'an ORDO (Orphanet) number',
  },
  snomed: {
    prefix: /^(?:SNOMED(?:[-_]?CT)?(?:_US)?|SCTID|SCT)[:_]\s*/i,
    shape: /^\d{6,18}$/,
    label: 'a SNOMED CT concept ID (6–18 digits)',
  },
  ncit: {
    prefix: /^(?:https?:\/\/purl\.obolibrary\.org\/obo\/NCIT_|NCIT?[:_]\s*)/i,
    shape: /^C\d+$/,
    label: 'an NCIT code (C + digits)',
  },
};

/** The bare ID of a term (prefix stripped) or undefined when it does not have the ontology's shape. */
export function normaliseTerm(kind: TermKind, raw: string): string | undefined {
  const rule = TERM_RULES[kind];
  let id = raw.trim().replace(rule.prefix, '');
  if (kind === 'ncit') {
    id = id.toUpperCase();
  }
  return rule.shape.test(id) ? id : undefined;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** EAV scalar parsing (see the header comment). */
export function parseScalar(raw: string): Scalar {
  const v = raw.trim();
  if (NUMBER_RE.test(v) && !/^[+-]?0\d/.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) {
      return n;
    }
  }
  const lower = v.toLowerCase();
  if (lower === 'true' || lower === 'false') {
    return lower === 'true';
  }
  return v;
}

export function eavKey(name: string): string {
  return name.trim().replace(/\./g, '_').replace(/^\$/, '_');
}

const GENE_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,39}$/;

/** Python-style replacement → JS replacement string. */
function jsReplacement(r: string): string {
  return r
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<([A-Za-z_]\w*)>/g, '$$<$1>')
    .replace(/\\(\d)/g, '$$$1');
}

interface CompiledSet {
  re: RegExp;
  set: PatternSet;
  replacement: string;
  qualifier: string;
  value: string;
}

interface CompiledDirective {
  origin: string;
  destination: Destination;
  sets: CompiledSet[];
}

function compileDirective(d: TermSetDirective, pipelineName: string): CompiledDirective {
  const sets = (d.patternSets ?? []).map((set): CompiledSet => {
    let re: RegExp;
    try {
      re = new RegExp(set.pattern.replace(/\(\?P</g, '(?<'));
    } catch (err) {
      throw new IngestionInputError(
        `remap pipeline "${pipelineName}": invalid pattern ${JSON.stringify(set.pattern)} for column "${d.origin}" (${(err as Error).message})`,
      );
    }
    return set.type === 'basic'
      ? { re, set, replacement: jsReplacement(set.replacement), qualifier: '', value: '' }
      : {
          re,
          set,
          replacement: '',
          qualifier: jsReplacement(set.qualifierReplacement),
          value: jsReplacement(set.valueReplacement),
        };
  });
  return { origin: d.origin, destination: d.destination, sets };
}

const DEFAULT_COLUMNS: Array<[RegExp, Destination]> = [
  [/^(hpo|hp|hpoids?|hpoterms?)$/, 'hpo'],
  [/^(ordo|orpha|orphanet|orphacodes?|ordoids?)$/, 'ordo'],
  [/^(snomed|snomedct|snomedids?|sctids?)$/, 'snomedCT'],
  [/^(ncit|nci|ncitcodes?)$/, 'ncit'],
  [/^(genes?|genesymbols?|hgnc|hgncsymbols?)$/, 'gene'],
];

/** The default destination for a column name (used when a remap has no directives). */
export function defaultDestination(column: string): Destination {
  const key = column.toLowerCase().replace(/[^a-z0-9]/g, '');
  return DEFAULT_COLUMNS.find(([re]) => re.test(key))?.[1] ?? 'eav';
}

type Out = Required<Pick<SubjectDocument, 'HPO' | 'ORDO' | 'SNOMED' | 'NCIT' | 'ALLELES' | 'VARIANT' | 'EAV'>>;

function emptyOut(): Out {
  return { HPO: [], ORDO: [], SNOMED: [], NCIT: [], ALLELES: [], VARIANT: [], EAV: {} };
}

function addEav(eav: Record<string, SubjectDocument['EAV'][string]>, key: string, value: Scalar): void {
  const k = eavKey(key);
  if (!k) {
    return;
  }
  const prev = eav[k];
  if (prev === undefined) {
    eav[k] = value;
  } else if (Array.isArray(prev)) {
    if (!prev.includes(value)) {
      prev.push(value);
    }
  } else if (prev !== value) {
    eav[k] = [prev, value];
  }
}

export class Remapper {
  private directives: CompiledDirective[] | undefined;

  constructor(
    pipeline: RemapPipeline | null | undefined,
    private readonly options: RemapOptions = {},
  ) {
    const ds = pipeline?.directives ?? [];
    this.directives = ds.length ? ds.map((d) => compileDirective(d, pipeline?.pipelineName ?? '')) : undefined;
  }

  /** One row's contribution (a partial subject without `subjectId`). */
  remapRow(row: RemapRowInput): Out {
    // The default remap is derived from the first row's columns: every row of a file has the same header.
    this.directives ??= Object.keys(row.values).map((origin) => ({
      origin,
      destination: defaultDestination(origin),
      sets: [],
    }));
    const out = emptyOut();
    for (const d of this.directives) {
      const cell = row.values[d.origin];
      if (cell === undefined) {
        continue;
      }
      for (const raw of Array.isArray(cell) ? cell : [cell]) {
        const value = raw.trim();
        if (value !== '') {
          this.apply(d, value, row.line, out);
        }
      }
    }
    return out;
  }

  private invalid(issue: RemapIssue): void {
    if (this.options.invalid === 'error') {
      throw new IngestionInputError(
        `column "${issue.column}": ${JSON.stringify(issue.value)} is not ${issue.reason}`,
        issue.line,
      );
    }
    this.options.onInvalid?.(issue);
  }

  private apply(d: CompiledDirective, value: string, line: number | undefined, out: Out): void {
    const hit = d.sets.find((s) => s.re.test(value));
    const report = (v: string, reason: string): void =>
      this.invalid({ line, column: d.origin, value: v, destination: d.destination, reason });

    if (hit && hit.set.type === 'qualifier') {
      const q = value.replace(hit.re, hit.qualifier).trim();
      const v = value.replace(hit.re, hit.value).trim();
      switch (d.destination) {
        case 'hpo':
        case 'snomedCT': {
          const kind = d.destination === 'hpo' ? 'hpo' : 'snomed';
          const term = normaliseTerm(kind, q);
          if (!term) {
            report(q, TERM_RULES[kind].label);
            return;
          }
          const qt: QualifiedTerm = { [term]: parseScalar(v) };
          (d.destination === 'hpo' ? out.HPO : out.SNOMED).push(qt);
          return;
        }
        case 'ordo':
        case 'ncit':
          this.term(d, q, line, out);
          return;
        case 'gene':
          if (!GENE_RE.test(q)) {
            report(q, 'a gene symbol');
            return;
          }
          out.VARIANT.push({ gene: q, mutation: v || 'unknown' });
          return;
        case 'eav':
          if (v !== '') {
            addEav(out.EAV, q || d.origin, parseScalar(v));
          }
          return;
      }
    }
    const mapped = hit && hit.set.type === 'basic' ? value.replace(hit.re, hit.replacement).trim() : value;
    if (mapped === '') {
      return;
    }
    this.term(d, mapped, line, out);
  }

  private term(d: CompiledDirective, value: string, line: number | undefined, out: Out): void {
    const report = (reason: string): void =>
      this.invalid({ line, column: d.origin, value, destination: d.destination, reason });
    switch (d.destination) {
      case 'hpo':
      case 'ordo':
      case 'snomedCT':
      case 'ncit': {
        const kind: TermKind = d.destination === 'snomedCT' ? 'snomed' : d.destination;
        const id = normaliseTerm(kind, value);
        if (!id) {
          report(TERM_RULES[kind].label);
          return;
        }
        const target = { hpo: out.HPO, ordo: out.ORDO, snomed: out.SNOMED, ncit: out.NCIT }[kind];
        target.push(id);
        return;
      }
      case 'gene': {
        const colon = value.indexOf(':');
        const gene = (colon === -1 ? value : value.slice(0, colon)).trim();
        const rest = colon === -1 ? '' : value.slice(colon + 1).trim();
        if (!GENE_RE.test(gene)) {
          report('a gene symbol (optionally GENE:mutation_class or GENE:a1/a2)');
          return;
        }
        if (rest.includes('/')) {
          out.ALLELES.push({ gene, alleles: rest.split('/').map((a) => a.trim()) });
        } else {
          out.VARIANT.push({ gene, mutation: rest || 'unknown' });
        }
        return;
      }
      case 'eav':
        addEav(out.EAV, d.origin, parseScalar(value));
        return;
    }
  }
}

export function compileRemap(pipeline: RemapPipeline | null | undefined, options?: RemapOptions): Remapper {
  return new Remapper(pipeline, options);
}

/**
 * All staged rows of one subject → its partial document (no `subjectId` / `dataFiles`: the caller owns those).
 * Pass a `Remapper` (from `compileRemap`) to compile the pipeline's regexes once per job rather than per subject.
 */
export function remapSubject(
  rows: Iterable<RemapRowInput>,
  pipeline: RemapPipeline | Remapper | null | undefined,
  options?: RemapOptions,
): SubjectPart {
  const remapper = pipeline instanceof Remapper ? pipeline : new Remapper(pipeline, options);
  const parts: SubjectPart[] = [];
  for (const row of rows) {
    parts.push(remapper.remapRow(row));
  }
  const { subjectId: _id, dataFiles: _files, ...doc } = mergeSubject(parts);
  return doc;
}

// ---- VCF ---------------------------------------------------------------------------------------------------------

const SLASH = 47;
const PIPE = 124;
const DIGIT0 = 48;

/**
 * Appends the allele indexes of a GT (`0/1`, `1|2`, `./.`, `1`) to `out`, -1 for a missing call; returns the count.
 * The diploid single-digit form is parsed without allocating: it is nearly every call in a large VCF.
 */
function parseGt(gt: string, out: number[]): number {
  if (gt.length === 3) {
    const a = gt.charCodeAt(0) - DIGIT0;
    const sep = gt.charCodeAt(1);
    const b = gt.charCodeAt(2) - DIGIT0;
    if ((sep === SLASH || sep === PIPE) && a >= 0 && a <= 9 && b >= 0 && b <= 9) {
      out.push(a, b);
      return 2;
    }
  }
  if (!gt) {
    return 0;
  }
  const parts = gt.split(/[/|]/);
  for (const p of parts) {
    out.push(p === '.' || p === '' || !/^\d+$/.test(p) ? -1 : Number(p));
  }
  return parts.length;
}

function fallbackAnnotations(record: VcfRecord): Array<{ gene: string; consequence: string }> {
  const info = record.info;
  const first = (key: string): string | undefined => {
    const v = info[key];
    return Array.isArray(v) && v[0] !== undefined ? String(v[0]) : undefined;
  };
  const gene = first('GENEINFO')?.split('|')[0]?.split(':')[0] ?? first('GENE');
  if (!gene || !GENE_RE.test(gene)) {
    return [];
  }
  const mc = first('MC');
  const consequence = mc?.split('|')[1]?.trim() || 'unknown';
  // Copies: substrings of the INFO field would keep the record's line alive in the accumulator.
  return [{ gene: Buffer.from(gene).toString(), consequence: Buffer.from(consequence).toString() }];
}

/**
 * Calls `emit(sample, entries)` for each sample carrying an ALT allele of the record; `entries` (shared, do not
 * mutate) are that allele's VARIANT entries. An allele carried twice (1/1) or several ALTs of one sample emit once each.
 */
function forEachCarrier(record: VcfRecord, emit: (sample: string, entries: VariantEntry[]) => void): void {
  const nAlt = record.alt.length;
  if (nAlt === 0) {
    return;
  }
  const byAlt: Array<Array<{ gene: string; consequence: string }>> = Array.from({ length: nAlt }, () => []);
  if (record.annotations.length) {
    for (const a of record.annotations) {
      if (a.altIndex !== undefined) {
        byAlt[a.altIndex].push(a);
      }
    }
  } else {
    const fb = fallbackAnnotations(record);
    byAlt.forEach((list) => list.push(...fb));
  }
  if (byAlt.every((l) => l.length === 0)) {
    return;
  }

  const samples: string[] = [];
  const counts: number[] = [];
  const alleles: number[] = [];
  const altCounts = new Array<number>(nAlt + 1).fill(0);
  let called = 0;
  for (const sample in record.genotypes) {
    const from = alleles.length;
    const n = parseGt(record.genotypes[sample], alleles);
    samples.push(sample);
    counts.push(n);
    for (let i = from; i < from + n; i++) {
      const a = alleles[i];
      if (a >= 0 && a <= nAlt) {
        called++;
        altCounts[a]++;
      }
    }
  }
  // One entry list per ALT allele, built once for the record (af from INFO AF, else from the record's own calls).
  const entries = byAlt.map((anns, k): VariantEntry[] => {
    const given = record.af?.[k];
    const af = given !== undefined ? given : called ? Math.round((altCounts[k + 1] / called) * 1e6) / 1e6 : undefined;
    return anns.map((a) =>
      af === undefined ? { gene: a.gene, mutation: a.consequence } : { gene: a.gene, mutation: a.consequence, af },
    );
  });

  let offset = 0;
  for (let s = 0; s < samples.length; s++) {
    const n = counts[s];
    let prev = 0;
    for (let i = offset; i < offset + n; i++) {
      const a = alleles[i];
      // Skip ref/missing, out-of-range indexes and an allele already emitted for this sample (1/1).
      if (a < 1 || a > nAlt || a === prev || (n > 2 && alleles.slice(offset, i).includes(a))) {
        continue;
      }
      prev = a;
      if (entries[a - 1].length) {
        emit(samples[s], entries[a - 1]);
      }
    }
    offset += n;
  }
}

/** The VARIANT entries one record gives each sample that carries an ALT allele. */
export function recordVariants(record: VcfRecord): Map<string, VariantEntry[]> {
  const out = new Map<string, VariantEntry[]>();
  forEachCarrier(record, (sample, entries) => {
    const list = out.get(sample);
    if (list) {
      list.push(...entries.map((e) => ({ ...e })));
    } else {
      out.set(
        sample,
        entries.map((e) => ({ ...e })),
      );
    }
  });
  return out;
}

/**
 * Accumulates the VARIANT entries of a VCF, per sample, de-duplicated by (gene, mutation) keeping the highest af.
 * Memory is bounded by samples × distinct (gene, mutation) pairs, not by the number of records.
 */
export class VcfSubjectAccumulator {
  /** sample → gene → mutation → entry (two levels: no key strings built per call). */
  private readonly samples = new Map<string, Map<string, Map<string, VariantEntry>>>();

  add(record: VcfRecord): void {
    if (this.samples.size === 0) {
      // Every sample is a subject, carrier or not: register them in header order.
      for (const s in record.genotypes) {
        this.samples.set(s, new Map());
      }
    }
    forEachCarrier(record, (sample, entries) => {
      let byGene = this.samples.get(sample);
      if (!byGene) {
        byGene = new Map();
        this.samples.set(sample, byGene);
      }
      for (const e of entries) {
        let byMutation = byGene.get(e.gene);
        if (!byMutation) {
          byMutation = new Map();
          byGene.set(e.gene, byMutation);
        }
        const prev = byMutation.get(e.mutation);
        if (!prev || (e.af !== undefined && (prev.af === undefined || e.af > prev.af))) {
          byMutation.set(e.mutation, e);
        }
      }
    });
  }

  get subjectCount(): number {
    return this.samples.size;
  }

  /** One partial subject per sample (`subjectId` = sample name), in header order. */
  *subjects(): IterableIterator<SubjectPart & { subjectId: string; VARIANT: VariantEntry[] }> {
    for (const [subjectId, byGene] of this.samples) {
      const VARIANT: VariantEntry[] = [];
      for (const byMutation of byGene.values()) {
        for (const e of byMutation.values()) {
          VARIANT.push({ ...e });
        }
      }
      yield { subjectId, VARIANT };
    }
  }
}

/** Reads all records and returns one partial subject (VARIANT) per sample, keyed by sample name, in header order. */
export async function vcfSubjects(
  records: AsyncIterable<VcfRecord> | Iterable<VcfRecord>,
): Promise<Map<string, SubjectPart>> {
  const acc = new VcfSubjectAccumulator();
  for await (const record of records) {
    acc.add(record);
  }
  const out = new Map<string, SubjectPart>();
  for (const { subjectId, VARIANT } of acc.subjects()) {
    out.set(subjectId, { VARIANT });
  }
  return out;
}
