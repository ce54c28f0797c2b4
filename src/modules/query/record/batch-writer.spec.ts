import { BatchWriter } from './batch-writer';

describe(BatchWriter.name, () => {
  it('should write the first item at once and group the ones added meanwhile', async () => {
    const batches: number[][] = [];
    const writer = new BatchWriter<number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 10));
    });
    for (let i = 1; i <= 5; i++) {
      await writer.add(i);
    }
    await writer.flush();
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('should cap a batch at its maximum size', async () => {
    const batches: number[][] = [];
    const writer = new BatchWriter<number>((items) => {
      batches.push(items);
      return Promise.resolve();
    }, 2);
    [1, 2, 3, 4, 5].forEach((i) => void writer.add(i));
    await writer.flush();
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('should start again after going idle', async () => {
    const written: number[] = [];
    const writer = new BatchWriter<number>((items) => {
      written.push(...items);
      return Promise.resolve();
    });
    await writer.add(1);
    await writer.flush();
    await writer.add(2);
    await writer.flush();
    expect(written).toEqual([1, 2]);
  });

  it('should stop writing and reject after a failed write', async () => {
    const write = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(undefined);
    const writer = new BatchWriter<number>(write);
    await writer.add(1);
    await expect(writer.flush()).rejects.toThrow('down');
    await expect(writer.add(2)).rejects.toThrow('down');
    expect(write).toHaveBeenCalledTimes(1);
  });
});
