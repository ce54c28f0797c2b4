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
import { IngestionInputError, type VcfCalls, type VcfRecord } from './readers';
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
 * Only for records built without `calls` (readVcf checks and converts GTs itself).
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

/** The record's calls: readVcf's compact form, else parsed from `genotypes` (records built by hand). */
function callsOf(record: VcfRecord): VcfCalls {
  if (record.calls) {
    return record.calls;
  }
  const samples = Object.keys(record.genotypes);
  const alleles: number[] = [];
  const ends = new Int32Array(samples.length);
  const carriers: number[] = [];
  samples.forEach((sample, i) => {
    const from = alleles.length;
    parseGt(record.genotypes[sample], alleles);
    ends[i] = alleles.length;
    if (alleles.slice(from).some((a) => a > 0)) {
      carriers.push(i);
    }
  });
  const called = alleles.filter((a) => a >= 0).length;
  return { samples, alleles: Int32Array.from(alleles), ends, carriers: Int32Array.from(carriers), called };
}

interface GeneConsequence {
  gene: string;
  consequence: string;
}

function fallbackAnnotations(record: VcfRecord): GeneConsequence[] {
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

/** The (gene, consequence) pairs of each ALT allele; undefined when no ALT has any (the record gives no variant). */
function annotationsByAlt(record: VcfRecord): GeneConsequence[][] | undefined {
  const nAlt = record.alt.length;
  if (nAlt === 0) {
    return undefined;
  }
  const byAlt: GeneConsequence[][] = [];
  for (let k = 0; k < nAlt; k++) {
    byAlt.push([]);
  }
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
  return byAlt.some((l) => l.length > 0) ? byAlt : undefined;
}

/** af of each ALT: INFO AF, else ALT alleles / called alleles of the record (rounded to 6 decimals); NaN: unknown. */
function alleleFrequencies(record: VcfRecord, calls: VcfCalls, nAlt: number): Float64Array {
  const out = new Float64Array(nAlt);
  let counts: Int32Array | undefined;
  let called = 0;
  for (let k = 0; k < nAlt; k++) {
    const given = record.af?.[k];
    if (given !== undefined) {
      out[k] = given;
      continue;
    }
    if (!counts) {
      // Only carriers have ALT (or out-of-range) alleles: the other samples add to `calls.called` alone.
      counts = new Int32Array(nAlt + 1);
      called = calls.called;
      const { alleles, ends, carriers } = calls;
      for (const s of carriers) {
        for (let i = s ? ends[s - 1] : 0; i < ends[s]; i++) {
          const a = alleles[i];
          if (a > nAlt) {
            called--;
          } else if (a > 0) {
            counts[a]++;
          }
        }
      }
    }
    out[k] = called ? Math.round((counts[k + 1] / called) * 1e6) / 1e6 : NaN;
  }
  return out;
}

/** Reused by `carriersOf` (one record at a time): a list per record would be garbage for every record of a file. */
let carrierScratch = new Int32Array(512);

/**
 * The ALT alleles each sample's GT carries, as (sample, alt) index pairs (into `calls.samples` and the record's ALTs)
 * in `carrierScratch`, in sample then GT order; returns the number of values written (twice the pairs). An allele
 * carried twice (1/1) counts once; REF, missing and out-of-range indexes never do.
 */
function carriersOf(calls: VcfCalls, nAlt: number): number {
  const { alleles, ends, carriers } = calls;
  if (carrierScratch.length < 2 * alleles.length) {
    carrierScratch = new Int32Array(2 * alleles.length);
  }
  const out = carrierScratch;
  let n = 0;
  for (const s of carriers) {
    const from = s ? ends[s - 1] : 0;
    const to = ends[s];
    if (to - from === 2) {
      const a = alleles[from];
      const b = alleles[from + 1];
      if (a >= 1 && a <= nAlt) {
        out[n++] = s;
        out[n++] = a - 1;
      }
      if (b >= 1 && b <= nAlt && b !== a) {
        out[n++] = s;
        out[n++] = b - 1;
      }
    } else {
      for (let i = from; i < to; i++) {
        const a = alleles[i];
        if (a >= 1 && a <= nAlt && alleles.subarray(from, i).indexOf(a) === -1) {
          out[n++] = s;
          out[n++] = a - 1;
        }
      }
    }
  }
  return n;
}

/** The VARIANT entries one record gives each sample that carries an ALT allele. */
export function recordVariants(record: VcfRecord): Map<string, VariantEntry[]> {
  const out = new Map<string, VariantEntry[]>();
  const byAlt = annotationsByAlt(record);
  if (!byAlt) {
    return out;
  }
  const calls = callsOf(record);
  const afs = alleleFrequencies(record, calls, byAlt.length);
  const n = carriersOf(calls, byAlt.length);
  for (let i = 0; i < n; i += 2) {
    const alt = carrierScratch[i + 1];
    const af = afs[alt];
    if (byAlt[alt].length === 0) {
      continue;
    }
    const sample = calls.samples[carrierScratch[i]];
    const list = out.get(sample) ?? [];
    for (const { gene, consequence } of byAlt[alt]) {
      list.push(Number.isNaN(af) ? { gene, mutation: consequence } : { gene, mutation: consequence, af });
    }
    out.set(sample, list);
  }
  return out;
}

/** Carriers buffered before they are applied (see `VcfSubjectAccumulator.flush`). */
const PENDING_BATCH = 1 << 17;

/**
 * One sample's (gene, mutation) pair ids with the highest af of each (NaN when none is known), in first-seen order.
 * An open-addressing table over one typed array, id and af side by side: this is the per-carrier hot path, where a
 * Map<number, number> per sample measured several times slower (and boxes every af).
 */
class SampleVariants {
  /** Slot i holds a pair id at [2i] (-1 when free) and its af at [2i + 1]; at most 3/4 of the slots are used. */
  private slots = SampleVariants.empty(16);
  /** Slot of each pair in first-seen order. */
  private order = new Int32Array(8);
  private size = 0;

  /** Records `af` for pair `id`, keeping the highest known af (NaN counts as unknown). */
  add(id: number, af: number): void {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = Math.imul(id, 0x9e3779b1) & mask;
    for (;;) {
      const at = slots[2 * slot];
      if (at === id) {
        const prev = slots[2 * slot + 1];
        if (af > prev || (Number.isNaN(prev) && !Number.isNaN(af))) {
          slots[2 * slot + 1] = af;
        }
        return;
      }
      if (at === -1) {
        break;
      }
      slot = (slot + 1) & mask;
    }
    slots[2 * slot] = id;
    slots[2 * slot + 1] = af;
    if (this.size === this.order.length) {
      const order = new Int32Array(this.size * 2);
      order.set(this.order);
      this.order = order;
    }
    this.order[this.size++] = slot;
    if (this.size * 4 > 3 * (mask + 1)) {
      this.grow();
    }
  }

  /** How many pairs the sample has. */
  get count(): number {
    return this.size;
  }

  /** The `i`-th pair first seen (0-based) and its af. */
  idAt(i: number): number {
    return this.slots[2 * this.order[i]];
  }

  afAt(i: number): number {
    return this.slots[2 * this.order[i] + 1];
  }

  private grow(): void {
    const old = this.slots;
    const slots = SampleVariants.empty(old.length);
    const mask = (slots.length >> 1) - 1;
    for (let i = 0; i < this.size; i++) {
      const id = old[2 * this.order[i]];
      let slot = Math.imul(id, 0x9e3779b1) & mask;
      while (slots[2 * slot] !== -1) {
        slot = (slot + 1) & mask;
      }
      slots[2 * slot] = id;
      slots[2 * slot + 1] = old[2 * this.order[i] + 1];
      this.order[i] = slot;
    }
    this.slots = slots;
  }

  /** A table of `capacity` free slots. */
  private static empty(capacity: number): Float64Array {
    const slots = new Float64Array(2 * capacity);
    for (let i = 0; i < slots.length; i += 2) {
      slots[i] = -1;
    }
    return slots;
  }
}

/**
 * Accumulates the VARIANT entries of a VCF, per sample, de-duplicated by (gene, mutation) keeping the highest af.
 * Memory is bounded by samples × distinct (gene, mutation) pairs, not by the number of records. Each distinct pair
 * becomes a small integer once per record, so a carrier costs a few typed-array writes and, later, one lookup in its
 * sample's table: no strings or objects per call. The entry objects are built only by `subjects()`.
 */
export class VcfSubjectAccumulator {
  /** Sample names in the order they became subjects (header order), and the reverse index. */
  private readonly names: string[] = [];
  private readonly indexes = new Map<string, number>();
  /** Per sample: pair id → highest af, in first-seen order. */
  private readonly best: SampleVariants[] = [];
  /** gene → mutation → pair id, the pairs by id, and the distinct genes. */
  private readonly pairIds = new Map<string, { geneIndex: number; byMutation: Map<string, number> }>();
  private readonly pairs: Array<{ gene: string; geneIndex: number; mutation: string }> = [];
  private readonly genes: string[] = [];
  /** Subject index of each entry of the last `calls.samples` array (readVcf passes the same one for every record). */
  private columns: { samples: readonly string[]; subjects: Int32Array } | undefined;
  /**
   * Carriers (subject, pair, af) not yet applied to `best`. They are applied in batches, subject by subject: one
   * subject's table then stays in the CPU cache, where applying each carrier as it comes touched a different table
   * every time and was bound by cache misses.
   */
  private readonly pendingSubject = new Int32Array(PENDING_BATCH);
  private readonly pendingPair = new Int32Array(PENDING_BATCH);
  private readonly pendingAf = new Float64Array(PENDING_BATCH);
  private pending = 0;
  /** The pending carriers' pairs and afs grouped by subject, during `flush`. */
  private readonly sortedPair = new Int32Array(PENDING_BATCH);
  private readonly sortedAf = new Float64Array(PENDING_BATCH);

  add(record: VcfRecord): void {
    const calls = callsOf(record);
    if (this.names.length === 0) {
      // Every sample is a subject, carrier or not: register them in header order.
      for (const sample of calls.samples) {
        this.subject(sample);
      }
    }
    const byAlt = annotationsByAlt(record);
    if (!byAlt) {
      return;
    }
    const pairsByAlt: number[][] = [];
    for (const list of byAlt) {
      const ids: number[] = [];
      for (const a of list) {
        ids.push(this.pairId(a.gene, a.consequence));
      }
      pairsByAlt.push(ids);
    }
    const afs = alleleFrequencies(record, calls, byAlt.length);
    const subjects = this.subjectIndexes(calls.samples);
    const n = carriersOf(calls, byAlt.length);
    const carriers = carrierScratch;
    const { pendingSubject, pendingPair, pendingAf } = this;
    for (let i = 0; i < n; i += 2) {
      const s = carriers[i];
      const alt = carriers[i + 1];
      const ids = pairsByAlt[alt];
      if (ids.length === 0) {
        continue;
      }
      let subject = subjects[s];
      if (subject < 0) {
        subject = subjects[s] = this.subject(calls.samples[s]);
      }
      const af = afs[alt];
      for (let j = 0; j < ids.length; j++) {
        if (this.pending === PENDING_BATCH) {
          this.flush();
        }
        pendingSubject[this.pending] = subject;
        pendingPair[this.pending] = ids[j];
        pendingAf[this.pending++] = af;
      }
    }
  }

  get subjectCount(): number {
    return this.names.length;
  }

  /**
   * One partial subject per sample (`subjectId` = sample name), in header order. Entries are grouped by gene in the
   * order the sample first carried each gene, then by mutation in first-seen order (as nested Maps would list them).
   */
  *subjects(): IterableIterator<SubjectPart & { subjectId: string; VARIANT: VariantEntry[] }> {
    this.flush();
    // A sample's pairs are in first-seen order; bucket them by gene, the buckets in the order of each gene's first
    // pair. `geneRank` (gene → bucket) is reset after each sample, so one array serves them all.
    const geneRank = new Int32Array(this.genes.length).fill(-1);
    for (let i = 0; i < this.names.length; i++) {
      const table = this.best[i];
      const byGene: VariantEntry[][] = [];
      for (let j = 0; j < table.count; j++) {
        const { gene, geneIndex, mutation } = this.pairs[table.idAt(j)];
        const af = table.afAt(j);
        if (geneRank[geneIndex] === -1) {
          geneRank[geneIndex] = byGene.length;
          byGene.push([]);
        }
        byGene[geneRank[geneIndex]].push(Number.isNaN(af) ? { gene, mutation } : { gene, mutation, af });
      }
      for (let j = 0; j < table.count; j++) {
        geneRank[this.pairs[table.idAt(j)].geneIndex] = -1;
      }
      yield { subjectId: this.names[i], VARIANT: byGene.flat() };
    }
  }

  /** Applies the pending carriers, grouped by subject (a stable counting sort: each subject's order is kept). */
  private flush(): void {
    // Everything is read into locals first: flush runs rarely, and property loads first reached after a loop that
    // V8 optimised on stack (OSR) have no type feedback and throw that code away again.
    const n = this.pending;
    const { pendingSubject, pendingPair, pendingAf, sortedPair, sortedAf, best } = this;
    const subjects = this.names.length;
    const starts = new Int32Array(subjects + 1);
    for (let i = 0; i < n; i++) {
      starts[pendingSubject[i] + 1]++;
    }
    for (let s = 1; s <= subjects; s++) {
      starts[s] += starts[s - 1];
    }
    const next = starts.slice(0, subjects);
    for (let i = 0; i < n; i++) {
      const at = next[pendingSubject[i]]++;
      sortedPair[at] = pendingPair[i];
      sortedAf[at] = pendingAf[i];
    }
    for (let s = 0; s < subjects; s++) {
      const table = best[s];
      for (let i = starts[s]; i < starts[s + 1]; i++) {
        table.add(sortedPair[i], sortedAf[i]);
      }
    }
    this.pending = 0;
  }

  private subject(sample: string): number {
    let i = this.indexes.get(sample);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(sample);
      this.indexes.set(sample, i);
      this.best.push(new SampleVariants());
    }
    return i;
  }

  /** Subject index per sample column, -1 for a sample not yet a subject (only records built by hand have those). */
  private subjectIndexes(samples: readonly string[]): Int32Array {
    if (this.columns?.samples !== samples) {
      const subjects = Int32Array.from(samples, (s) => this.indexes.get(s) ?? -1);
      this.columns = { samples, subjects };
    }
    return this.columns.subjects;
  }

  private pairId(gene: string, mutation: string): number {
    let known = this.pairIds.get(gene);
    if (!known) {
      known = { geneIndex: this.genes.length, byMutation: new Map() };
      this.pairIds.set(gene, known);
      this.genes.push(gene);
    }
    let id = known.byMutation.get(mutation);
    if (id === undefined) {
      id = this.pairs.length;
      this.pairs.push({ gene, geneIndex: known.geneIndex, mutation });
      known.byMutation.set(mutation, id);
    }
    return id;
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
