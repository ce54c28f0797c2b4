/*
 * Streaming readers for uploaded data files. Both readers consume their input chunk by chunk and keep at most one
 * partial line in memory, so memory does not grow with the file. The first problem found stops the file with an
 * `IngestionInputError` that carries the 1-based line number where the input has one.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv, type CsvError } from 'csv-parse';
import VCF from '@gmod/vcf';
import type { JobError } from '../data.types';

/** A problem with the uploaded file itself: retrying cannot help (the processor maps it to UnrecoverableError). */
export class IngestionInputError extends Error implements JobError {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'IngestionInputError';
  }

  /** The message without the `line n:` prefix, as stored in `JobError`. */
  get detail(): string {
    return this.line === undefined ? this.message : this.message.slice(`line ${this.line}: `.length);
  }

  toJobError(): JobError {
    return this.line === undefined ? { message: this.detail } : { line: this.line, message: this.detail };
  }
}

/** A file path, or an already opened byte stream. */
export type ReaderInput = string | Readable | AsyncIterable<Buffer | Uint8Array>;

export interface ReaderOptions {
  /** Called after each chunk of the input (compressed bytes for gzip) with the running byte count. */
  onProgress?: (bytesRead: number) => void;
}

const READ_CHUNK = 256 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];
const NEWLINE = 0x0a;

function openInput(input: ReaderInput): AsyncIterable<Buffer | Uint8Array> {
  return typeof input === 'string' ? createReadStream(input, { highWaterMark: READ_CHUNK }) : input;
}

async function* countBytes(
  source: AsyncIterable<Buffer | Uint8Array>,
  onProgress?: (bytesRead: number) => void,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buf.length;
    onProgress?.(total);
    yield buf;
  }
}

/** Yields the first chunk's magic check result, then the bytes unchanged (decompressed when gzip/bgzip). */
async function* maybeGunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length < 2) {
    // A stream may hand out a 1-byte first chunk; the magic needs two.
    const next = await it.next();
    if (next.done) {
      break;
    }
    first = { done: false, value: Buffer.concat([first.value, next.value]) };
  }
  if (first.done) {
    return;
  }
  const head = first.value;
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      yield r.value;
    }
  }
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    yield* rest();
    return;
  }
  // createGunzip reads every member of a concatenated gzip stream, which is what bgzip writes.
  const gunzip = createGunzip();
  const done = pipeline(Readable.from(rest()), gunzip).catch((err: unknown) => {
    gunzip.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  try {
    for await (const chunk of gunzip) {
      yield chunk as Buffer;
    }
  } catch (err) {
    if (/^Z_/.test(String((err as NodeJS.ErrnoException).code))) {
      throw new IngestionInputError(`corrupt or truncated gzip data (${(err as Error).message})`);
    }
    throw err;
  } finally {
    gunzip.destroy();
    await done;
  }
}

function countNewlines(buf: Buffer, end = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE); i !== -1 && i < end; i = buf.indexOf(NEWLINE, i + 1)) {
    n++;
  }
  return n;
}

/** Line (1-based, relative to `firstLine`) of the first line of `block` that is not valid UTF-8. */
function findBadUtf8Line(block: Buffer, firstLine: number): number {
  let start = 0;
  let line = firstLine;
  while (start < block.length) {
    let end = block.indexOf(NEWLINE, start);
    if (end === -1) {
      end = block.length;
    }
    if (!isUtf8(block.subarray(start, end))) {
      return line;
    }
    start = end + 1;
    line++;
  }
  return line;
}

/**
 * Checks raw bytes (no NUL, valid UTF-8) and cuts them into blocks that each end on a line boundary (the last one may
 * lack its newline). `firstLine` is the 1-based number of the block's first line. A leading BOM is dropped.
 */
async function* lineBlocks(source: AsyncIterable<Buffer>): AsyncGenerator<{ bytes: Buffer; firstLine: number }> {
  let carry: Buffer | undefined;
  let nextLine = 1;
  let first = true;
  const emit = (block: Buffer): { bytes: Buffer; firstLine: number } => {
    const nul = block.indexOf(0);
    if (nul !== -1) {
      throw new IngestionInputError('binary content (NUL byte): not a text file', nextLine + countNewlines(block, nul));
    }
    if (!isUtf8(block)) {
      throw new IngestionInputError('invalid UTF-8 (the file must be UTF-8 encoded)', findBadUtf8Line(block, nextLine));
    }
    if (first) {
      first = false;
      if (block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) {
        block = block.subarray(3);
      }
    }
    const out = { bytes: block, firstLine: nextLine };
    nextLine += countNewlines(block);
    return out;
  };
  for await (const chunk of source) {
    const data = carry ? Buffer.concat([carry, chunk]) : chunk;
    const lastNl = data.lastIndexOf(NEWLINE);
    if (lastNl === -1) {
      carry = data;
      continue;
    }
    // Copy the tail so the (large) concatenated buffer is not kept alive by it.
    carry = lastNl + 1 < data.length ? Buffer.from(data.subarray(lastNl + 1)) : undefined;
    yield emit(data.subarray(0, lastNl + 1));
  }
  if (carry?.length) {
    yield emit(carry);
  }
}

