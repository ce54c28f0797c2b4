import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import {
  type AutocompleteHit,
  DEFAULT_EXPAND_DEPTH,
  type ExpandResult,
  type Measure,
  type OntologyStats,
  MIN_STORED_SCORE,
  normaliseHpoId,
  normaliseOrphaId,
  type ReplaceResult,
  type SimilarityBackend,
  type SimilarResult,
  type TermDetails,
} from './similarity.types';
import { AUTOCOMPLETE_QUOTES, MIN_AUTOCOMPLETE_CHARS } from './autocomplete';
import {
  SimilarityErrorCode,
  SimilarityUnavailableError,
  TermNotFoundError,
  TermRequestError,
} from './similarity.errors';

/** At most this many term IDs per call (API and query module alike): a query names a handful of phenotypes. */
export const MAX_INPUT_TERMS = 100;
/** Expansion deeper than this is refused (the HPO is about 16 levels deep; 0 means unlimited). */
export const MAX_EXPAND_DEPTH = 50;
/** Autocomplete answers at most this many hits, also when asked for "no limit" (0). */
export const MAX_AUTOCOMPLETE_HITS = 1000;
export const DEFAULT_AUTOCOMPLETE_HITS = 25;
export const MAX_AUTOCOMPLETE_CHARS = 200;
/** The HPO root, "All". */
export const HPO_ROOT = '0000001';

/** A request waits this long for a load in progress before it gets a 503. */
const LOAD_WAIT_MS = 5000;
/** After a failed load, the next request at least this much later starts another attempt. */
export const RELOAD_AFTER_MS = 30_000;

/** How the module builds its backend; `undefined` when this installation has no ontology. */
export interface BackendLoader {
  mode: SimilarityBackend['mode'];
  measure: Measure;
  /** Where the ontology comes from, for logs (file path or Neo4j URI; never credentials). */
  source: string;
  /** Builds the backend and resolves once it answers (parse the files, or reach the graph). */
  load(): Promise<SimilarityBackend>;
}

export const SIMILARITY_BACKEND_LOADER = Symbol('SIMILARITY_BACKEND_LOADER');

export type SimilarityStatus = 'not-configured' | 'loading' | 'ready' | 'failed';

