/*
 * The data module's shared vocabulary (CV3 reference 1.4–1.8). Schemas, DTOs and the ingestion engine all speak
 * these shapes; the stored documents carry exactly these fields (plus timestamps).
 */

// ---- sources (`sources`) -------------------------------------------------------------------------------------

export const SOURCE_TYPES = ['internal', 'molgenis', 'beacon'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];
export const BEACON_AUTH_METHODS = ['noAuth', 'authKey', 'token'] as const;
export type BeaconAuthMethod = (typeof BEACON_AUTH_METHODS)[number];

export interface Capability {
  subject: boolean;
  genes: boolean;
  hpo: boolean;
  ordo: boolean;
  snomed: boolean;
  variant: boolean;
  source: boolean;
  eav: boolean;
  subjectCapability: { age: boolean; gender: boolean; familyType: boolean; affected: boolean };
}

/** `attributes{field: displayName}`, `values{value: displayName}`, `mappings{field: [values]}` (categorical). */
export interface EavIndex {
  attributes: Record<string, string>;
  values: Record<string, string>;
  mappings: Record<string, string[]>;
}

export interface RecordIndex {
  capability: Capability;
  recordCount: number;
  eavIndex: EavIndex;
}

export interface SourceRecord {
  sourceId: string;
  sourceName: string;
  displayName: string;
  sourceDescription: string;
  owner: string;
  ownerEmail: string;
  online: boolean;
  sourceType: SourceType;
  recordIndex: RecordIndex;
  pipelineIndex: number[];
  /** molgenis and beacon */
  sourceUrl?: string;
  /** molgenis */
  indexUrl?: string;
  /** beacon */
  beaconAuthMethod?: BeaconAuthMethod;
}

/** The collection holding one source's subject documents (as CV3: `sources.<uuid>`). */
export function subjectCollection(sourceId: string): string {
  return `sources.${sourceId}`;
}

/** The collection holding one source's staged rows (file pipeline output waiting for remap). */
export function stagingCollection(sourceId: string): string {
  return `staging.${sourceId}`;
}

// ---- pipelines (`pipelines`) ---------------------------------------------------------------------------------

export type SubjectIdLocation = 'attributeInFile' | 'attributeInName' | 'assignPerBatch' | 'assignByExpansion';

export interface FilePipeline {
  pipelineId: string;
  pipelineName: string;
  pipelineType: 'filePipeline';
  subjectIdLocation: SubjectIdLocation;
  /** `individual`: one row → one subject; `customized`: rows grouped by `groupColumns`. */
  grouping: 'individual' | 'customized';
  /** Splits one cell into several values, e.g. `,`. */
  internalDelimiter: string;
  groupColumns?: string[];
  /** attributeInFile: the column with the subject ID. */
  attribute?: string;
  /** assignPerBatch */
  prefix?: string;
  batchSize?: number;
  /** assignByExpansion */
  columns?: string[];
  expansionPolicy?: 'individual' | 'customized';
  newAttribute?: string;
}

export const REMAP_DESTINATIONS = ['hpo', 'ordo', 'gene', 'snomedCT', 'eav'] as const;
export type RemapDestination = (typeof REMAP_DESTINATIONS)[number];

export type PatternSet =
  | { type: 'basic'; pattern: string; replacement: string }
  | { type: 'qualifier'; pattern: string; qualifierReplacement: string; valueReplacement: string };

export interface TermSetDirective {
  directiveType: 'termSet';
  /** Column name. */
  origin: string;
  destination: RemapDestination;
  patternSets: PatternSet[];
}

export interface RemapPipeline {
  pipelineId: string;
  pipelineName: string;
  pipelineType: 'remapPipeline';
  directives: TermSetDirective[];
}

export type Pipeline = FilePipeline | RemapPipeline;

// ---- data files (`datafiles`) and jobs -----------------------------------------------------------------------

export const FILE_FORMATS = ['csv', 'vcf', 'vcf.gz'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobProgress {
  bytes: number;
  rows: number;
  subjects: number;
}

export interface JobError {
  line?: number;
  message: string;
}

/** The last ingest or remap of a data file. */
export interface FileJobStatus {
  jobId: string;
  kind: 'ingest' | 'remap';
  pipelineId: string;
  state: JobState;
  progress: JobProgress;
  /** The first errors (bounded), with line numbers where the input has them. */
  errors: JobError[];
  queuedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface DataFileRecord {
  dataFileId: string;
  sourceId: string;
  /** The uploaded name (no path parts). */
  filename: string;
  fileFormat: FileFormat;
  /** Where the assembled file lives, under Data.UploadPath. */
  path: string;
  size: number;
  sha256: string;
  /** True once a remap has produced its subjects. */
  isProcessed: boolean;
  /**
   * Set before the file's first subject write begins (internal, not served): until then no subject holds a part of
   * this file, so a write can skip looking for one.
   */
  subjectsWritten?: boolean;
  job?: FileJobStatus;
}

// ---- subjects (`sources.<sourceId>`) -------------------------------------------------------------------------

/** `{ "<term>": <value> }`: a qualified term (e.g. an age or a boolean). */
export type QualifiedTerm = Record<string, string | number | boolean>;
export type EavValue = string | number | boolean | Array<string | number | boolean>;

export interface VariantEntry {
  gene: string;
  /** Protein-effect class (e.g. missense_variant). */
  mutation: string;
  af?: number;
}

export interface SubjectDocument {
  subjectId: string;
  HPO: Array<string | QualifiedTerm>;
  ORDO: string[];
  SNOMED: Array<string | QualifiedTerm>;
  NCIT: string[];
  ALLELES: Array<{ gene: string; alleles: string[] }>;
  VARIANT: VariantEntry[];
  EAV: Record<string, EavValue>;
  /** The data files that contributed to this subject (re-ingesting a file replaces exactly its part). */
  dataFiles: string[];
}