/** `lineBlocks` decoded to text. */
async function* textBlocks(source: AsyncIterable<Buffer>): AsyncGenerator<{ text: string; firstLine: number }> {
  for await (const { bytes, firstLine } of lineBlocks(source)) {
    yield { text: bytes.toString('utf8'), firstLine };
  }
}

// ---- CSV -------------------------------------------------------------------------------------------------------

export interface CsvRow {
  /** 1-based line where the row starts. */
  line: number;
  values: Record<string, string>;
}

export interface CsvHeader {
  columns: string[];
  delimiter: string;
}

export interface CsvReaderOptions extends ReaderOptions {
  /** Called once with the header, before the first row. */
  onHeader?: (header: CsvHeader) => void;
}

const CSV_DELIMITERS = [',', ';', '\t'] as const;

/** The candidate delimiter occurring most often outside quotes in the header line (`,` when none occurs). */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && counts.has(ch)) {
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

interface CsvParsed {
  record: string[];
  info: { lines: number; empty_lines: number };
}

/**
 * Rows of a CSV file (`,`, `;` or tab, detected from the header) as `{line, values}` keyed by header column.
 * Errors: empty file, header only, duplicate header names, a row whose column count differs from the header's
 * (ragged), unbalanced quotes, invalid UTF-8, binary content, gzip input.
 */
export async function* readCsv(input: ReaderInput, options: CsvReaderOptions = {}): AsyncGenerator<CsvRow> {
  const blocks = textBlocks(maybeRefuseGzip(countBytes(openInput(input), options.onProgress)));
  const firstBlock = await blocks.next();
  if (firstBlock.done || firstBlock.value.text.trim() === '') {
    throw new IngestionInputError('the file is empty');
  }
  const headText = firstBlock.value.text;
  const nl = headText.indexOf('\n');
  const delimiter = detectDelimiter(nl === -1 ? headText : headText.slice(0, nl));

  async function* allText(): AsyncGenerator<string> {
    yield headText;
    for await (const block of blocks) {
      yield block.text;
    }
  }
  const parser = parseCsv({ delimiter, info: true, relax_column_count: true, skip_empty_lines: true });
  const feeding = pipeline(Readable.from(allText()), parser).catch((err: unknown) => {
    parser.destroy(err instanceof Error ? err : new Error(String(err)));
  });

  let columns: string[] | undefined;
  let rows = 0;
  let prevEnd = 0;
  let prevEmpty = 0;
  try {
    for await (const parsed of parser as AsyncIterable<CsvParsed>) {
      const { record, info } = parsed;
      // csv-parse reports the line where a record ends; a quoted field may span lines, so derive the start.
      const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
      prevEnd = info.lines;
      prevEmpty = info.empty_lines;
      if (!columns) {
        columns = record.map((c) => c.trim());
        const seen = new Set<string>();
        for (const c of columns) {
          if (seen.has(c)) {
            throw new IngestionInputError(`duplicate column name "${c}" in the header`, line);
          }
          seen.add(c);
        }
        options.onHeader?.({ columns, delimiter });
        continue;
      }
      if (record.length !== columns.length) {
        throw new IngestionInputError(
          `expected ${columns.length} columns (as in the header) but found ${record.length}`,
          line,
        );
      }
      const values: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) {
        values[columns[i]] = record[i];
      }
      rows++;
      yield { line, values };
    }
  } catch (err) {
    if (err instanceof IngestionInputError) {
      throw err;
    }
    const csvErr = err as CsvError & { lines?: number };
    if (typeof csvErr.code === 'string' && csvErr.code.startsWith('CSV_')) {
      throw new IngestionInputError(`malformed CSV: ${csvErr.message}`, csvErr.lines);
    }
    throw err;
  } finally {
    parser.destroy();
    await feeding;
  }
  if (!columns) {
    throw new IngestionInputError('the file is empty');
  }
  if (rows === 0) {
    throw new IngestionInputError('the file has a header but no data rows', 1);
  }
}

async function* maybeRefuseGzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of source) {
    if (first && chunk.length >= 2 && chunk[0] === GZIP_MAGIC[0] && chunk[1] === GZIP_MAGIC[1]) {
      throw new IngestionInputError('compressed (gzip) CSV is not accepted: upload the plain CSV');
    }
    first = false;
    yield chunk;
  }
}