export interface OntologyInfo extends OntologyStats {
  termName: 'hpo';
  mode: SimilarityBackend['mode'];
  measure: Measure;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Shows a refused value in a message without letting a huge one through. */
function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** How a list of IDs of one vocabulary is checked (`normaliseIds`). */
interface IdKind {
  /** `HPO term`: in "an array of … IDs" and "malformed … IDs". */
  name: string;
  /** `term`: in "at most 100 … IDs per request". */
  short: string;
  expected: string;
  normalise: (raw: string) => string | undefined;
}

const HPO_IDS: IdKind = {
  name: 'HPO term',
  short: 'term',
  expected: 'HP:0000000 or 0000000',
  normalise: normaliseHpoId,
};
const ORPHA_IDS: IdKind = {
  name: 'ORPHA disease',
  short: 'disease',
  expected: 'ORPHA:558, Orphanet_558 or 558',
  normalise: normaliseOrphaId,
};

/** Normalised and de-duplicated (first wins); 400 for a non-array, too many IDs or any malformed one. */
function normaliseIds(raw: string[], field: string, kind: IdKind): string[] {
  if (!Array.isArray(raw)) {
    throw new TermRequestError(SimilarityErrorCode.TermIdInvalid, field, `must be an array of ${kind.name} IDs`);
  }
  if (raw.length > MAX_INPUT_TERMS) {
    throw new TermRequestError(
      SimilarityErrorCode.TooManyTerms,
      field,
      `at most ${MAX_INPUT_TERMS} ${kind.short} IDs per request (got ${raw.length})`,
    );
  }
  const ids = new Set<string>();
  const invalid: string[] = [];
  for (const value of raw) {
    const id = typeof value === 'string' ? kind.normalise(value) : undefined;
    if (id) {
      ids.add(id);
    } else {
      invalid.push(show(value));
    }
  }
  if (invalid.length > 0) {
    throw new TermRequestError(
      SimilarityErrorCode.TermIdInvalid,
      field,
      `malformed ${kind.name} IDs ${invalid.slice(0, 10).join(', ')}${invalid.length > 10 ? ', …' : ''} ` +
        `(expected ${kind.expected})`,
      invalid,
    );
  }
  return [...ids];
}

/**
 * HPO terms, expansion and similarity for the term API and the query module. The backend is chosen by config
 * (`Neo4j.Enabled`, else built in from `HPO.OboPath`) and loaded in the background once the app has started:
 * parsing the full HPO takes seconds, and the rest of the app must work without it. Until it is loaded (or when
 * none is configured) every call throws a 503 {@link SimilarityUnavailableError}.
 *
 * Term IDs are accepted with or without `HP:` and answered without it; inputs are de-duplicated (first wins).
 */
@Injectable()
export class SimilarityService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SimilarityService.name);
  private backend?: SimilarityBackend;
  private loading?: Promise<SimilarityBackend>;
  private failedAt?: number;
  private stats?: Promise<OntologyStats>;
  private destroyed = false;

  constructor(@Inject(SIMILARITY_BACKEND_LOADER) private readonly loader: BackendLoader | undefined) {}

  onApplicationBootstrap(): void {
    if (!this.loader) {
      this.logger.log('no HPO ontology configured (HPO.OboPath, CV3_HPO_DIR or Neo4j.Enabled): term API answers 503');
      return;
    }
    // After the current tick, so that start-up (and listen) completes before a long parse starts.
    setImmediate(() => {
      if (!this.destroyed) {
        void this.startLoad().catch(() => undefined);
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    const loading = this.loading;
    if (loading) {
      // A load that finishes after this closes its own backend (see startLoad); wait a little for it.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        loading.catch(() => undefined),
        new Promise((r) => {
          timer = setTimeout(r, LOAD_WAIT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    await this.closeBackend(this.backend);
    this.backend = undefined;
  }

  get status(): SimilarityStatus {
    if (!this.loader) {
      return 'not-configured';
    }
    if (this.backend) {
      return 'ready';
    }
    return this.failedAt !== undefined && !this.loading ? 'failed' : 'loading';
  }

  /** The ontology's name, size, mode and measure (CV3 BTS `GET /{term_type}`). */
  async info(): Promise<OntologyInfo> {
    const backend = await this.ready();
    this.stats ??= this.computeStats(backend);
    const stats = await this.stats.catch((err: unknown) => {
      this.stats = undefined;
      throw err;
    });
    return { termName: 'hpo', ...stats, mode: backend.mode, measure: this.loader!.measure };
  }

  /** One term with its parents and children; 404 when the ontology has no such ID (obsolete ones included). */
  async term(id: string): Promise<TermDetails> {
    const termId = this.normaliseOne(id, 'termId');
    const backend = await this.ready();
    const term = await backend.term(termId);
    if (!term) {
      throw new TermNotFoundError(termId);
    }
    return term;
  }

  /**
   * Terms whose ID, label, synonyms or definition match every word of `query` (quotes stripped, whitespace
   * splits words), shortest label first. Fewer than 3 characters answer an empty list, as CV3.
   * `limit` 0 means the most we answer ({@link MAX_AUTOCOMPLETE_HITS}).
   */
  async autocomplete(
    query: string,
    opts: { limit?: number; withDefinition?: boolean } = {},
  ): Promise<AutocompleteHit[]> {
    const cleaned = query.replace(AUTOCOMPLETE_QUOTES, '').replace(/\s+/g, ' ').trim();
    if (cleaned.length < MIN_AUTOCOMPLETE_CHARS) {
      return [];
    }
    if (cleaned.length > MAX_AUTOCOMPLETE_CHARS) {
      throw new TermRequestError(
        SimilarityErrorCode.RequestInvalid,
        'query',
        `must be at most ${MAX_AUTOCOMPLETE_CHARS} characters`,
      );
    }
    const requested = opts.limit ?? DEFAULT_AUTOCOMPLETE_HITS;
    const limit = requested <= 0 ? MAX_AUTOCOMPLETE_HITS : Math.min(requested, MAX_AUTOCOMPLETE_HITS);
    const backend = await this.ready();
    return backend.autocomplete(cleaned, limit, opts.withDefinition ?? false);
  }

  /** Descendants of each term down to `depth` (0: all of them), one result per distinct input term. */
  async expand(termIds: string[], depth: number = DEFAULT_EXPAND_DEPTH): Promise<ExpandResult[]> {
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_EXPAND_DEPTH) {
      throw new TermRequestError(
        SimilarityErrorCode.RequestInvalid,
        'depth',
        `must be an integer from 0 (unlimited) to ${MAX_EXPAND_DEPTH}`,
      );
    }
    const ids = this.normaliseList(termIds);
    if (ids.length === 0) {
      return [];
    }
    return (await this.ready()).expand(ids, depth);
  }

  /**
   * Terms similar to each input term with score ≥ `threshold` under the configured measure, best first. The
   * threshold is clamped into [{@link MIN_STORED_SCORE}, 1]: lower scores are never kept (as CV3). `limit`
   * caps each list (0 or absent: no cap).
   */
  async similar(termIds: string[], threshold: number, limit?: number): Promise<SimilarResult[]> {
    if (!Number.isFinite(threshold)) {
      throw new TermRequestError(SimilarityErrorCode.RequestInvalid, 'threshold', 'must be a number from 0 to 1');
    }
    const ids = this.normaliseList(termIds);
    if (ids.length === 0) {
      return [];
    }
    const effective = SimilarityService.effectiveThreshold(threshold);
    const cap = limit !== undefined && limit > 0 ? limit : undefined;
    return (await this.ready()).similar(ids, effective, cap);
  }

  /** What obsolete (or alternative) IDs now mean. */
  async replace(termIds: string[]): Promise<ReplaceResult[]> {
    const ids = this.normaliseList(termIds);
    if (ids.length === 0) {
      return [];
    }
    return (await this.ready()).replace(ids);
  }

  /**
   * The HPO–Orphanet link (`hpo[].useOrphanet`): for each distinct input HPO term (key: the ID without prefix, in
   * input order), the ORPHA disease IDs (digits, numeric order) annotated directly with it in phenotype.hpoa; []
   * for a term without any. Check {@link hasDiseaseLinks} first: without the links every list is empty.
   */
  async diseasesOfTerms(hpoIds: string[]): Promise<Map<string, string[]>> {
    const ids = this.normaliseList(hpoIds);
    if (ids.length === 0) {
      return new Map();
    }
    return (await this.ready()).diseasesOfTerms(ids);
  }

  /**
   * The HPO–Orphanet link (`ordo[].useHPO`): for each distinct input ORPHA disease (`ORPHA:558`, `Orphanet:558`,
   * `Orphanet_558` or `558`; key: the digits, in input order), the HPO terms annotated directly to it, sorted; []
   * for an unknown disease.
   */
  async termsOfDiseases(orphaIds: string[]): Promise<Map<string, string[]>> {
    const ids = this.normaliseOrphaList(orphaIds);
    if (ids.length === 0) {
      return new Map();
    }
    return (await this.ready()).termsOfDiseases(ids);
  }

  /**
   * Whether the loaded annotations carry the HPO–Orphanet link: false when they are genes_to_phenotype.txt, when
   * there is no annotation file, or when phenotype.hpoa has no ORPHA row (naming a current term). 503 until the
   * ontology is loaded, as every other call.
   */
  async hasDiseaseLinks(): Promise<boolean> {
    return (await this.ready()).hasDiseaseLinks();
  }

  /** The threshold a similarity search applies for a requested one. */
  static effectiveThreshold(threshold: number): number {
    return Math.min(1, Math.max(MIN_STORED_SCORE, threshold));
  }

  private normaliseOne(raw: string, field: string): string {
    const id = typeof raw === 'string' ? normaliseHpoId(raw) : undefined;
    if (!id) {
      throw new TermRequestError(
        SimilarityErrorCode.TermIdInvalid,
        field,
        `malformed HPO term ID ${show(raw)} (expected HP:0000000 or 0000000)`,
        [show(raw)],
      );
    }
    return id;
  }

  private normaliseList(raw: string[], field = 'termIds'): string[] {
    return normaliseIds(raw, field, HPO_IDS);
  }

  private normaliseOrphaList(raw: string[], field = 'orphaIds'): string[] {
    return normaliseIds(raw, field, ORPHA_IDS);
  }

  /** The loaded backend, waiting a little for a load in progress; 503 otherwise. */
  private async ready(): Promise<SimilarityBackend> {
    if (this.backend) {
      return this.backend;
    }
    if (!this.loader) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.NotConfigured,
        'No HPO ontology is configured on this installation (HPO.OboPath or Neo4j.Enabled)',
      );
    }
    if (
      !this.loading &&
      !this.destroyed &&
      (this.failedAt === undefined || Date.now() - this.failedAt >= RELOAD_AFTER_MS)
    ) {
      void this.startLoad().catch(() => undefined);
    }
    const loading = this.loading;
    if (!loading) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.LoadFailed,
        'The HPO ontology could not be loaded; it is retried shortly (the server log says why)',
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      loading.then(
        (b) => b,
        () => undefined,
      ),
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), LOAD_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (waited === 'timeout') {
      throw new SimilarityUnavailableError(SimilarityErrorCode.Loading, 'The HPO ontology is still loading');
    }
    if (!waited) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.LoadFailed,
        'The HPO ontology could not be loaded; it is retried shortly (the server log says why)',
      );
    }
    return waited;
  }

  private startLoad(): Promise<SimilarityBackend> {
    const loader = this.loader!;
    if (this.loading) {
      return this.loading;
    }
    const started = performance.now();
    this.logger.log({ mode: loader.mode, measure: loader.measure, source: loader.source }, 'loading the HPO ontology');
    const loading = (async () => {
      const backend = await loader.load();
      try {
        await backend.ready();
      } catch (err) {
        // A Neo4j backend owns a driver even when its graph is missing: release it before the next attempt.
        await this.closeBackend(backend);
        throw err;
      }
      return backend;
    })().then(
      async (backend) => {
        if (this.destroyed) {
          await this.closeBackend(backend);
          throw new Error('shut down while loading');
        }
        this.backend = backend;
        this.failedAt = undefined;
        this.stats = undefined;
        const ms = Math.round(performance.now() - started);
        const stats = await this.cheapStats(backend);
        this.logger.log({ mode: backend.mode, ms, ...stats }, 'HPO ontology loaded');
        return backend;
      },
      (err: unknown) => {
        this.failedAt = Date.now();
        const ms = Math.round(performance.now() - started);
        this.logger.error({ mode: loader.mode, ms, err }, 'HPO ontology failed to load');
        throw err;
      },
    );
    this.loading = loading;
    void loading
      .finally(() => {
        if (this.loading === loading) {
          this.loading = undefined;
        }
      })
      .catch(() => undefined);
    return loading;
  }

  /** Stats for the load log, only when the backend has them at hand. */
  private async cheapStats(backend: SimilarityBackend): Promise<Partial<OntologyStats>> {
    if (!backend.stats) {
      return {};
    }
    try {
      return await backend.stats();
    } catch {
      return {};
    }
  }

  private async computeStats(backend: SimilarityBackend): Promise<OntologyStats> {
    if (backend.stats) {
      return backend.stats();
    }
    // Fallback: walk the whole tree from the root once (cached).
    const [all] = await backend.expand([HPO_ROOT], 0);
    const children = all?.children ?? [];
    return {
      termCount: (await backend.term(HPO_ROOT)) ? 1 + children.length : 0,
      rootTerm: HPO_ROOT,
      maxDepth: children.reduce((max, c) => Math.max(max, c.depth), 0),
    };
  }

  private async closeBackend(backend: SimilarityBackend | undefined): Promise<void> {
    if (!backend?.close) {
      return;
    }
    try {
      await backend.close();
    } catch (err) {
      this.logger.warn({ err: reason(err) }, 'closing the similarity backend failed');
    }
  }
}
