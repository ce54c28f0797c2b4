import { rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { dataConfig } from '@/config/configs';
import { DataConflictError, DataErrorCode, DataInvalidError, SourceNotFoundError } from './data.errors';
import type { RecordIndex, SourceRecord } from './data.types';
import { DataFilesRepository } from './data-files.repository';
import type { CreateSourceDto, SourceResponseDto, UpdateSourceDto } from './dto/sources.dto';
import { SourcesRepository } from './sources.repository';
import { sourceUploadDir } from './upload/upload.paths';

/** A fresh source's index: nothing ingested yet. */
export function emptyRecordIndex(): RecordIndex {
  return {
    capability: {
      subject: false,
      genes: false,
      hpo: false,
      ordo: false,
      snomed: false,
      variant: false,
      source: false,
      eav: false,
      subjectCapability: { age: false, gender: false, familyType: false, affected: false },
    },
    recordCount: 0,
    eavIndex: { attributes: {}, values: {}, mappings: {} },
  };
}

type TypeFields = Pick<SourceRecord, 'sourceType' | 'sourceUrl' | 'indexUrl' | 'beaconAuthMethod'>;

/** Which of the type-specific fields each source type needs; the others are refused. */
const TYPE_FIELDS: Record<SourceRecord['sourceType'], ReadonlyArray<keyof TypeFields>> = {
  internal: [],
  molgenis: ['sourceUrl', 'indexUrl'],
  beacon: ['sourceUrl', 'beaconAuthMethod'],
};

/** Refuses a source whose type-specific fields do not fit its type, naming the field. */
export function checkTypeFields(source: TypeFields): void {
  const needed = TYPE_FIELDS[source.sourceType];
  for (const field of ['sourceUrl', 'indexUrl', 'beaconAuthMethod'] as const) {
    if (needed.includes(field) && source[field] === undefined) {
      throw new DataInvalidError(DataErrorCode.SourceInvalid, field, `required for ${source.sourceType} sources`);
    }
    if (!needed.includes(field) && source[field] !== undefined) {
      throw new DataInvalidError(DataErrorCode.SourceInvalid, field, `not allowed for ${source.sourceType} sources`);
    }
  }
}

export function toSourceResponse(s: SourceRecord): SourceResponseDto {
  const out: SourceResponseDto = {
    sourceId: s.sourceId,
    sourceName: s.sourceName,
    displayName: s.displayName,
    sourceDescription: s.sourceDescription,
    owner: s.owner,
    ownerEmail: s.ownerEmail,
    online: s.online,
    sourceType: s.sourceType,
    recordIndex: s.recordIndex,
    pipelineIndex: s.pipelineIndex ?? [],
  };
  for (const k of ['sourceUrl', 'indexUrl', 'beaconAuthMethod'] as const) {
    if (s[k] !== undefined) {
      Object.assign(out, { [k]: s[k] });
    }
  }
  return out;
}

/** Record-level sources (CV3 reference 1.4). Exported for the jobs code: findOrFail and updateRecordIndex. */
@Injectable()
export class SourcesService {
  private readonly logger = new Logger(SourcesService.name);
  private readonly deletionListeners: Array<(sourceId: string) => Promise<void>> = [];

  constructor(
    private readonly sources: SourcesRepository,
    private readonly dataFiles: DataFilesRepository,
    @Inject(dataConfig.KEY) private readonly cfg: ConfigType<typeof dataConfig>,
  ) {}

  async findOrFail(sourceId: string): Promise<SourceRecord> {
    const source = await this.sources.findById(sourceId);
    if (!source) {
      throw new SourceNotFoundError(sourceId);
    }
    return source;
  }

  async list(): Promise<SourceResponseDto[]> {
    return (await this.sources.findAll()).map(toSourceResponse);
  }

  async get(sourceId: string): Promise<SourceResponseDto> {
    return toSourceResponse(await this.findOrFail(sourceId));
  }

  async create(dto: CreateSourceDto): Promise<SourceResponseDto> {
    checkTypeFields(dto);
    const source: SourceRecord = {
      sourceId: dto.sourceId ?? randomUUID(),
      sourceName: dto.sourceName,
      displayName: dto.displayName,
      sourceDescription: dto.sourceDescription,
      owner: dto.owner,
      ownerEmail: dto.ownerEmail,
      online: dto.online ?? true,
      sourceType: dto.sourceType,
      recordIndex: emptyRecordIndex(),
      pipelineIndex: [],
    };
    for (const k of ['sourceUrl', 'indexUrl', 'beaconAuthMethod'] as const) {
      if (dto[k] !== undefined) {
        Object.assign(source, { [k]: dto[k] });
      }
    }
    await this.sources.insert(source);
    this.logger.log({ sourceId: source.sourceId, sourceType: source.sourceType }, 'source created');
    return toSourceResponse(source);
  }

  async update(sourceId: string, dto: UpdateSourceDto): Promise<SourceResponseDto> {
    const existing = await this.findOrFail(sourceId);
    if (dto.sourceType !== undefined && dto.sourceType !== existing.sourceType) {
      throw new DataInvalidError(DataErrorCode.SourceInvalid, 'sourceType', 'cannot be changed');
    }
    const changes = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as UpdateSourceDto;
    const merged: SourceRecord = { ...existing, ...changes, sourceType: existing.sourceType };
    checkTypeFields(merged);
    // Checked first: FerretDB reports a unique-index refusal on update as an internal error, not a duplicate key.
    if (changes.sourceName !== undefined && changes.sourceName !== existing.sourceName) {
      if (await this.sources.nameTaken(changes.sourceName)) {
        throw new DataConflictError(DataErrorCode.SourceExists, 'A source with this sourceName already exists', {
          field: 'sourceName',
        });
      }
    }
    if (!(await this.sources.update(sourceId, changes))) {
      throw new SourceNotFoundError(sourceId);
    }
    return toSourceResponse(merged);
  }

  async updateRecordIndex(sourceId: string, recordIndex: RecordIndex): Promise<void> {
    if (!(await this.sources.updateRecordIndex(sourceId, recordIndex))) {
      throw new SourceNotFoundError(sourceId);
    }
  }

  /**
   * Removes the source with everything it holds: data file records, uploaded files and chunks, subject and
   * staging collections. The source row goes last, so a failed delete can simply be run again.
   */
  async delete(sourceId: string): Promise<void> {
    await this.findOrFail(sourceId);
    await this.dataFiles.deleteBySource(sourceId);
    await rm(sourceUploadDir(this.cfg.uploadPath, sourceId), { recursive: true, force: true });
    await this.sources.dropSourceCollections(sourceId);
    await this.sources.delete(sourceId);
    for (const listener of this.deletionListeners) {
      await listener(sourceId);
    }
    this.logger.log({ sourceId }, 'source deleted');
  }

  /**
   * Runs `listener` after each source deletion (e.g. discovery groups forget the source, so a new source created
   * later with the same ID does not inherit its grants). Modules that import this one register here.
   */
  onDeleted(listener: (sourceId: string) => Promise<void>): void {
    this.deletionListeners.push(listener);
  }
}