// ---- VCF -------------------------------------------------------------------------------------------------------

export interface VcfAnnotation {
  /** Index into `alt` (0-based) the annotation belongs to, when it could be matched. */
  altIndex?: number;
  gene: string;
  /** Sequence Ontology consequence (mutation class), e.g. `missense_variant`: the first (most severe) term. */
  consequence: string;
}

export type VcfInfoValue = true | Array<string | number | undefined>;

/**
 * A record's GT calls as numbers. A string and an object per sample and record is what made large VCFs slow to read,
 * so the reader hands these out and builds `genotypes` only when asked.
 */
export interface VcfCalls {
  /** The header's sample names (the same array for every record of a file). */
  samples: readonly string[];
  /** Allele indexes of every call, sample after sample: 0 = REF, k = the k-th ALT, -1 = missing (`.`). */
  alleles: Int32Array;
  /** Sample `s`'s alleles end at `ends[s]` (exclusive) and start at `ends[s - 1]` (0 for the first sample). */
  ends: Int32Array;
  /** The samples (indexes, ascending) with an allele other than REF or missing: the only ones a variant can come from. */
  carriers: Int32Array;
  /** How many alleles of all the calls are not missing. */
  called: number;
}

export interface VcfRecord {
  line: number;
  chrom: string;
  pos: number;
  ref: string;
  alt: string[];
  info: Record<string, VcfInfoValue>;
  /** sample → GT string (`0/1`, `1|1`, `./.`); empty when FORMAT has no GT. `readVcf` builds it on first access. */
  genotypes: Record<string, string>;
  /** The same calls as allele indexes; `readVcf` sets it when FORMAT has GT (records built by hand may omit it). */
  calls?: VcfCalls;
  /** From INFO `ANN` (SnpEff) or `CSQ` (VEP); empty when the record is not annotated. */
  annotations: VcfAnnotation[];
  /** INFO `AF` per ALT allele, when present. */
  af?: Array<number | undefined>;
}

export interface VcfHeader {
  /** The `##key=value` lines' keys and raw values, in order. */
  meta: Array<{ key: string; value: string }>;
  samples: string[];
  /** VEP CSQ field names (from the CSQ INFO description), when declared. */
  csqFields?: string[];
}

export interface VcfReaderOptions extends ReaderOptions {
  onHeader?: (header: VcfHeader) => void;
}

const VCF_FIXED = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'];
const META_LINE = /^##([^=]+)=(.*)$/;

const TAB = 0x09;
const CR = 0x0d;
const DOT = 0x2e;
const SLASH = 0x2f;
const DIGIT0 = 0x30;
const DIGIT9 = 0x39;
const COLON = 0x3a;
const LETTER_G = 0x47;
const LETTER_T = 0x54;
const PIPE = 0x7c;
/** Stands for the end of the line in the character scans. */
const EOL = -1;
/** Allele indexes are capped here: any index past the record's ALTs is ignored anyway. */
const MAX_ALLELE = 0x7fffffff;

