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
 * Checks raw bytes (no NUL, valid UTF-8) and decodes them into text blocks that each end on a line boundary (the last
 * one may lack its newline). `firstLine` is the 1-based number of the block's first line. A leading BOM is dropped.
 */
async function* textBlocks(source: AsyncIterable<Buffer>): AsyncGenerator<{ text: string; firstLine: number }> {
  let carry: Buffer | undefined;
  let nextLine = 1;
  let first = true;
  const emit = (block: Buffer): { text: string; firstLine: number } => {
    const nul = block.indexOf(0);
    if (nul !== -1) {
      throw new IngestionInputError('binary content (NUL byte): not a text file', nextLine + countNewlines(block, nul));
    }
    if (!isUtf8(block)) {
      throw new IngestionInputError('invalid UTF-8 (the file must be UTF-8 encoded)', findBadUtf8Line(block, nextLine));
    }
    let text = block.toString('utf8');
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
      }
    }
    const out = { text, firstLine: nextLine };
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

async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<{ line: number; text: string }> {
  for await (const { text, firstLine } of textBlocks(source)) {
    const parts = text.split('\n');
    // A block ends with '\n' (except the last), so the final part is the empty remainder.
    const n = parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
    for (let i = 0; i < n; i++) {
      const raw = parts[i];
      yield { line: firstLine + i, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
    }
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

export interface VcfRecord {
  line: number;
  chrom: string;
  pos: number;
  ref: string;
  alt: string[];
  info: Record<string, VcfInfoValue>;
  /** sample → GT string (`0/1`, `1|1`, `./.`); empty when FORMAT has no GT. */
  genotypes: Record<string, string>;
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
const POS_RE = /^\d+$/;

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

function countTabs(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\t'); i !== -1; i = text.indexOf('\t', i + 1)) {
    n++;
  }
  return n;
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
    const f = entry.split('|');
    const gene = (f[3] ?? '').trim();
    const consequence = firstTerm(f[1] ?? '');
    if (!gene || !consequence) {
      continue;
    }
    out.push({
      altIndex: matchAllele((f[0] ?? '').trim(), ref, alt),
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
 * Records of a VCF file, plain or gzip/bgzip (detected by magic bytes). The header is validated (`##fileformat`
 * first, well-formed `##` lines, the 8 fixed `#CHROM` columns, then optional FORMAT + unique sample names); each
 * record must have the header's column count and a numeric POS. Annotations come from `ANN` or `CSQ`.
 */
export async function* readVcf(input: ReaderInput, options: VcfReaderOptions = {}): AsyncGenerator<VcfRecord> {
  const source = lines(maybeGunzip(countBytes(openInput(input), options.onProgress)));
  const headerLines: string[] = [];
  const meta: VcfHeader['meta'] = [];
  let csqFields: string[] | undefined;
  let samples: string[] | undefined;
  let parser: VCF | undefined;
  let expectedTabs = 0;
  let sawRecord = false;

  for await (const { line, text } of source) {
    if (!parser) {
      if (line === 1 && !text.startsWith('##fileformat=VCF')) {
        throw new IngestionInputError('not a VCF file: the first line must be ##fileformat=VCFv4.x', line);
      }
      if (text.startsWith('##')) {
        const m = META_LINE.exec(text);
        if (!m) {
          throw new IngestionInputError('malformed meta-information line (expected ##key=value)', line);
        }
        meta.push({ key: m[1], value: m[2] });
        if (m[1] === 'INFO') {
          csqFields = parseCsqFormat(m[2]) ?? csqFields;
        }
        headerLines.push(text);
        continue;
      }
      if (!text.startsWith('#CHROM')) {
        throw new IngestionInputError('missing #CHROM header line before the first record', line);
      }
      samples = validateChromLine(text, line);
      headerLines.push(text);
      try {
        parser = new VCF({ header: headerLines.join('\n'), strict: true });
      } catch (err) {
        throw new IngestionInputError(`invalid VCF header: ${(err as Error).message.split('\n')[0]}`, line);
      }
      expectedTabs = samples.length ? 8 + samples.length : 7;
      options.onHeader?.({ meta, samples, csqFields });
      continue;
    }
    if (text === '') {
      continue;
    }
    const tabs = countTabs(text);
    if (tabs !== expectedTabs) {
      throw new IngestionInputError(`expected ${expectedTabs + 1} tab-separated columns but found ${tabs + 1}`, line);
    }
    const posEnd = text.indexOf('\t', text.indexOf('\t') + 1);
    const posText = text.slice(text.indexOf('\t') + 1, posEnd);
    if (!POS_RE.test(posText)) {
      throw new IngestionInputError(`POS must be a positive integer, found "${posText}"`, line);
    }
    let v: ReturnType<VCF['parseLine']>;
    try {
      v = parser.parseLine(text);
    } catch (err) {
      throw new IngestionInputError(`malformed record: ${(err as Error).message}`, line);
    }
    if (!v.CHROM || !v.REF) {
      throw new IngestionInputError('CHROM and REF must not be empty', line);
    }
    const ref = v.REF;
    const alt = v.ALT ?? [];
    const info = v.INFO as Record<string, VcfInfoValue>;
    let annotations: VcfAnnotation[] = [];
    if (info.ANN) {
      annotations = parseAnn(infoStrings(info.ANN), ref, alt);
    } else if (info.CSQ && csqFields) {
      annotations = parseCsq(infoStrings(info.CSQ), csqFields, ref, alt);
    }
    let af: Array<number | undefined> | undefined;
    if (Array.isArray(info.AF)) {
      af = info.AF.map((x) => {
        const n = typeof x === 'number' ? x : Number(x);
        return x === undefined || !Number.isFinite(n) ? undefined : n;
      });
    }
    sawRecord = true;
    yield {
      line,
      chrom: v.CHROM,
      pos: v.POS,
      ref,
      alt,
      info,
      genotypes: samples?.length && v.FORMAT ? v.GENOTYPES() : {},
      annotations,
      af,
    };
  }
  if (!parser) {
    throw new IngestionInputError(meta.length ? 'missing #CHROM header line' : 'the file is empty');
  }
  if (!sawRecord) {
    throw new IngestionInputError('the VCF has a header but no records');
  }
}
