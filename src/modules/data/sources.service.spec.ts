import { DataInvalidError } from './data.errors';
import { toSampleRow } from './data-files.service';
import { checkTypeFields, emptyRecordIndex } from './sources.service';

describe('SourcesService helpers', () => {
  it.each([
    [{ sourceType: 'internal' }, null],
    [{ sourceType: 'internal', sourceUrl: 'https://x' }, 'sourceUrl'],
    [{ sourceType: 'molgenis', sourceUrl: 'https://x', indexUrl: 'https://y' }, null],
    [{ sourceType: 'molgenis', sourceUrl: 'https://x' }, 'indexUrl'],
    [
      { sourceType: 'molgenis', sourceUrl: 'https://x', indexUrl: 'https://y', beaconAuthMethod: 'token' },
      'beaconAuthMethod',
    ],
    [{ sourceType: 'beacon', sourceUrl: 'https://x', beaconAuthMethod: 'noAuth' }, null],
    [{ sourceType: 'beacon', beaconAuthMethod: 'noAuth' }, 'sourceUrl'],
  ] as const)('should check the type fields of %j', (source, field) => {
    if (field === null) {
      expect(() => checkTypeFields(source)).not.toThrow();
    } else {
      expect(() => checkTypeFields(source)).toThrow(DataInvalidError);
      expect(() => checkTypeFields(source)).toThrow(new RegExp(`^${field}:`));
    }
  });

  it('should start a source with nothing indexed', () => {
    const index = emptyRecordIndex();
    expect(index.recordCount).toBe(0);
    expect(Object.values(index.capability).filter((v) => v === true)).toEqual([]);
    expect(index.eavIndex).toEqual({ attributes: {}, values: {}, mappings: {} });
  });

  it('should strip internal fields from sample rows', () => {
    expect(toSampleRow({ _id: 1, _row: 2, dataFileId: 'f', sourceId: 's', jobId: 'j', a: '1', b: 2 })).toEqual({
      a: '1',
      b: 2,
    });
  });
});