function parseCsqFormat(metaValue: string): string[] | undefined {
  if (!/^<ID=CSQ[,>]/.test(metaValue)) {
    return undefined;
  }
  const m = /Format:\s*([^">]+)/.exec(metaValue);
  return m ? m[1].trim().split('|') : undefined;
}

function validateChromLine(text: string, line: number): string[] {
  const cols = text.split('\t');
  if (cols.length < 8) {
    throw new IngestionInputError(
      `the #CHROM header must have the 8 tab-separated columns ${VCF_FIXED.join(' ')} (found ${cols.length})`,
      line,
    );
  }
  VCF_FIXED.forEach((name, i) => {
    if (cols[i] !== name) {
      throw new IngestionInputError(`the #CHROM header column ${i + 1} must be ${name}, found "${cols[i]}"`, line);
    }
  });
  if (cols.length === 8) {
    return [];
  }
  if (cols[8] !== 'FORMAT') {
    throw new IngestionInputError(`the #CHROM header column 9 must be FORMAT, found "${cols[8]}"`, line);
  }
  const samples = cols.slice(9);
  const seen = new Set<string>();
  for (const s of samples) {
    if (s.trim() === '') {
      throw new IngestionInputError('empty sample name in the #CHROM header', line);
    }
    if (seen.has(s)) {
      throw new IngestionInputError(`duplicate sample name "${s}" in the #CHROM header`, line);
    }
    seen.add(s);
  }
  return samples;
}

const INTERNED = new Map<string, string>();
const MAX_INTERNED = 100_000;

/**
 * A flat copy of a gene or consequence string, shared across records. V8 substrings keep their whole parent line
 * alive, so storing them per subject would retain every record's line and memory would grow with the file.
 */
function intern(s: string): string {
  let v = INTERNED.get(s);
  if (v === undefined) {
    v = Buffer.from(s, 'utf8').toString('utf8');
    if (INTERNED.size < MAX_INTERNED) {
      INTERNED.set(v, v);
    }
  }
  return v;
}

/** The first `&`-joined term. */
function firstTerm(value: string): string {
  const amp = value.indexOf('&');
  return (amp === -1 ? value : value.slice(0, amp)).trim();
}

/** VEP writes alleles without the base shared with REF (and `-` for a deletion); map its allele back to ALT. */
function vepAllele(ref: string, alt: string): string {
  if (alt.length > 0 && ref.length > 0 && alt[0] === ref[0] && (alt.length > 1 || ref.length > 1)) {
    return alt.length === 1 ? '-' : alt.slice(1);
  }
  return alt;
}

function matchAllele(allele: string, ref: string, alt: string[]): number | undefined {
  const exact = alt.indexOf(allele);
  if (exact !== -1) {
    return exact;
  }
  const trimmed = alt.findIndex((a) => vepAllele(ref, a) === allele);
  if (trimmed !== -1) {
    return trimmed;
  }
  return alt.length === 1 ? 0 : undefined;
}

function infoStrings(value: VcfInfoValue | undefined): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter((v): v is string | number => v !== undefined).map(String);
}

/** SnpEff `ANN`: `Allele|Annotation|Annotation_Impact|Gene_Name|Gene_ID|...`, one entry per allele × transcript. */
export function parseAnn(values: string[], ref: string, alt: string[]): VcfAnnotation[] {
  const out: VcfAnnotation[] = [];
  for (const entry of values) {
    // Only fields 0, 1 and 3 are used: find them with indexOf rather than split the ~15 fields of every entry.
    const p1 = entry.indexOf('|');
    const p2 = p1 === -1 ? -1 : entry.indexOf('|', p1 + 1);
    const p3 = p2 === -1 ? -1 : entry.indexOf('|', p2 + 1);
    if (p3 === -1) {
      continue;
    }
    const p4 = entry.indexOf('|', p3 + 1);
    const gene = entry.slice(p3 + 1, p4 === -1 ? entry.length : p4).trim();
    const consequence = firstTerm(entry.slice(p1 + 1, p2));
    if (!gene || !consequence) {
      continue;
    }
    out.push({
      altIndex: matchAllele(entry.slice(0, p1).trim(), ref, alt),
      gene: intern(gene),
      consequence: intern(consequence),
    });
  }
  return out;
}

/** VEP `CSQ` with the field order declared in the header; uses `SYMBOL`, `Consequence`, `ALLELE_NUM` or `Allele`. */
export function parseCsq(values: string[], fields: string[], ref: string, alt: string[]): VcfAnnotation[] {
  const iGene = fields.indexOf('SYMBOL');
  const iCons = fields.indexOf('Consequence');
  const iAllele = fields.indexOf('Allele');
  const iNum = fields.indexOf('ALLELE_NUM');
  if (iGene === -1 || iCons === -1) {
    return [];
  }
  const out: VcfAnnotation[] = [];
  for (const entry of values) {
    const f = entry.split('|');
    const gene = (f[iGene] ?? '').trim();
    const consequence = firstTerm(f[iCons] ?? '');
    if (!gene || !consequence) {
      continue;
    }
    let altIndex: number | undefined;
    const num = iNum === -1 ? NaN : Number(f[iNum]);
    if (Number.isInteger(num) && num >= 1 && num <= alt.length) {
      altIndex = num - 1;
    } else if (iAllele !== -1) {
      altIndex = matchAllele((f[iAllele] ?? '').trim(), ref, alt);
    } else if (alt.length === 1) {
      altIndex = 0;
    }
    out.push({ altIndex, gene: intern(gene), consequence: intern(consequence) });
  }
  return out;
}

/**
 * The GT of each sample column in `bytes[from, end)`, keyed by sample name: the bytes up to the first `:`, or the whole
 * column when `fieldEnd` is TAB (FORMAT is just `GT`). `ascii` (GTs that passed `scanCalls`) decodes the columns once
 * and slices them; error messages pass false and get each GT decoded as UTF-8.
 */
function gtStrings(
  bytes: Buffer,
  from: number,
  end: number,
  samples: readonly string[],
  fieldEnd = COLON,
  ascii = true,
): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  const text = ascii ? bytes.toString('latin1', from, end) : '';
  let p = from;
  for (const sample of samples) {
    let q = p;
    while (q < end && bytes[q] !== TAB && bytes[q] !== fieldEnd) {
      q++;
    }
    out[sample] = ascii ? text.slice(p - from, q - from) : bytes.toString('utf8', p, q);
    while (q < end && bytes[q] !== TAB) {
      q++;
    }
    p = q + 1;
  }
  return out;
}

