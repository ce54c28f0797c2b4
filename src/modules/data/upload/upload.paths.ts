import { join, resolve } from 'node:path';
import type { FileFormat } from '../data.types';

/** `Data.UploadPath/<sourceId>`: a source's assembled files, and its `.chunks/` while uploads are under way. */
export function sourceUploadDir(uploadPath: string, sourceId: string): string {
  return resolve(uploadPath, sourceId);
}

export function chunkDir(uploadPath: string, sourceId: string, identifier: string): string {
  return join(sourceUploadDir(uploadPath, sourceId), '.chunks', identifier);
}

export function dataFilePath(uploadPath: string, sourceId: string, dataFileId: string, format: FileFormat): string {
  return join(sourceUploadDir(uploadPath, sourceId), `${dataFileId}.${format}`);
}
