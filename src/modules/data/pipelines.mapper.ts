import { DataErrorCode, DataInvalidError } from './data.errors';
import type { FilePipeline, PatternSet, Pipeline, RemapPipeline } from './data.types';
import type { CreatePipelineDto, PatternSetDto } from './dto/pipelines.dto';

const FILE_FIELDS = [
  'subjectIdLocation',
  'grouping',
  'internalDelimiter',
  'groupColumns',
  'attribute',
  'prefix',
  'batchSize',
  'columns',
  'expansionPolicy',
  'newAttribute',
] as const;

/** The fields each subject-ID variant uses, beside the common ones. */
const LOCATION_FIELDS: Record<FilePipeline['subjectIdLocation'], readonly string[]> = {
  attributeInFile: ['attribute'],
  attributeInName: [],
  assignPerBatch: ['prefix', 'batchSize'],
  assignByExpansion: ['columns', 'expansionPolicy', 'newAttribute'],
};

const COMMON_FILE_FIELDS = ['subjectIdLocation', 'grouping', 'internalDelimiter', 'groupColumns'];

function invalid(field: string, message: string): DataInvalidError {
  return new DataInvalidError(DataErrorCode.PipelineInvalid, field, message);
}

/**
 * Turns a validated body into the stored Pipeline: only the fields its type and variant use (a field of another
 * type or variant is refused, naming it), defaults filled in.
 */
export function toPipeline(dto: CreatePipelineDto, pipelineId: string): Pipeline {
  if (dto.pipelineType === 'remapPipeline') {
    for (const field of FILE_FIELDS) {
      if (dto[field] !== undefined) {
        throw invalid(field, 'not allowed in a remapPipeline');
      }
    }
    const pipeline: RemapPipeline = {
      pipelineId,
      pipelineName: dto.pipelineName,
      pipelineType: 'remapPipeline',
      directives: (dto.directives ?? []).map((d, i) => ({
        directiveType: 'termSet',
        origin: d.origin,
        destination: d.destination,
        patternSets: d.patternSets.map((p, j) => toPatternSet(p, `directives.${i}.patternSets.${j}`)),
      })),
    };
    return pipeline;
  }
  if (dto.directives !== undefined) {
    throw invalid('directives', 'not allowed in a filePipeline');
  }
  const location = dto.subjectIdLocation as FilePipeline['subjectIdLocation'];
  const allowed = new Set([...COMMON_FILE_FIELDS, ...LOCATION_FIELDS[location]]);
  for (const field of FILE_FIELDS) {
    if (dto[field] !== undefined && !allowed.has(field)) {
      throw invalid(field, `not used when subjectIdLocation is ${location}`);
    }
  }
  if (dto.grouping === 'individual' && dto.groupColumns !== undefined) {
    throw invalid('groupColumns', 'only used when grouping is customized');
  }
  const pipeline: FilePipeline = {
    pipelineId,
    pipelineName: dto.pipelineName,
    pipelineType: 'filePipeline',
    subjectIdLocation: location,
    grouping: dto.grouping as FilePipeline['grouping'],
    internalDelimiter: dto.internalDelimiter ?? ',',
  };
  const optional = {
    groupColumns: dto.groupColumns,
    attribute: dto.attribute,
    prefix: dto.prefix,
    batchSize: dto.batchSize,
    columns: dto.columns,
    expansionPolicy: dto.expansionPolicy,
    newAttribute: dto.newAttribute,
  };
  for (const [k, v] of Object.entries(optional)) {
    if (v !== undefined) {
      Object.assign(pipeline, { [k]: v });
    }
  }
  return pipeline;
}

function toPatternSet(p: PatternSetDto, path: string): PatternSet {
  if (p.type === 'basic') {
    for (const field of ['qualifierReplacement', 'valueReplacement'] as const) {
      if (p[field] !== undefined) {
        throw invalid(`${path}.${field}`, 'only used by qualifier pattern sets');
      }
    }
    return { type: 'basic', pattern: p.pattern, replacement: p.replacement as string };
  }
  if (p.replacement !== undefined) {
    throw invalid(`${path}.replacement`, 'only used by basic pattern sets');
  }
  return {
    type: 'qualifier',
    pattern: p.pattern,
    qualifierReplacement: p.qualifierReplacement as string,
    valueReplacement: p.valueReplacement as string,
  };
}