/** A record from `readVcf`: unless the line's GTs had to be parsed already, `genotypes` is built on first access. */
class ReadVcfRecord implements VcfRecord {
  #genotypes: Record<string, string> | undefined;
  readonly #bytes: Buffer;
  readonly #from: number;
  readonly #end: number;

  constructor(
    readonly line: number,
    readonly chrom: string,
    readonly pos: number,
    readonly ref: string,
    readonly alt: string[],
    readonly info: Record<string, VcfInfoValue>,
    readonly annotations: VcfAnnotation[],
    readonly af: Array<number | undefined> | undefined,
    readonly calls: VcfCalls | undefined,
    genotypes: Record<string, string> | undefined,
    /** The sample columns, GT first in each: `bytes[from, end)`. Used when `genotypes` is not given. */
    bytes: Buffer,
    from: number,
    end: number,
  ) {
    this.#genotypes = genotypes;
    this.#bytes = bytes;
    this.#from = from;
    this.#end = end;
  }

  get genotypes(): Record<string, string> {
    this.#genotypes ??= gtStrings(this.#bytes, this.#from, this.#end, this.calls?.samples ?? []);
    return this.#genotypes;
  }
}

function countTabs(bytes: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    if (bytes[i] === TAB) {
      n++;
    }
  }
  return n;
}

/** Int32 values per chunk of the calls pool (256 KiB). */
const CALLS_POOL_INTS = 64 * 1024;

/** Outcome of `scanCalls` other than a sample index (the first sample whose GT is malformed). */
const SCAN_OK = -1;
const SCAN_COLUMNS = -2;

/**
 * Parses the record lines of a VCF whose header has been read. A record is parsed from the bytes of its line: only
 * the 8 fixed columns become a string, and the GTs are read byte by byte into numbers. Decoding every sample column
 * and letting @gmod/vcf build an object per sample was most of the time of reading a VCF with many samples.
 */
class VcfRecordParser {
  private readonly expectedTabs: number;
  /** Byte offset of the tab ending each fixed column (`tabs[k]` ends column k), and the same in the decoded text. */
  private readonly tabs = new Int32Array(9);
  private readonly textTabs = new Int32Array(8);
  /**
   * Storage the records' `calls` are cut from: `scanCalls` writes a record's ends and alleles straight into it (at
   * `scanAt`), and `takeCalls` keeps them. A typed array of its own per record (each with its own backing store), or
   * copying into one, was a measurable part of reading. A retained record keeps its chunk alive: only tests do that.
   */
  private pool = new Int32Array(0);
  private poolUsed = 0;
  /** The last scanned record: where its calls start in `pool`, its allele count, carriers (see VcfCalls), called. */
  private scanAt = 0;
  private alleleCount = 0;
  private readonly carriers: Int32Array;
  private carrierCount = 0;
  private called = 0;

  constructor(
    private readonly parser: VCF,
    private readonly samples: string[],
    private readonly csqFields: string[] | undefined,
  ) {
    this.expectedTabs = samples.length ? 8 + samples.length : 7;
    this.carriers = new Int32Array(samples.length);
  }

