import type { FilePipeline } from '../data.types';
import { applyFilePipeline, splitCell, subjectIdFromFileName, type StagedRow } from './file-pipeline';
import { IngestionInputError, type CsvRow } from './readers';

const base: FilePipeline = {
  pipelineId: 'p1',
  pipelineName: 'test',
  pipelineType: 'filePipeline',
  subjectIdLocation: 'attributeInFile',
  grouping: 'individual',
  internalDelimiter: ',',
  attribute: 'subject_id',
};

const rows = (...values: Array<Record<string, string>>): CsvRow[] => values.map((v, i) => ({ line: i + 2, values: v }));

async function run(p: Partial<FilePipeline>, input: CsvRow[], fileName = 'cohort.csv'): Promise<StagedRow[]> {
  const out: StagedRow[] = [];
  for await (const r of applyFilePipeline(input, { ...base, ...p }, { fileName })) {
    out.push(r);
  }
  return out;
}

describe('applyFilePipeline', () => {
  it('should take the subject ID from a column, drop it from the values and split cells', async () => {
    const out = await run({}, rows({ subject_id: ' P1 ', hpo: 'HP:0001250, HP:0001263', age: '4' }));
    expect(out).toEqual([{ line: 2, subjectId: 'P1', values: { hpo: ['HP:0001250', 'HP:0001263'], age: '4' } }]);
  });

  it('should name a missing subject ID column', async () => {
    await expect(run({ attribute: 'patient' }, rows({ subject_id: 'P1' }))).rejects.toThrow(
      new IngestionInputError('the subject ID column "patient" is not in the file\'s header', 1),
    );
  });

  it('should reject an empty subject ID with its line', async () => {
    const err = await run({}, rows({ subject_id: 'P1' }, { subject_id: ' ' })).catch((e: IngestionInputError) => e);
    expect(err).toBeInstanceOf(IngestionInputError);
    expect((err as IngestionInputError).line).toBe(3);
  });

  it('should let rows of a customized group inherit the ID of its first row', async () => {
    const out = await run(
      { grouping: 'customized', groupColumns: ['family'] },
      rows(
        { subject_id: 'P1', family: 'F1', hpo: 'a' },
        { subject_id: '', family: 'F1', hpo: 'b' },
        { subject_id: 'P2', family: 'F2', hpo: 'c' },
      ),
    );
    expect(out.map((r) => r.subjectId)).toEqual(['P1', 'P1', 'P2']);
  });

  it('should make the whole file one subject named after the file', async () => {
    const out = await run({ subjectIdLocation: 'attributeInName' }, rows({ hpo: 'a' }, { hpo: 'b' }), 'dir/pt_7.csv');
    expect(out.map((r) => r.subjectId)).toEqual(['pt_7', 'pt_7']);
    expect(out[0].values).toEqual({ hpo: 'a' });
  });

  it('should assign one subject per batch of rows with the prefix', async () => {
    const out = await run(
      { subjectIdLocation: 'assignPerBatch', prefix: 'B-', batchSize: 2 },
      rows({ x: '1' }, { x: '2' }, { x: '3' }),
    );
    expect(out.map((r) => r.subjectId)).toEqual(['B-1', 'B-1', 'B-2']);
  });

  it('should start a new batch at each customized group', async () => {
    const out = await run(
      { subjectIdLocation: 'assignPerBatch', prefix: 'G', grouping: 'customized', groupColumns: ['g'] },
      rows({ g: 'a' }, { g: 'a' }, { g: 'b' }, { g: 'a' }),
    );
    expect(out.map((r) => r.subjectId)).toEqual(['G1', 'G1', 'G2', 'G3']);
  });

  it('should reject assignPerBatch without a batch size', async () => {
    await expect(run({ subjectIdLocation: 'assignPerBatch' }, rows({ x: '1' }))).rejects.toThrow(/batchSize/);
  });

  it('should expand each value of the listed columns into a subject with the column name in newAttribute', async () => {
    const out = await run(
      { subjectIdLocation: 'assignByExpansion', columns: ['proband', 'sibling'], newAttribute: 'relation' },
      rows({ hpo: 'HP:0001250', proband: 'P1', sibling: 'P2,P3' }),
    );
    expect(out).toEqual([
      { line: 2, subjectId: 'P1', values: { hpo: 'HP:0001250', relation: 'proband' } },
      { line: 2, subjectId: 'P2', values: { hpo: 'HP:0001250', relation: 'sibling' } },
      { line: 2, subjectId: 'P3', values: { hpo: 'HP:0001250', relation: 'sibling' } },
    ]);
  });

  it('should name a missing expansion column', async () => {
    await expect(
      run({ subjectIdLocation: 'assignByExpansion', columns: ['nope'] }, rows({ hpo: 'x' })),
    ).rejects.toThrow(/"nope"/);
  });
});

describe('file pipeline helpers', () => {
  it('should strip the extension from file names', () => {
    expect(subjectIdFromFileName('a/b/P9.vcf.gz')).toBe('P9');
    expect(subjectIdFromFileName('P9.data.csv')).toBe('P9.data');
    expect(subjectIdFromFileName('noext')).toBe('noext');
  });

  it('should keep a single part as a string and drop empty parts', () => {
    expect(splitCell('a,,b ', ',')).toEqual(['a', 'b']);
    expect(splitCell(' a ', ',')).toBe('a');
    expect(splitCell('a,b', '')).toBe('a,b');
  });
});
