/*
 * File pipelines: turn CSV rows into staged rows that each name their subject. Streaming: at most the current group's
 * key is remembered. VCF files need no file pipeline (each sample column is a subject).
 *
 * Decisions (the CV3 docs leave these open):
 * - The subject-ID column (attributeInFile) is removed from the staged values; every other column is kept as is
 *   (empty cells included, so the data-file sample shows the row; remap skips empty values).
 * - `internalDelimiter` splits every kept cell into trimmed, non-empty parts; a cell with one part stays a string.
 * - `grouping: 'customized'` with `groupColumns`: consecutive rows with equal values in `groupColumns` form one group.
 *   attributeInFile: rows of a group whose ID cell is empty take the group's ID (long-format files that name the
 *   subject on its first row only). assignPerBatch: each group is one batch (`batchSize` is ignored).
 *   attributeInName and assignByExpansion: no effect.
 * - assignByExpansion: each value in the `columns` cells (split by `internalDelimiter`) becomes a subject of its own;
 *   its staged row holds the row's other (not expanded) columns plus `newAttribute` = the name of the column the ID
 *   came from (omitted when `newAttribute` is unset). `expansionPolicy` is accepted and has no further effect.
 */
import { basename } from 'node:path';
import type { FilePipeline } from '../data.types';
import { IngestionInputError, type CsvRow } from './readers';

export type StagedValue = string | string[];

export interface StagedRow {
  line: number;
  subjectId: string;
  values: Record<string, StagedValue>;
}

export interface FilePipelineContext {
  /** The uploaded file name (attributeInName). */
  fileName: string;
}

/** `patient_7.csv` → `patient_7`; `x.vcf.gz` → `x`. */
export function subjectIdFromFileName(fileName: string): string {
  const base = basename(fileName);
  const stripped = base.replace(/\.(csv|tsv|txt|vcf)(\.gz)?$/i, '');
  return stripped === base ? base.replace(/\.[^.]+$/, '') || base : stripped;
}

export function splitCell(value: string, delimiter: string): StagedValue {
  if (!delimiter || !value.includes(delimiter)) {
    return value.trim();
  }
  const parts = value
    .split(delimiter)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.length === 1 ? parts[0] : parts;
}

function stage(
  values: Record<string, string>,
  delimiter: string,
  skip?: ReadonlySet<string>,
): Record<string, StagedValue> {
  const out: Record<string, StagedValue> = {};
  for (const key in values) {
    if (!skip?.has(key)) {
      out[key] = splitCell(values[key], delimiter);
    }
  }
  return out;
}

function groupKey(values: Record<string, string>, columns: string[]): string {
  return JSON.stringify(columns.map((c) => values[c] ?? ''));
}

function requireColumns(values: Record<string, string>, columns: string[], what: string): void {
  for (const c of columns) {
    if (!(c in values)) {
      // The header is the file's first line.
      throw new IngestionInputError(`the ${what} column "${c}" is not in the file's header`, 1);
    }
  }
}

/** Checks the pipeline's own fields (the DTO validates shapes; these are the cross-field rules). */
export function validateFilePipeline(p: FilePipeline): void {
  const fail = (m: string): never => {
    throw new IngestionInputError(`file pipeline "${p.pipelineName}": ${m}`);
  };
  switch (p.subjectIdLocation) {
    case 'attributeInFile':
      if (!p.attribute) {
        fail('attributeInFile needs `attribute` (the subject ID column)');
      }
      break;
    case 'assignPerBatch':
      if (p.grouping !== 'customized' && !(Number.isInteger(p.batchSize) && (p.batchSize ?? 0) >= 1)) {
        fail('assignPerBatch needs a `batchSize` ≥ 1');
      }
      break;
    case 'assignByExpansion':
      if (!p.columns?.length) {
        fail('assignByExpansion needs `columns`');
      }
      break;
    case 'attributeInName':
      break;
  }
  if (p.grouping === 'customized' && !p.groupColumns?.length) {
    fail('customized grouping needs `groupColumns`');
  }
}

/** Applies a file pipeline to CSV rows (in file order). */
export async function* applyFilePipeline(
  rows: AsyncIterable<CsvRow> | Iterable<CsvRow>,
  pipeline: FilePipeline,
  context: FilePipelineContext,
): AsyncGenerator<StagedRow> {
  validateFilePipeline(pipeline);
  const delimiter = pipeline.internalDelimiter ?? '';
  const grouped = pipeline.grouping === 'customized' ? (pipeline.groupColumns ?? []) : undefined;
  const nameId = subjectIdFromFileName(context.fileName);
  const idColumn = pipeline.attribute ?? '';
  const idSkip = new Set([idColumn]);
  const expand = pipeline.columns ?? [];
  const expandSet = new Set(expand);

  let first = true;
  let index = 0;
  let batch = 0;
  let currentKey: string | undefined;
  let groupId: string | undefined;

  for await (const { line, values } of rows) {
    if (first) {
      first = false;
      if (grouped) {
        requireColumns(values, grouped, 'group');
      }
      if (pipeline.subjectIdLocation === 'attributeInFile') {
        requireColumns(values, [idColumn], 'subject ID');
      }
      if (pipeline.subjectIdLocation === 'assignByExpansion') {
        requireColumns(values, expand, 'expansion');
      }
    }
    let newGroup = false;
    if (grouped) {
      const key = groupKey(values, grouped);
      newGroup = key !== currentKey;
      currentKey = key;
    }

    switch (pipeline.subjectIdLocation) {
      case 'attributeInFile': {
        let id = values[idColumn].trim();
        if (grouped) {
          if (newGroup) {
            groupId = id || undefined;
          }
          id = id || groupId || '';
        }
        if (!id) {
          throw new IngestionInputError(`empty subject ID in column "${idColumn}"`, line);
        }
        yield { line, subjectId: id, values: stage(values, delimiter, idSkip) };
        break;
      }
      case 'attributeInName':
        yield { line, subjectId: nameId, values: stage(values, delimiter) };
        break;
      case 'assignPerBatch': {
        if (grouped) {
          batch += newGroup ? 1 : 0;
        } else {
          batch = Math.floor(index / (pipeline.batchSize ?? 1)) + 1;
        }
        yield { line, subjectId: `${pipeline.prefix ?? ''}${batch}`, values: stage(values, delimiter) };
        break;
      }
      case 'assignByExpansion': {
        const shared = stage(values, delimiter, expandSet);
        for (const column of expand) {
          const cell = splitCell(values[column], delimiter);
          for (const id of Array.isArray(cell) ? cell : [cell]) {
            if (!id) {
              continue;
            }
            const staged: Record<string, StagedValue> = { ...shared };
            if (pipeline.newAttribute) {
              staged[pipeline.newAttribute] = column;
            }
            yield { line, subjectId: id, values: staged };
          }
        }
        break;
      }
    }
    index++;
  }
}