  /** The record on `bytes[start, end)` (one line without its line break), checked as strictly as the header. */
  parse(bytes: Buffer, start: number, end: number, line: number): VcfRecord {
    const { tabs, samples } = this;
    const fixedTabs = samples.length ? 9 : 7;
    // The tabs ending the fixed columns, and whether those columns hold any non-ASCII byte.
    let found = 0;
    let high = 0;
    let p = start;
    for (; p < end && found < fixedTabs; p++) {
      const b = bytes[p];
      if (b === TAB) {
        tabs[found++] = p;
      }
      high |= b;
    }
    if (found < fixedTabs) {
      throw this.columnsError(bytes, start, end, line);
    }
    // Where the GTs are read from: the sample columns of the line, or (GT not first) bytes built from them.
    let gtBytes = bytes;
    let gtFrom = p;
    let gtTo = end;
    let badSample = SCAN_OK;
    let scanned = false;
    let gtElsewhere = false;
    let infoEnd = end;
    /** What ends a GT in a sample column: `:` before further FORMAT fields, or the tab when GT is the only one. */
    let gtEnd = COLON;
    if (samples.length === 0) {
      for (; p < end; p++) {
        const b = bytes[p];
        if (b === TAB) {
          throw this.columnsError(bytes, start, end, line);
        }
        high |= b;
      }
    } else {
      infoEnd = tabs[7];
      const f = tabs[7] + 1;
      // VCF puts GT first in FORMAT when present: then every sample's GT can be read straight off the line.
      scanned = bytes[f] === LETTER_G && bytes[f + 1] === LETTER_T && (f + 2 === tabs[8] || bytes[f + 2] === COLON);
      if (scanned) {
        gtEnd = f + 2 === tabs[8] ? TAB : COLON;
        badSample = this.scanCalls(bytes, p, end, gtEnd);
        if (badSample === SCAN_COLUMNS || (badSample >= 0 && countTabs(bytes, start, end) !== this.expectedTabs)) {
          throw this.columnsError(bytes, start, end, line);
        }
      } else if (countTabs(bytes, start, end) !== this.expectedTabs) {
        throw this.columnsError(bytes, start, end, line);
      } else {
        gtElsewhere = bytes.toString('utf8', f, tabs[8]).split(':').includes('GT');
      }
    }
    let posOk = tabs[1] > tabs[0] + 1;
    for (let i = tabs[0] + 1; posOk && i < tabs[1]; i++) {
      posOk = bytes[i] >= DIGIT0 && bytes[i] <= DIGIT9;
    }
    if (!posOk) {
      const posText = bytes.toString('utf8', tabs[0] + 1, tabs[1]);
      throw new IngestionInputError(`POS must be a positive integer, found "${posText}"`, line);
    }
    if (tabs[6] + 1 === infoEnd) {
      throw new IngestionInputError(
        "malformed record: no INFO field specified, must contain at least a '.' (turn off strict mode to allow)",
        line,
      );
    }
    // The fixed columns are decoded once and sliced here; @gmod/vcf's Variant would scan and split the line again.
    const text = this.fixedColumns(bytes, start, infoEnd, (high & 0x80) !== 0);
    const t = this.textTabs;
    const chrom = text.slice(0, t[0]);
    const ref = text.slice(t[2] + 1, t[3]);
    if (!chrom || !ref) {
      throw new IngestionInputError('CHROM and REF must not be empty', line);
    }
    let genotypes: Record<string, string> | undefined;
    if (gtElsewhere) {
      // GT not first breaks the spec but was always accepted: let @gmod/vcf find it (slowly), then check it the same.
      const bySample = this.parseLine(bytes.toString('utf8', start, end), line).GENOTYPES();
      genotypes = bySample;
      gtBytes = Buffer.from(samples.map((s) => bySample[s] ?? '').join('\t'));
      gtFrom = 0;
      gtTo = gtBytes.length;
      gtEnd = TAB;
      badSample = this.scanCalls(gtBytes, 0, gtTo, gtEnd);
      scanned = true;
    } else if (!scanned) {
      genotypes = Object.create(null) as Record<string, string>;
    }
    if (badSample >= 0) {
      const gt = gtStrings(gtBytes, gtFrom, gtTo, samples, gtEnd, false)[samples[badSample]];
      throw new IngestionInputError(
        `malformed GT "${gt}" for sample ${samples[badSample]} (expected allele numbers or "." separated by / or |)`,
        line,
      );
    }
    const calls = scanned ? this.takeCalls() : undefined;

    const altText = text.slice(t[3] + 1, t[4]);
    const alt = altText === '.' ? [] : altText.split(',');
    // INFO (typed by the header) from @gmod/vcf, which needs only the 8 fixed columns: the samples are ours.
    const info = (this.parseLine(text, line).INFO ?? {}) as Record<string, VcfInfoValue>;
    let annotations: VcfAnnotation[] = [];
    if (info.ANN) {
      annotations = parseAnn(infoStrings(info.ANN), ref, alt);
    } else if (info.CSQ && this.csqFields) {
      annotations = parseCsq(infoStrings(info.CSQ), this.csqFields, ref, alt);
    }
    let af: Array<number | undefined> | undefined;
    if (Array.isArray(info.AF)) {
      af = info.AF.map((x) => {
        const n = typeof x === 'number' ? x : Number(x);
        return x === undefined || !Number.isFinite(n) ? undefined : n;
      });
    }
    const pos = Number(text.slice(t[0] + 1, t[1]));
    return new ReadVcfRecord(
      line,
      chrom,
      pos,
      ref,
      alt,
      info,
      annotations,
      af,
      calls,
      genotypes,
      gtBytes,
      gtFrom,
      gtTo,
    );
  }

  /** `bytes[start, end)` (CHROM to INFO) as text, with `textTabs` set to where its tabs are in it. */
  private fixedColumns(bytes: Buffer, start: number, end: number, nonAscii: boolean): string {
    const t = this.textTabs;
    if (!nonAscii) {
      // One byte per character: the tabs are where they are in the bytes.
      for (let k = 0; k < 7; k++) {
        t[k] = this.tabs[k] - start;
      }
      return bytes.toString('latin1', start, end);
    }
    const text = bytes.toString('utf8', start, end);
    for (let k = 0, at = -1; k < 7; k++) {
      at = text.indexOf('\t', at + 1);
      t[k] = at;
    }
    return text;
  }

