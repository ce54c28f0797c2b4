import { Logger } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import { SimilarityErrorCode } from './similarity.errors';
import {
  type BackendLoader,
  MAX_AUTOCOMPLETE_HITS,
  MAX_INPUT_TERMS,
  RELOAD_AFTER_MS,
  SimilarityService,
} from './similarity.service';
import type { SimilarityBackend, TermDetails } from './similarity.types';

const SEIZURE: TermDetails = {
  termId: '0001250',
  label: 'Seizure',
  definition: '',
  synonyms: [],
  comment: '',
  parents: ['0000707'],
  children: [],
  obsolete: false,
  replacedBy: [],
  consider: [],
};

function fakeBackend(): jest.Mocked<SimilarityBackend> {
  return {
    mode: 'builtin',
    ready: jest.fn().mockResolvedValue(undefined),
    term: jest.fn((id: string) => Promise.resolve(id === SEIZURE.termId ? SEIZURE : undefined)),
    autocomplete: jest.fn().mockResolvedValue([]),
    expand: jest.fn((ids: string[], depth: number) =>
      Promise.resolve(ids.map((termId) => ({ termId, children: [], depth }))),
    ),
    similar: jest.fn((ids: string[], threshold: number) =>
      Promise.resolve(ids.map((termId) => ({ termId, similar: [], threshold }))),
    ),
    replace: jest.fn((ids: string[]) =>
      Promise.resolve(ids.map((termId) => ({ termId, replacedBy: [], consider: [] }))),
    ),
    diseasesOfTerms: jest.fn((ids: string[]) => Promise.resolve(new Map(ids.map((id) => [id, ['558']])))),
    termsOfDiseases: jest.fn((ids: string[]) => Promise.resolve(new Map(ids.map((id) => [id, ['0001250']])))),
    hasDiseaseLinks: jest.fn().mockResolvedValue(true),
  };
}

function loaderOf(load: () => Promise<SimilarityBackend>): BackendLoader {
  return { mode: 'builtin', measure: 'relevance', source: 'hp.obo', load: jest.fn(load) };
}

