import { type Job, UnrecoverableError } from 'bullmq';
import type { RecordQueryService } from './record-query.service';
import { RecordQueryProcessor } from './record.processor';
import { RecordJob, type RecordJobData } from './record.queue';

const ID = '6f1c2d3e-4a5b-4c6d-8e7f-8a9b0c1d2e3f';

function job(data: RecordJobData, name = RecordJob.Run) {
  return {
    name,
    data,
    attemptsMade: 1,
    opts: { attempts: 3 },
  } as unknown as Job<RecordJobData>;
}

describe(RecordQueryProcessor.name, () => {
  let records: { run: jest.Mock; cleanup: jest.Mock };
  let processor: RecordQueryProcessor;

  beforeEach(() => {
    records = { run: jest.fn().mockResolvedValue(undefined), cleanup: jest.fn().mockResolvedValue({}) };
    processor = new RecordQueryProcessor(records as unknown as RecordQueryService);
  });

  it('should run a query with the attempt number', async () => {
    await processor.process(job({ queryId: ID }));
    expect(records.run).toHaveBeenCalledWith(ID, 2, 3);
  });

  it('should refuse a malformed payload for good', async () => {
    await expect(processor.process(job({ queryId: 'x' }))).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('should run the cleanup', async () => {
    await processor.process(job({}, RecordJob.Cleanup));
    expect(records.cleanup).toHaveBeenCalled();
  });
});
