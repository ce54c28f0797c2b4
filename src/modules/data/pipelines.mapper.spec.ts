import { DataInvalidError } from './data.errors';
import type { CreatePipelineDto } from './dto/pipelines.dto';
import { toPipeline } from './pipelines.mapper';

const ID = '00000000-0000-4000-8000-000000000001';

describe('toPipeline', () => {
  it('should keep only the fields of the subject-ID variant and default the delimiter', () => {
    const dto = {
      pipelineName: 'p',
      pipelineType: 'filePipeline',
      subjectIdLocation: 'assignPerBatch',
      grouping: 'individual',
      prefix: 'S',
      batchSize: 10,
    } as CreatePipelineDto;
    expect(toPipeline(dto, ID)).toEqual({ ...dto, pipelineId: ID, internalDelimiter: ',' });
  });

  it.each([
    ['attribute', { subjectIdLocation: 'attributeInName', attribute: 'x' }],
    ['groupColumns', { subjectIdLocation: 'attributeInName', groupColumns: ['x'] }],
    ['directives', { subjectIdLocation: 'attributeInName', directives: [] }],
  ])('should refuse a file pipeline with a stray %s', (field, over) => {
    const dto = { pipelineName: 'p', pipelineType: 'filePipeline', grouping: 'individual', ...over };
    expect(() => toPipeline(dto as CreatePipelineDto, ID)).toThrow(new RegExp(`^${field}:`));
  });

  it('should map remap directives and refuse fields of the other pattern-set type', () => {
    const dto = {
      pipelineName: 'r',
      pipelineType: 'remapPipeline',
      directives: [
        {
          directiveType: 'termSet',
          origin: 'hpo',
          destination: 'hpo',
          patternSets: [{ type: 'qualifier', pattern: '(.*)', qualifierReplacement: '$1', valueReplacement: 'true' }],
        },
      ],
    } as CreatePipelineDto;
    expect(toPipeline(dto, ID)).toEqual({ ...dto, pipelineId: ID });
    const bad = structuredClone(dto);
    Object.assign(bad.directives![0].patternSets[0], { replacement: 'x' });
    expect(() => toPipeline(bad, ID)).toThrow(DataInvalidError);
    expect(() => toPipeline(bad, ID)).toThrow('directives.0.patternSets.0.replacement');
  });
});