/** A service whose backend has loaded. */
async function loaded(backend = fakeBackend()) {
  const service = new SimilarityService(loaderOf(() => Promise.resolve(backend)));
  await service.replace(['0001250']);
  backend.replace.mockClear();
  return { service, backend };
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

describe(SimilarityService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('availability', () => {
    it('should answer 503 SIMILARITY_NOT_CONFIGURED when no ontology is configured', async () => {
      const service = new SimilarityService(undefined);
      service.onApplicationBootstrap();
      expect(service.status).toBe('not-configured');
      const err = await errorOf(service.expand(['HP:0001250']));
      expect({ status: err.httpStatus, code: err.code }).toEqual({
        status: 503,
        code: SimilarityErrorCode.NotConfigured,
      });
    });

    it('should load on the first request when the background load has not run yet', async () => {
      const { service, backend } = await loaded();
      expect(service.status).toBe('ready');
      expect(backend.ready).toHaveBeenCalledTimes(1);
    });

    it('should load only once for concurrent requests', async () => {
      const backend = fakeBackend();
      const loader = loaderOf(() => Promise.resolve(backend));
      const service = new SimilarityService(loader);
      await Promise.all([service.term('0001250'), service.expand(['0001250']), service.replace(['0001250'])]);
      expect(loader.load).toHaveBeenCalledTimes(1);
    });

    it('should answer 503 SIMILARITY_LOAD_FAILED after a failed load and retry only after a while', async () => {
      const backend = fakeBackend();
      let fail = true;
      const loader = loaderOf(() => (fail ? Promise.reject(new Error('ENOENT hp.obo')) : Promise.resolve(backend)));
      const service = new SimilarityService(loader);
      const first = await errorOf(service.term('0001250'));
      expect({ status: first.httpStatus, code: first.code }).toEqual({
        status: 503,
        code: SimilarityErrorCode.LoadFailed,
      });
      expect(first.message).not.toContain('ENOENT');
      expect(service.status).toBe('failed');

      fail = false;
      await errorOf(service.term('0001250'));
      expect(loader.load).toHaveBeenCalledTimes(1);

      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + RELOAD_AFTER_MS);
      try {
        await expect(service.term('0001250')).resolves.toEqual(SEIZURE);
      } finally {
        jest.restoreAllMocks();
      }
      expect(loader.load).toHaveBeenCalledTimes(2);
    });

    it('should answer 503 SIMILARITY_LOADING while a load takes longer than the wait', async () => {
      jest.useFakeTimers();
      try {
        const service = new SimilarityService(loaderOf(() => new Promise<SimilarityBackend>(() => undefined)));
        const pending = errorOf(service.term('0001250'));
        await jest.advanceTimersByTimeAsync(6000);
        const err = await pending;
        expect({ status: err.httpStatus, code: err.code }).toEqual({
          status: 503,
          code: SimilarityErrorCode.Loading,
        });
        expect(service.status).toBe('loading');
      } finally {
        jest.useRealTimers();
      }
    });

    it('should close a backend that is not ready (a Neo4j driver without its graph) before retrying', async () => {
      const backend = Object.assign(fakeBackend(), { close: jest.fn().mockResolvedValue(undefined) });
      backend.ready.mockRejectedValue(new Error('graph empty'));
      const service = new SimilarityService(loaderOf(() => Promise.resolve(backend)));
      expect((await errorOf(service.term('0001250'))).code).toBe(SimilarityErrorCode.LoadFailed);
      expect(backend.close).toHaveBeenCalledTimes(1);
    });

    it('should close a backend that finishes loading after shutdown', async () => {
      const backend = Object.assign(fakeBackend(), { close: jest.fn().mockResolvedValue(undefined) });
      let finish: (b: SimilarityBackend) => void = () => undefined;
      const service = new SimilarityService(loaderOf(() => new Promise((r) => (finish = r))));
      const pending = service.term('0001250').catch(() => undefined);
      const destroyed = service.onModuleDestroy();
      finish(backend);
      await Promise.all([pending, destroyed]);
      expect(backend.close).toHaveBeenCalledTimes(1);
      expect(service.status).not.toBe('ready');
    });

    it('should close the backend on shutdown', async () => {
      const backend = Object.assign(fakeBackend(), { close: jest.fn().mockResolvedValue(undefined) });
      const { service } = await loaded(backend);
      await service.onModuleDestroy();
      expect(backend.close).toHaveBeenCalledTimes(1);
    });
  });

  describe('input', () => {
    it('should normalise prefixed and bare IDs and answer each distinct term once', async () => {
      const { service, backend } = await loaded();
      await service.expand(['HP:0001250', '0001250', 'hp_0000707'], 2);
      expect(backend.expand).toHaveBeenCalledWith(['0001250', '0000707'], 2);
    });

    it('should refuse malformed IDs with a 400 naming them', async () => {
      const { service, backend } = await loaded();
      const err = await errorOf(service.similar(['HP:0001250', 'HP:12', 'seizure'], 0.5));
      expect({ status: err.httpStatus, code: err.code, details: err.details }).toEqual({
        status: 400,
        code: SimilarityErrorCode.TermIdInvalid,
        details: { field: 'termIds', invalid: ['HP:12', 'seizure'] },
      });
      expect(err.message).toMatch(/^termIds: .*HP:12, seizure/);
      expect(backend.similar).not.toHaveBeenCalled();
    });

    it(`should refuse more than ${MAX_INPUT_TERMS} term IDs`, async () => {
      const { service } = await loaded();
      const ids = Array.from({ length: MAX_INPUT_TERMS + 1 }, (_, i) => String(i).padStart(7, '0'));
      const err = await errorOf(service.replace(ids));
      expect({ status: err.httpStatus, code: err.code }).toEqual({
        status: 400,
        code: SimilarityErrorCode.TooManyTerms,
      });
    });

    it('should answer an empty list for no terms without asking the backend', async () => {
      const { service, backend } = await loaded();
      await expect(service.expand([])).resolves.toEqual([]);
      expect(backend.expand).not.toHaveBeenCalled();
    });

    it.each([-1, 1.5, 51, Number.NaN])('should refuse expansion depth %p', async (depth) => {
      const { service } = await loaded();
      const err = await errorOf(service.expand(['0001250'], depth));
      expect({ status: err.httpStatus, field: err.details?.field }).toEqual({ status: 400, field: 'depth' });
    });

    it('should refuse a term lookup of a malformed ID and 404 an unknown one', async () => {
      const { service } = await loaded();
      expect((await errorOf(service.term('HP:1'))).httpStatus).toBe(400);
      const missing = await errorOf(service.term('HP:0999999'));
      expect({ status: missing.httpStatus, code: missing.code }).toEqual({
        status: 404,
        code: SimilarityErrorCode.TermNotFound,
      });
    });
  });

  describe('similar', () => {
    it.each([
      [0, 0.2],
      [0.1, 0.2],
      [0.2, 0.2],
      [0.6, 0.6],
      [1, 1],
      [3, 1],
    ])('should search threshold %p at %p', async (asked, applied) => {
      const { service, backend } = await loaded();
      await service.similar(['0001250'], asked);
      expect(backend.similar).toHaveBeenCalledWith(['0001250'], applied, undefined);
    });

    it('should pass a positive result cap and treat 0 as no cap', async () => {
      const { service, backend } = await loaded();
      await service.similar(['0001250'], 0.5, 10);
      await service.similar(['0001250'], 0.5, 0);
      expect(backend.similar.mock.calls.map((c) => c[2])).toEqual([10, undefined]);
    });

    it('should refuse a threshold that is not a number', async () => {
      const { service } = await loaded();
      const err = await errorOf(service.similar(['0001250'], Number.NaN));
      expect({ status: err.httpStatus, field: err.details?.field }).toEqual({ status: 400, field: 'threshold' });
    });
  });

  describe('disease links', () => {
    it('should normalise HPO IDs and ask for each distinct term once', async () => {
      const { service, backend } = await loaded();
      const res = await service.diseasesOfTerms(['HP:0001250', '0001250', 'hp_0000707']);
      expect(backend.diseasesOfTerms).toHaveBeenCalledWith(['0001250', '0000707']);
      expect(res).toEqual(
        new Map([
          ['0001250', ['558']],
          ['0000707', ['558']],
        ]),
      );
    });

    it('should accept ORPHA IDs with the ORPHA and Orphanet prefixes or bare, and ask for each once', async () => {
      const { service, backend } = await loaded();
      await service.termsOfDiseases(['ORPHA:558', 'Orphanet:558', 'Orphanet_558', '558', 'orpha:79', ' 0098 ']);
      expect(backend.termsOfDiseases).toHaveBeenCalledWith(['558', '79', '98']);
    });

    it('should refuse malformed ORPHA IDs with a 400 naming them', async () => {
      const { service, backend } = await loaded();
      const err = await errorOf(service.termsOfDiseases(['ORPHA:558', 'OMIM:1', 'HP:0001250', 'ORPHA:', '0', 'x']));
      expect({ status: err.httpStatus, code: err.code, details: err.details }).toEqual({
        status: 400,
        code: SimilarityErrorCode.TermIdInvalid,
        details: { field: 'orphaIds', invalid: ['OMIM:1', 'HP:0001250', 'ORPHA:', '0', 'x'] },
      });
      expect(err.message).toMatch(/^orphaIds: malformed ORPHA disease IDs OMIM:1, .*\(expected ORPHA:558/);
      expect(backend.termsOfDiseases).not.toHaveBeenCalled();
    });

    it('should refuse malformed HPO IDs with a 400 naming them', async () => {
      const { service, backend } = await loaded();
      const err = await errorOf(service.diseasesOfTerms(['0001250', 'ORPHA:558']));
      expect({ status: err.httpStatus, code: err.code, details: err.details }).toEqual({
        status: 400,
        code: SimilarityErrorCode.TermIdInvalid,
        details: { field: 'termIds', invalid: ['ORPHA:558'] },
      });
      expect(backend.diseasesOfTerms).not.toHaveBeenCalled();
    });

    it(`should refuse more than ${MAX_INPUT_TERMS} IDs either way`, async () => {
      const { service } = await loaded();
      const hpo = Array.from({ length: MAX_INPUT_TERMS + 1 }, (_, i) => String(i).padStart(7, '0'));
      const orpha = Array.from({ length: MAX_INPUT_TERMS + 1 }, (_, i) => String(i + 1));
      for (const err of [await errorOf(service.diseasesOfTerms(hpo)), await errorOf(service.termsOfDiseases(orpha))]) {
        expect({ status: err.httpStatus, code: err.code }).toEqual({
          status: 400,
          code: SimilarityErrorCode.TooManyTerms,
        });
      }
      await expect(service.termsOfDiseases(orpha.slice(0, MAX_INPUT_TERMS))).resolves.toHaveProperty(
        'size',
        MAX_INPUT_TERMS,
      );
    });

    it('should answer an empty map for no IDs without asking the backend', async () => {
      const { service, backend } = await loaded();
      await expect(service.diseasesOfTerms([])).resolves.toEqual(new Map());
      await expect(service.termsOfDiseases([])).resolves.toEqual(new Map());
      expect(backend.diseasesOfTerms).not.toHaveBeenCalled();
      expect(backend.termsOfDiseases).not.toHaveBeenCalled();
    });

    it("should answer the backend's hasDiseaseLinks", async () => {
      const { service, backend } = await loaded();
      await expect(service.hasDiseaseLinks()).resolves.toBe(true);
      backend.hasDiseaseLinks.mockResolvedValue(false);
      await expect(service.hasDiseaseLinks()).resolves.toBe(false);
    });

    it('should answer 503 until the ontology is loaded, as every other call', async () => {
      const service = new SimilarityService(undefined);
      for (const call of [
        service.diseasesOfTerms(['0001250']),
        service.termsOfDiseases(['558']),
        service.hasDiseaseLinks(),
      ]) {
        const err = await errorOf(call);
        expect({ status: err.httpStatus, code: err.code }).toEqual({
          status: 503,
          code: SimilarityErrorCode.NotConfigured,
        });
      }
    });
  });

  describe('autocomplete', () => {
    it('should answer an empty list under 3 characters, quotes and spaces not counted', async () => {
      const { service, backend } = await loaded();
      await expect(service.autocomplete(' "se" ')).resolves.toEqual([]);
      expect(backend.autocomplete).not.toHaveBeenCalled();
    });

    it('should strip quotes, collapse whitespace and cap the limit', async () => {
      const { service, backend } = await loaded();
      await service.autocomplete(' "focal   seizure" ', { limit: 0, withDefinition: true });
      await service.autocomplete('seiz');
      await service.autocomplete('seiz', { limit: 5000 });
      expect(backend.autocomplete.mock.calls).toEqual([
        ['focal seizure', MAX_AUTOCOMPLETE_HITS, true],
        ['seiz', 25, false],
        ['seiz', MAX_AUTOCOMPLETE_HITS, false],
      ]);
    });
  });

  describe('info', () => {
    it('should count the terms under the root and their greatest depth when the backend has no stats', async () => {
      const backend = fakeBackend();
      backend.term.mockImplementation((id) =>
        Promise.resolve(id === '0000001' ? { ...SEIZURE, termId: id } : undefined),
      );
      backend.expand.mockResolvedValue([
        {
          termId: '0000001',
          depth: 0,
          children: [
            { termId: '0000118', depth: 1 },
            { termId: '0000707', depth: 2 },
            { termId: '0001250', depth: 3 },
          ],
        },
      ]);
      const { service } = await loaded(backend);
      await expect(service.info()).resolves.toEqual({
        termName: 'hpo',
        termCount: 4,
        rootTerm: '0000001',
        maxDepth: 3,
        mode: 'builtin',
        measure: 'relevance',
      });
      await service.info();
      expect(backend.expand).toHaveBeenCalledTimes(1);
    });

    it("should use the backend's own stats when it has them", async () => {
      const backend = Object.assign(fakeBackend(), {
        stats: jest.fn().mockReturnValue({ termCount: 40, rootTerm: '0000001', maxDepth: 6 }),
      });
      const { service } = await loaded(backend);
      await expect(service.info()).resolves.toMatchObject({ termCount: 40, maxDepth: 6 });
      expect(backend.expand).not.toHaveBeenCalled();
    });
  });
});
