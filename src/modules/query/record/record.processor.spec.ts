import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { RecordQueryService } from './record-query.service';
import { RecordQueryProcessor } from './record.processor';
import { RecordJob, type RecordJobData } from './record.queue';

const ID = '6f1c2d3e-4a5b-4c6d-8e7f-8a9b0c1d2e3f';

function job(data: RecordJobData, name = RecordJob.Run, timestamp = Date.now()) {
  return {
    name,
    data,
    timestamp,
    attemptsMade: 1,
    opts: { attempts: 3 },
    moveToDelayed: jest.fn().mockResolvedValue(undefined),
  } as unknown as Job<RecordJobData> & { moveToDelayed: jest.Mock };
}

describe(RecordQueryProcessor.name, () => {
  let records: { run: jest.Mock; cleanup: jest.Mock };
  let processor: RecordQueryProcessor;

  beforeEach(() => {
    records = { run: jest.fn().mockResolvedValue(undefined), cleanup: jest.fn().mockResolvedValue({}) };
    processor = new RecordQueryProcessor(
      records as unknown as RecordQueryService,
      { database: 'cv3', uri: '', maxJobs: 1 },
      { retentionDays: 30, timeoutSeconds: 120 },
    );
  });

  it('should run a query of its own database with the attempt number', async () => {
    await processor.process(job({ queryId: ID, db: 'cv3' }));
    expect(records.run).toHaveBeenCalledWith(ID, 2, 3);
  });

  it("should put another database's query back without running it", async () => {
    const j = job({ queryId: ID, db: 'other' });
    await expect(processor.process(j, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(j.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'token');
    expect(records.run).not.toHaveBeenCalled();
  });

  it("should drop another database's query once its timeout has passed", async () => {
    const j = job({ queryId: ID, db: 'other' }, RecordJob.Run, Date.now() - 121_000);
    await processor.process(j);
    expect(j.moveToDelayed).not.toHaveBeenCalled();
    expect(records.run).not.toHaveBeenCalled();
  });

  it('should refuse a malformed payload for good', async () => {
    await expect(processor.process(job({ queryId: 'x' }))).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('should run the cleanup', async () => {
    await processor.process(job({}, RecordJob.Cleanup));
    expect(records.cleanup).toHaveBeenCalled();
  });
});