  private parseLine(text: string, line: number): ReturnType<VCF['parseLine']> {
    try {
      return this.parser.parseLine(text);
    } catch (err) {
      throw new IngestionInputError(`malformed record: ${(err as Error).message}`, line);
    }
  }

  /**
   * Reads the GT (the bytes before `gtEnd`, `:` or the tab) of each sample column in `bytes[from, end)` into the pool
   * (ends, then alleles) and `carriers` / `called`. A GT is allele numbers or `.` joined by `/` or `|` (haploid `1`,
   * multi-allelic `1/12`); an empty one is a call without alleles. Returns SCAN_OK, SCAN_COLUMNS when there are more
   * or fewer columns than samples, or the index of the first sample whose GT is malformed.
   */
  private scanCalls(bytes: Buffer, from: number, end: number, gtEnd: number): number {
    const n = this.samples.length;
    const { carriers } = this;
    // Room for the ends and two alleles per sample; a record with more moves to a new chunk when it runs out.
    if (this.pool.length - this.poolUsed < 3 * n + 16) {
      this.newPool(3 * n + 16);
    }
    let pool = this.pool;
    let at = this.poolUsed;
    /** Where the next allele goes in `pool`; a sample's end is stored relative to the first allele (`at + n`). */
    let k = at + n;
    let nc = 0;
    let called = 0;
    let p = from;
    for (let s = 0; s < n; s++) {
      // Fast path for the call nearly every sample of a large VCF has: one-digit diploid, nothing after it.
      if (p + 3 <= end && k + 2 <= pool.length) {
        const a = bytes[p] - DIGIT0;
        const sep = bytes[p + 1];
        const b = bytes[p + 2] - DIGIT0;
        const next = p + 3 < end ? bytes[p + 3] : EOL;
        if (
          a >= 0 &&
          a <= 9 &&
          b >= 0 &&
          b <= 9 &&
          (sep === SLASH || sep === PIPE) &&
          (s < n - 1 ? next === TAB : next === EOL)
        ) {
          pool[k++] = a;
          pool[k++] = b;
          pool[at + s] = k - at - n;
          called += 2;
          if (a > 0 || b > 0) {
            carriers[nc++] = s;
          }
          p += 4;
          continue;
        }
      }
      let c = p < end ? bytes[p] : EOL;
      let carries = false;
      if (c !== TAB && c !== gtEnd && c !== EOL) {
        for (;;) {
          let a: number;
          if (c === DOT) {
            a = -1;
            p++;
          } else if (c >= DIGIT0 && c <= DIGIT9) {
            a = c - DIGIT0;
            while (++p < end && (c = bytes[p]) >= DIGIT0 && c <= DIGIT9) {
              a = Math.min(a * 10 + (c - DIGIT0), MAX_ALLELE);
            }
          } else {
            return s;
          }
          if (k === pool.length) {
            const moved = pool.subarray(at, k);
            this.newPool(2 * (k - at));
            pool = this.pool;
            pool.set(moved);
            k -= at;
            at = 0;
          }
          pool[k++] = a;
          if (a >= 0) {
            called++;
            carries ||= a > 0;
          }
          c = p < end ? bytes[p] : EOL;
          if (c !== SLASH && c !== PIPE) {
            break;
          }
          c = ++p < end ? bytes[p] : EOL;
        }
        if (c !== TAB && c !== gtEnd && c !== EOL) {
          return s;
        }
      }
      pool[at + s] = k - at - n;
      if (carries) {
        carriers[nc++] = s;
      }
      if (c === COLON) {
        const tab = bytes.indexOf(TAB, p);
        p = tab === -1 || tab >= end ? end : tab;
        c = p < end ? TAB : EOL;
      }
      // Every sample but the last ends on a tab, the last one on the end of the line.
      if (s < n - 1 ? c !== TAB : c !== EOL) {
        return SCAN_COLUMNS;
      }
      p++;
    }
    this.scanAt = at;
    this.alleleCount = k - at - n;
    this.carrierCount = nc;
    this.called = called;
    return SCAN_OK;
  }

