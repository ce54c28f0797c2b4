import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { SignJWT } from 'jose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { VaultService } from '@/modules/vault/vault.service';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { decodeJwtPayload, passwordGrant } from './setup/tokens';
import { postChunk, shuffled, splitChunks, type Chunk } from './setup/upload';

const DB = 'cv3_e2e_upload';
const FIXTURES = join(__dirname, '../fixtures/data');
const CSV = readFileSync(join(FIXTURES, 'patients.csv'));
const VCF = readFileSync(join(FIXTURES, 'small.vcf'));
const VCF_GZ = readFileSync(join(FIXTURES, 'small.vcf.gz'));
const CHUNK_UPLOADED = 'The file chunk uploaded successfully';

/** Every file (not directory) under a directory, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(dir, p)).isFile());
}

describe('Resumable upload (/sources/{id}/upload)', () => {
  let app: INestApplication;
  let connection: Connection;
  let admin: string;
  let adminId: string;
  let developer: string;
  let user: string;
  let sourceId: string;
  let otherSourceId: string;
  const uploadPath = mkdtempSync(join(tmpdir(), 'cv3-upload-'));

  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createSource(sourceName: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await http()
      .post('/api/sources')
      .set(as(admin))
      .send({
        sourceType: 'internal',
        sourceName,
        displayName: sourceName,
        sourceDescription: '',
        owner: 'e2e',
        ownerEmail: 'e2e@example.org',
        ...extra,
      })
      .expect(200);
    return res.body.sourceId as string;
  }

  async function uploadToken(id = sourceId, bearer = admin): Promise<string> {
    const res = await http().get('/api/sources/upload-token').query({ sourceId: id }).set(as(bearer)).expect(200);
    return res.body.token as string;
  }

  async function uploadAll(chunks: Chunk[], token: string, id = sourceId) {
    const responses = [];
    for (const chunk of chunks) {
      responses.push(await postChunk(app, id, chunk, { bearer: admin, uploadToken: token }));
    }
    return responses;
  }

  /** Asserts a refused upload left nothing: no data file record, no file under the source's upload directory. */
  async function expectNothingLeft(id = sourceId): Promise<void> {
    expect(await connection.collection('datafiles').countDocuments({ sourceId: id })).toBe(0);
    expect(filesUnder(join(uploadPath, id))).toEqual([]);
  }

  beforeAll(async () => {
    app = await createTestApp({ database: DB, patch: (cfg) => (cfg.Data.UploadPath = uploadPath) });
    connection = app.get<Connection>(getConnectionToken());
    for (const name of ['sources', 'datafiles', 'user.info']) {
      await connection.collection(name).deleteMany({});
    }
    adminId = await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    await insertLocalUser(app, 'developer', { role: 'developer' });
    await insertLocalUser(app, 'user', { role: 'user' });
    admin = (await passwordGrant('dataadmin')).access_token;
    developer = (await passwordGrant('developer')).access_token;
    user = (await passwordGrant('user')).access_token;
    sourceId = await createSource('uploads');
    otherSourceId = await createSource('other');
  });

  afterEach(async () => {
    await connection.collection('datafiles').deleteMany({});
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  describe('GET /sources/upload-token', () => {
    it('should issue a 1-hour HS256 token for the source and caller, keyed in Vault KV', async () => {
      const token = await uploadToken();
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
      const claims = decodeJwtPayload(token);
      expect(header.alg).toBe('HS256');
      expect(claims).toMatchObject({ sourceId, userId: adminId });
      expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
      expect((claims.exp as number) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
      const stored = await app.get(VaultService).kvRead<{ key: string }>('upload-token-key');
      expect(Buffer.from(stored.key, 'base64')).toHaveLength(32);
    });

    it('should refuse unknown sources, non-internal sources and plain users', async () => {
      await http()
        .get('/api/sources/upload-token')
        .query({ sourceId: '00000000-0000-4000-8000-000000000000' })
        .set(as(admin))
        .expect(404);
      const beacon = await createSource('beacon', {
        sourceType: 'beacon',
        sourceUrl: 'https://beacon.example.org',
        beaconAuthMethod: 'noAuth',
      });
      const res = await http().get('/api/sources/upload-token').query({ sourceId: beacon }).set(as(admin)).expect(400);
      expect(res.body.code).toBe('UPLOAD_SOURCE_NOT_INTERNAL');
      await http().get('/api/sources/upload-token').query({ sourceId }).set(as(user)).expect(403);
      await http().get('/api/sources/upload-token').set(as(admin)).expect(400);
    });
  });

  describe('POST /sources/{id}/upload', () => {
    it.each([
      ['patients.csv', CSV, 64, 'csv'],
      ['small.vcf', VCF, 500, 'vcf'],
      ['small.vcf.gz', VCF_GZ, 200, 'vcf.gz'],
    ])('should assemble %s sent in shuffled chunks with one retried', async (filename, content, chunkSize, format) => {
      const token = await uploadToken();
      const chunks = splitChunks(content, { filename, chunkSize });
      expect(chunks.length).toBeGreaterThanOrEqual(4);
      const order = shuffled(chunks);
      // The second chunk sent is sent again (a client retry): accepted, nothing doubles.
      const responses = await uploadAll([order[0], order[1], order[1], ...order.slice(2)], token);
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.body.status).toBe(CHUNK_UPLOADED);
      }
      const done = responses.filter((r) => r.body.dataFileId);
      expect(done).toHaveLength(1);
      expect(done[0]).toBe(responses[responses.length - 1]);
      const { dataFileId } = done[0].body;

      const record = await connection.collection('datafiles').findOne({ dataFileId }, { projection: { _id: 0 } });
      const path = join(uploadPath, sourceId, `${dataFileId}.${format}`);
      expect(record).toMatchObject({
        dataFileId,
        sourceId,
        filename,
        fileFormat: format,
        path,
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        isProcessed: false,
      });
      expect(readFileSync(path).equals(content)).toBe(true);
      expect(filesUnder(join(uploadPath, sourceId))).toEqual([`${dataFileId}.${format}`]);

      const listed = await http().get(`/api/sources/${sourceId}/datafiles`).set(as(admin)).expect(200);
      expect(listed.body).toEqual([expect.objectContaining({ dataFileId, filename, fileFormat: format })]);
      await http().delete(`/api/datafiles/${dataFileId}`).set(as(admin)).expect(200);
      expect(existsSync(path)).toBe(false);
    });

    it('should accept a one-chunk upload under /source as well', async () => {
      const token = await uploadToken();
      const [chunk] = splitChunks(CSV, { filename: 'one.csv', chunkSize: 1024 * 1024 });
      const res = await postChunk(app, sourceId, chunk, { bearer: developer, uploadToken: token }, '/api/source');
      // The token was issued to the data admin: the developer may not use it.
      expect(res.status).toBe(403);
      const own = await uploadToken(sourceId, developer);
      const ok = await postChunk(app, sourceId, chunk, { bearer: developer, uploadToken: own }, '/api/source');
      expect(ok.status).toBe(200);
      expect(ok.body.dataFileId).toEqual(expect.any(String));
      expect(await connection.collection('datafiles').countDocuments({ sourceId })).toBe(1);
      await http().delete(`/api/datafiles/${ok.body.dataFileId}`).set(as(admin)).expect(200);
    });

    it('should assemble once when the last two chunks arrive together', async () => {
      const token = await uploadToken();
      const chunks = splitChunks(VCF, { filename: 'race.vcf', chunkSize: 100 });
      await uploadAll(chunks.slice(0, -2), token);
      const last = await Promise.all(
        chunks.slice(-2).map((c) => postChunk(app, sourceId, c, { bearer: admin, uploadToken: token })),
      );
      expect(last.map((r) => r.status)).toEqual([200, 200]);
      expect(last.filter((r) => r.body.dataFileId)).toHaveLength(1);
      expect(await connection.collection('datafiles').countDocuments({ sourceId })).toBe(1);
      expect(filesUnder(join(uploadPath, sourceId))).toHaveLength(1);
      const { dataFileId } = last.find((r) => r.body.dataFileId)!.body;
      await http().delete(`/api/datafiles/${dataFileId}`).set(as(admin)).expect(200);
    });

    it('should answer resumable.js testChunks: 200 when a chunk is there, 204 when not', async () => {
      const token = await uploadToken();
      const chunks = splitChunks(CSV, { filename: 'test-chunks.csv', chunkSize: 100 });
      const test = (n: number) =>
        http()
          .get(`/api/sources/${sourceId}/upload`)
          .query({ ...chunks[n - 1].fields })
          .set(as(admin))
          .set('X-Upload-Token', token);
      await test(2).expect(204);
      await postChunk(app, sourceId, chunks[1], { bearer: admin, uploadToken: token }).expect(200);
      await test(2).expect(200);
      await test(1).expect(204);
      await http()
        .get(`/api/sources/${sourceId}/upload`)
        .query({ resumableIdentifier: chunks[0].fields.resumableIdentifier, resumableChunkNumber: 2 })
        .set(as(admin))
        .expect(403);
      // Finish it, so the test leaves nothing behind.
      const responses = await uploadAll([chunks[0], ...chunks.slice(2)], token);
      const { dataFileId } = responses[responses.length - 1].body;
      await http().delete(`/api/datafiles/${dataFileId}`).set(as(admin)).expect(200);
      await expectNothingLeft();
    });
  });

  describe('refusals leave nothing behind', () => {
    let token: string;

    beforeAll(async () => {
      token = await uploadToken();
    });

    /** Sends the first chunk (accepted), then `bad`; expects `status` for it and nothing left afterwards. */
    async function refuseAfterFirst(bad: Chunk, status: number, code?: string) {
      const res = await postChunk(app, sourceId, bad, { bearer: admin, uploadToken: token });
      expect(res.status).toBe(status);
      if (code) {
        expect(res.body.code).toBe(code);
      }
      await expectNothingLeft();
      return res;
    }

    it.each([
      ['a format outside Data.ValidFileFormats', 'patients.xlsx', 'UPLOAD_FORMAT_NOT_ALLOWED'],
      ['a file name with path parts', '../patients.csv', 'UPLOAD_INVALID'],
      ['a file name with directory parts', 'dir/patients.csv', 'UPLOAD_INVALID'],
      ['a Windows path', 'C:\\data\\patients.csv', 'UPLOAD_INVALID'],
    ])('should refuse %s (400)', async (_name, filename, code) => {
      const chunks = splitChunks(CSV, { filename, chunkSize: 100, identifier: 'refused-name' });
      await refuseAfterFirst(chunks[0], 400, code);
    });

    it('should refuse a chunk number out of range and drop the chunks already sent', async () => {
      const chunks = splitChunks(CSV, { filename: 'range.csv', chunkSize: 100 });
      await postChunk(app, sourceId, chunks[0], { bearer: admin, uploadToken: token }).expect(200);
      expect(filesUnder(join(uploadPath, sourceId)).length).toBeGreaterThan(0);
      const bad = { ...chunks[1], fields: { ...chunks[1].fields, resumableChunkNumber: chunks.length + 1 } };
      const res = await refuseAfterFirst(bad, 400, 'UPLOAD_INVALID');
      expect(res.body.message).toContain('resumableChunkNumber');
      const zero = { ...chunks[1], fields: { ...chunks[1].fields, resumableChunkNumber: 0 } };
      await refuseAfterFirst(zero, 400);
    });

    it('should refuse a total above the 5 GiB limit (413)', async () => {
      const [chunk] = splitChunks(CSV, {
        filename: 'huge.csv',
        chunkSize: 1024 * 1024,
        fields: { resumableTotalSize: 6 * 1024 ** 3, resumableTotalChunks: 6 * 1024 },
      });
      await refuseAfterFirst(chunk, 413, 'UPLOAD_TOO_LARGE');
    });

    it('should refuse sizes that do not add up', async () => {
      const chunks = splitChunks(CSV, { filename: 'sizes.csv', chunkSize: 100 });
      await postChunk(app, sourceId, chunks[0], { bearer: admin, uploadToken: token }).expect(200);
      // A chunk with fewer bytes than its place in the file needs.
      const short = { ...chunks[1], bytes: chunks[1].bytes.subarray(1) };
      await refuseAfterFirst(short, 400, 'UPLOAD_INVALID');
      // A chunk count that does not fit the total and chunk sizes.
      const count = { ...chunks[0], fields: { ...chunks[0].fields, resumableTotalChunks: chunks.length + 3 } };
      await refuseAfterFirst(count, 400, 'UPLOAD_INVALID');
      // A chunk describing another file than the chunks before it.
      await postChunk(app, sourceId, chunks[0], { bearer: admin, uploadToken: token }).expect(200);
      const other = splitChunks(CSV.subarray(0, 400), { filename: 'sizes.csv', chunkSize: 100, identifier: 'x' });
      const mixed = {
        ...other[1],
        fields: { ...other[1].fields, resumableIdentifier: chunks[0].fields.resumableIdentifier },
      };
      await refuseAfterFirst(mixed, 400, 'UPLOAD_INVALID');
      // No file part at all.
      const res = await http()
        .post(`/api/sources/${sourceId}/upload`)
        .set(as(admin))
        .set('X-Upload-Token', token)
        .field(Object.fromEntries(Object.entries(chunks[0].fields).map(([k, v]) => [k, String(v)])));
      expect(res.status).toBe(400);
      await expectNothingLeft();
    });

    it.each([
      ['binary content named .csv', 'bin.csv', gzipSync(CSV)],
      ['Latin-1 text named .csv', 'latin1.csv', Buffer.from('name,city\nJos\xe9,M\xe1laga\n', 'latin1')],
      ['a CSV without delimiters', 'single.csv', Buffer.from('justonecolumn\nvalue\nvalue\n')],
      ['CSV content named .vcf', 'fake.vcf', CSV],
      ['a plain VCF named .vcf.gz', 'plain.vcf.gz', VCF],
      ['gzip of a CSV named .vcf.gz', 'csv.vcf.gz', gzipSync(CSV)],
      ['truncated gzip named .vcf.gz', 'cut.vcf.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00])],
    ])('should refuse %s after assembly (400)', async (_name, filename, content) => {
      const chunkSize = Math.max(1, Math.floor(content.length / 3));
      const responses = await uploadAll(shuffled(splitChunks(content, { filename, chunkSize })), token);
      const last = responses[responses.length - 1];
      expect(responses.slice(0, -1).map((r) => r.status)).toEqual(responses.slice(0, -1).map(() => 200));
      expect(last.status).toBe(400);
      expect(last.body.code).toBe('UPLOAD_FORMAT_NOT_ALLOWED');
      await expectNothingLeft();
    });

    it('should refuse a missing, forged, expired or other-source upload token (403)', async () => {
      const [chunk] = splitChunks(CSV, { filename: 'token.csv', chunkSize: 1024 });
      const key = Buffer.from((await app.get(VaultService).kvRead<{ key: string }>('upload-token-key')).key, 'base64');
      const sign = (claims: Record<string, unknown>, exp: number, k: Uint8Array = key) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .setAudience('cv3-upload')
          .setExpirationTime(exp)
          .sign(k);
      const now = Math.floor(Date.now() / 1000);
      const cases: Array<string | undefined> = [
        undefined,
        'not-a-jwt',
        await sign({ sourceId, userId: adminId }, now - 10),
        await sign({ sourceId, userId: adminId }, now + 600, new Uint8Array(32)),
        await uploadToken(otherSourceId),
      ];
      for (const uploadToken of cases) {
        const res = await postChunk(app, sourceId, chunk, { bearer: admin, uploadToken });
        expect({ token: uploadToken, status: res.status }).toEqual({ token: uploadToken, status: 403 });
        expect(res.body.code).toMatch(/^UPLOAD_TOKEN_(MISSING|INVALID)$/);
      }
      const valid = await sign({ sourceId, userId: adminId }, now + 600);
      const ok = await postChunk(app, sourceId, chunk, { bearer: admin, uploadToken: valid });
      expect(ok.status).toBe(200);
      await http().delete(`/api/datafiles/${ok.body.dataFileId}`).set(as(admin)).expect(200);
      await expectNothingLeft();
    });

    it('should refuse uploads to a non-internal source, a missing source and from a plain user', async () => {
      const molgenis = await createSource('molgenis', {
        sourceType: 'molgenis',
        sourceUrl: 'https://m.example.org/q',
        indexUrl: 'https://m.example.org/i',
      });
      const [chunk] = splitChunks(CSV, { filename: 'x.csv', chunkSize: 1024 });
      const res = await postChunk(app, molgenis, chunk, { bearer: admin, uploadToken: token });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('UPLOAD_SOURCE_NOT_INTERNAL');
      await expectNothingLeft(molgenis);
      await postChunk(app, '00000000-0000-4000-8000-000000000000', chunk, { bearer: admin, uploadToken: token }).expect(
        404,
      );
      await postChunk(app, sourceId, chunk, { bearer: user, uploadToken: token }).expect(403);
      await expectNothingLeft();
    });
  });
});
