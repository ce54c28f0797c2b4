import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, readVcf } from './readers';
import { vcfSubjects } from './remap';
import { seededRandom, writeSyntheticCsv, writeSyntheticVcf } from './synthetic';

describe('synthetic data', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cv3-synth-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should repeat the same random sequence for a seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('should write a VCF the reader accepts, identical for the same seed', async () => {
    const p1 = join(dir, 'a.vcf');
    const p2 = join(dir, 'b.vcf.gz');
    await writeSyntheticVcf(p1, { records: 300, samples: 12, seed: 3 });
    await writeSyntheticVcf(p2, { records: 300, samples: 12, seed: 3, gzip: true });
    const plain = [];
    for await (const r of readVcf(p1)) {
      plain.push(r);
    }
    expect(plain).toHaveLength(300);
    expect(plain.every((r) => r.annotations.length === 1 && Object.keys(r.genotypes).length === 12)).toBe(true);
    const subjects = await vcfSubjects(readVcf(p2));
    expect(subjects.size).toBe(12);
    await writeSyntheticVcf(join(dir, 'c.vcf'), { records: 300, samples: 12, seed: 3 });
    expect(readFileSync(join(dir, 'c.vcf')).equals(readFileSync(p1))).toBe(true);
  });

  it('should write a CSV with the requested rows and columns', async () => {
    const p = join(dir, 'a.csv');
    await writeSyntheticCsv(p, { rows: 250, columns: 20, seed: 4, rowsPerSubject: 2 });
    let count = 0;
    let columns: string[] = [];
    for await (const r of readCsv(p, { onHeader: (h) => (columns = h.columns) })) {
      count++;
      expect(r.values.subject_id).toMatch(/^P\d{7}$/);
    }
    expect(count).toBe(250);
    expect(columns).toHaveLength(20);
    expect(columns.slice(0, 6)).toEqual(['subject_id', 'hpo', 'ordo', 'age', 'sex', 'affected']);
  });
});
