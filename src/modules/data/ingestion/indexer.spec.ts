import type { SubjectDocument } from '../data.types';
import { buildIndex, MAX_CATEGORIES, RecordIndexBuilder, type RecordIndexState } from './indexer';

async function* stream(docs: Array<Partial<SubjectDocument>>): AsyncGenerator<Partial<SubjectDocument>> {
  for (const d of docs) {
    yield await Promise.resolve(d);
  }
}

describe('buildIndex', () => {
  it('should set capabilities from non-empty fields and count records', async () => {
    const index = (
      await buildIndex(
        stream([
          { subjectId: 'a', HPO: ['0001250'], VARIANT: [], EAV: { Sex: 'female' } },
          { subjectId: 'b', ORDO: ['558'], ALLELES: [{ gene: 'APOE', alleles: ['e3', 'e4'] }] },
        ]),
      )
    ).result();
    expect(index.recordCount).toBe(2);
    expect(index.capability).toEqual({
      subject: true,
      genes: true,
      hpo: true,
      ordo: true,
      snomed: false,
      variant: false,
      source: true,
      eav: true,
      subjectCapability: { age: false, gender: true, familyType: false, affected: false },
    });
  });

  it('should list categorical attributes in mappings and leave numeric and free-text ones out', async () => {
    const docs: Array<Partial<SubjectDocument>> = Array.from({ length: MAX_CATEGORIES + 5 }, (_, i) => ({
      EAV: { sex: i % 2 ? 'male' : 'female', age: i, note: `free text ${i}`, affected: i % 3 === 0 },
    }));
    const index = (await buildIndex(docs)).result();
    expect(index.eavIndex.attributes).toEqual({ sex: 'sex', age: 'age', note: 'note', affected: 'affected' });
    expect(index.eavIndex.mappings).toEqual({ sex: ['female', 'male'], affected: ['true', 'false'] });
    expect(index.eavIndex.values).toEqual({ female: 'female', male: 'male', true: 'true', false: 'false' });
    expect(index.capability.subjectCapability).toEqual({ age: true, gender: true, familyType: false, affected: true });
  });

  it('should treat an attribute mixing numbers and words as categorical', async () => {
    const index = (await buildIndex([{ EAV: { stage: [1, 'II'] } }, { EAV: { stage: 'III' } }])).result();
    expect(index.eavIndex.mappings).toEqual({ stage: ['1', 'II', 'III'] });
  });

  it('should return an empty index for no subjects', async () => {
    const index = (await buildIndex([])).result();
    expect(index.recordCount).toBe(0);
    expect(index.capability.subject).toBe(false);
    expect(index.eavIndex).toEqual({ attributes: {}, values: {}, mappings: {} });
  });
});

describe('RecordIndexBuilder state', () => {
  it('should continue from a stored state exactly as one pass over all subjects', async () => {
    const docs = Array.from({ length: 300 }, (_, i) => ({
      HPO: i % 3 ? ['0000001'] : [],
      EAV: { age: i % 90, sex: i % 2 ? 'F' : 'M', note: `free text ${i}`, mixed: i === 250 ? 'x' : i },
    }));
    const first = new RecordIndexBuilder();
    docs.slice(0, 200).forEach((d) => first.add(d));
    // Through a JSON round trip, as stored in the database.
    const resumed = RecordIndexBuilder.fromState(JSON.parse(JSON.stringify(first.toState())) as RecordIndexState);
    docs.slice(200).forEach((d) => resumed.add(d));
    expect(resumed.result()).toEqual((await buildIndex(docs)).result());
  });
});