  /** The last scanned calls, kept in the pool (they were written there; the carriers are copied after them). */
  private takeCalls(): VcfCalls {
    const n = this.samples.length;
    const k = this.alleleCount;
    const nc = this.carrierCount;
    let at = this.scanAt;
    if (at + n + k + nc > this.pool.length) {
      const moved = this.pool.subarray(at, at + n + k);
      this.newPool(n + k + nc);
      this.pool.set(moved);
      at = 0;
    }
    const { pool, carriers } = this;
    for (let i = 0; i < nc; i++) {
      pool[at + n + k + i] = carriers[i];
    }
    this.poolUsed = at + n + k + nc;
    // The Int32Array constructor, not subarray(): the latter's species lookup showed up per record.
    return {
      samples: this.samples,
      ends: new Int32Array(pool.buffer, at * 4, n),
      alleles: new Int32Array(pool.buffer, (at + n) * 4, k),
      carriers: new Int32Array(pool.buffer, (at + n + k) * 4, nc),
      called: this.called,
    };
  }

  /** Starts a new pool chunk with room for at least `ints` values; the old one lives on in the records cut from it. */
  private newPool(ints: number): void {
    // Not zero-filled: every value is written before a record's views can see it.
    const bytes = Buffer.allocUnsafeSlow(Math.max(CALLS_POOL_INTS, ints) * 4);
    this.pool = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    this.poolUsed = 0;
  }

  private columnsError(bytes: Buffer, start: number, end: number, line: number): IngestionInputError {
    const tabs = countTabs(bytes, start, end);
    return new IngestionInputError(
      `expected ${this.expectedTabs + 1} tab-separated columns but found ${tabs + 1}`,
      line,
    );
  }
}

/** Turns the header lines into a record parser once the `#CHROM` line has been read. */
class VcfHeaderReader {
  private readonly lines: string[] = [];
  private readonly meta: VcfHeader['meta'] = [];
  private csqFields: string[] | undefined;

  /** Reads one header line; returns the record parser after the `#CHROM` line. */
  add(text: string, line: number, onHeader?: (header: VcfHeader) => void): VcfRecordParser | undefined {
    if (line === 1 && !text.startsWith('##fileformat=VCF')) {
      throw new IngestionInputError('not a VCF file: the first line must be ##fileformat=VCFv4.x', line);
    }
    if (text.startsWith('##')) {
      const m = META_LINE.exec(text);
      if (!m) {
        throw new IngestionInputError('malformed meta-information line (expected ##key=value)', line);
      }
      this.meta.push({ key: m[1], value: m[2] });
      if (m[1] === 'INFO') {
        this.csqFields = parseCsqFormat(m[2]) ?? this.csqFields;
      }
      this.lines.push(text);
      return undefined;
    }
    if (!text.startsWith('#CHROM')) {
      throw new IngestionInputError('missing #CHROM header line before the first record', line);
    }
    const samples = validateChromLine(text, line);
    this.lines.push(text);
    let parser: VCF;
    try {
      parser = new VCF({ header: this.lines.join('\n'), strict: true });
    } catch (err) {
      throw new IngestionInputError(`invalid VCF header: ${(err as Error).message.split('\n')[0]}`, line);
    }
    onHeader?.({ meta: this.meta, samples, csqFields: this.csqFields });
    return new VcfRecordParser(parser, samples, this.csqFields);
  }

  /** The error for a file that ended inside the header. */
  endError(): IngestionInputError {
    return new IngestionInputError(this.meta.length ? 'missing #CHROM header line' : 'the file is empty');
  }
}

/**
 * Records of a VCF file, plain or gzip/bgzip (detected by magic bytes). The header is validated (`##fileformat`
 * first, well-formed `##` lines, the 8 fixed `#CHROM` columns, then optional FORMAT + unique sample names); each
 * record must have the header's column count, a numeric POS and well-formed GTs. Annotations come from `ANN` or `CSQ`.
 */
export async function* readVcf(input: ReaderInput, options: VcfReaderOptions = {}): AsyncGenerator<VcfRecord> {
  const blocks = lineBlocks(maybeGunzip(countBytes(openInput(input), options.onProgress)));
  const header = new VcfHeaderReader();
  let records: VcfRecordParser | undefined;
  let sawRecord = false;

  for await (const { bytes, firstLine } of blocks) {
    // Lines are parsed in place in the block (offsets, no string per line): a record's columns are scanned once.
    let line = firstLine;
    for (let start = 0; start < bytes.length; line++) {
      const nl = bytes.indexOf(NEWLINE, start);
      const lineStart = start;
      let end = nl === -1 ? bytes.length : nl;
      start = end + 1;
      if (end > lineStart && bytes[end - 1] === CR) {
        end--;
      }
      if (!records) {
        records = header.add(bytes.toString('utf8', lineStart, end), line, options.onHeader);
      } else if (end > lineStart) {
        sawRecord = true;
        yield records.parse(bytes, lineStart, end, line);
      }
    }
  }
  if (!records) {
    throw header.endError();
  }
  if (!sawRecord) {
    throw new IngestionInputError('the VCF has a header but no records');
  }
}
