import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { dataConfig } from '@/config/configs';
import { DataErrorCode, UploadRefusedError } from '../data.errors';
import type { DataFileRecord, FileFormat, SourceRecord } from '../data.types';
import { DataFilesService } from '../data-files.service';
import type { UploadChunkDto } from '../dto/data-files.dto';
import { checkContent } from './file-format';
import { chunkDir, dataFilePath, sourceUploadDir } from './upload.paths';
import { checkChunk, type ChunkFields } from './upload.rules';

const META_FILE = 'upload.json';
/** Created with mkdir (atomic): the one request that creates it assembles the file. */
const LOCK_DIR = '.assembling';
const CHUNK_FILE = /^chunk-(\d+)$/;

type UploadMeta = Omit<ChunkFields, 'resumableChunkNumber'>;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Resumable (resumable.js) uploads into `Data.UploadPath/<sourceId>/`. Chunks land in
 * `.chunks/<identifier>/chunk-<n>` (written to a temporary name and renamed, so a retried chunk simply replaces
 * itself); the request that sees the last one missing no more assembles them, once, into `<dataFileId>.<ext>`.
 * Any refusal deletes that upload's chunks and partial file.
 */
@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);

  constructor(
    private readonly dataFiles: DataFilesService,
    @Inject(dataConfig.KEY) private readonly cfg: ConfigType<typeof dataConfig>,
  ) {}

  /** Is this chunk already stored (resumable.js testChunks)? */
  async hasChunk(sourceId: string, identifier: string, chunkNumber: number): Promise<boolean> {
    try {
      await stat(join(chunkDir(this.cfg.uploadPath, sourceId, identifier), `chunk-${chunkNumber}`));
      return true;
    } catch (err) {
      if (errno(err) === 'ENOENT') {
        return false;
      }
      throw err;
    }
  }

  /** Stores one chunk; when it completes the file, assembles and records it and returns its dataFileId. */
  async receiveChunk(
    source: SourceRecord,
    fields: UploadChunkDto,
    chunk: Buffer | undefined,
  ): Promise<{ dataFileId?: string }> {
    const dir = chunkDir(this.cfg.uploadPath, source.sourceId, fields.resumableIdentifier);
    let format: FileFormat;
    try {
      format = checkChunk(fields, chunk?.length, this.cfg.validFileFormats);
      await this.checkMeta(dir, fields);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    await mkdir(dir, { recursive: true });
    await this.writeMeta(dir, fields);
    const tmp = join(dir, `.tmp-${fields.resumableChunkNumber}-${randomUUID()}`);
    await writeFile(tmp, chunk as Buffer);
    await rename(tmp, join(dir, `chunk-${fields.resumableChunkNumber}`));

    const present = (await readdir(dir)).filter((n) => CHUNK_FILE.test(n)).length;
    if (present < fields.resumableTotalChunks) {
      return {};
    }
    try {
      await mkdir(join(dir, LOCK_DIR));
    } catch (err) {
      if (errno(err) === 'EEXIST') {
        // Another request holding the last missing chunk is assembling the file.
        return {};
      }
      throw err;
    }
    try {
      return { dataFileId: await this.assemble(source.sourceId, dir, fields, format) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** A chunk must describe the same file as the chunks before it. */
  private async checkMeta(dir: string, fields: ChunkFields): Promise<void> {
    let stored: UploadMeta;
    try {
      stored = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as UploadMeta;
    } catch (err) {
      if (errno(err) === 'ENOENT') {
        return;
      }
      throw err;
    }
    for (const k of [
      'resumableFilename',
      'resumableTotalSize',
      'resumableChunkSize',
      'resumableTotalChunks',
    ] as const) {
      if (stored[k] !== fields[k]) {
        throw new UploadRefusedError(
          DataErrorCode.UploadInvalid,
          `${k} differs from the earlier chunks of this upload`,
        );
      }
    }
  }

  private async writeMeta(dir: string, fields: ChunkFields): Promise<void> {
    const meta: UploadMeta = {
      resumableFilename: fields.resumableFilename,
      resumableTotalSize: fields.resumableTotalSize,
      resumableChunkSize: fields.resumableChunkSize,
      resumableTotalChunks: fields.resumableTotalChunks,
    };
    try {
      await writeFile(join(dir, META_FILE), JSON.stringify(meta), { flag: 'wx' });
    } catch (err) {
      if (errno(err) !== 'EEXIST') {
        throw err;
      }
    }
  }

  /** Streams the chunks in order into the data file, checks size and content, and records it. */
  private async assemble(sourceId: string, dir: string, fields: UploadChunkDto, format: FileFormat): Promise<string> {
    const dataFileId = randomUUID();
    await mkdir(sourceUploadDir(this.cfg.uploadPath, sourceId), { recursive: true });
    const path = dataFilePath(this.cfg.uploadPath, sourceId, dataFileId, format);
    const hash = createHash('sha256');
    let size = 0;
    const total = fields.resumableTotalChunks;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let n = 1; n <= total; n++) {
        for await (const buf of createReadStream(join(dir, `chunk-${n}`))) {
          const b = buf as Buffer;
          hash.update(b);
          size += b.length;
          yield b;
        }
      }
    }
    try {
      await pipeline(chunks, createWriteStream(path, { flags: 'wx' }));
      if (size !== fields.resumableTotalSize) {
        throw new UploadRefusedError(
          DataErrorCode.UploadInvalid,
          `resumableTotalSize: the chunks add up to ${size} bytes, not ${fields.resumableTotalSize}`,
        );
      }
      const problem = await checkContent(path, format, size);
      if (problem) {
        throw new UploadRefusedError(DataErrorCode.UploadFormatNotAllowed, `${fields.resumableFilename}: ${problem}`);
      }
      const record: DataFileRecord = {
        dataFileId,
        sourceId,
        filename: fields.resumableFilename,
        fileFormat: format,
        path,
        size,
        sha256: hash.digest('hex'),
        isProcessed: false,
      };
      await this.dataFiles.create(record);
      this.logger.log({ sourceId, dataFileId, fileFormat: format, size }, 'data file uploaded');
      return dataFileId;
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
  }
}
