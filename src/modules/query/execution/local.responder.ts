import { Injectable, Logger } from '@nestjs/common';
import type { SourceResponseDto } from '@/modules/data/dto/sources.dto';
import { SourcesService } from '@/modules/data/sources.service';
import { SubjectsRepository } from '@/modules/data/subjects/subjects.repository';
import { MAX_INPUT_TERMS, SimilarityService } from '@/modules/similarity/similarity.service';
import { AccessService } from '../groups/access.service';
import {
  compileForSource,
  exactExpansions,
  type Expansions,
  localAfKeys,
  type MongoFilter,
  type SourceQueryContext,
} from '../builder/compile';
import { QueryMetrics } from '../query.metrics';
import { type DiscoveryPolicy, minPolicy, type QueryBuilder, type QueryResponse } from '../query.types';
import type { QueryResponder, Requester } from './responder';
import { recordRange, workFor } from './shape';

/** A `list` answer names at most this many subjects; a `detailedList` answer holds at most this many documents. */
export const MAX_LISTED_SUBJECTS = 100_000;
export const MAX_DETAILED_SUBJECTS = 1_000;

type AnsweredLevel = Exclude<DiscoveryPolicy, 'noAccess'>;

/** One source a query will be answered by, at the level the requester gets there. */
export interface PlannedSource {
  source: SourceResponseDto;
  level: AnsweredLevel;
}

/**
 * Answers a record query from this installation's internal sources: the ones the requester's discovery groups
 * grant (above noAccess), online, and named by `sources` when the query restricts them. Each source is compiled
 * to a filter (docs/query-semantics.md) and run at the requester's level lowered by `advanced.granularity`; the
 * sources run in parallel, each database call under the MaxJobs limiter.
 */
@Injectable()
export class LocalResponder implements QueryResponder {
  readonly id = 'local';
  private readonly logger = new Logger(LocalResponder.name);

  constructor(
    private readonly sources: SourcesService,
    private readonly access: AccessService,
    private readonly subjects: SubjectsRepository,
    private readonly similarity: SimilarityService,
    private readonly metrics: QueryMetrics,
  ) {}

  async respond(
    queryId: string,
    query: QueryBuilder,
    requester: Requester,
    emit: (response: QueryResponse) => Promise<void>,
  ): Promise<void> {
    const planned = await this.plan(query, requester);
    if (planned.length === 0) {
      return;
    }
    let expansions: Expansions;
    try {
      expansions = await this.expand(query);
    } catch (err) {
      // Without the similarity module no source can answer a similarity query: each says so.
      const message =
        err instanceof DiseaseLinksUnavailableError ? err.message : 'Similar terms are unavailable; try again later';
      this.logger.warn({ queryId, err: (err as Error).message }, 'term expansion failed');
      await Promise.all(planned.map((p) => emit({ ...this.header(p), error: message })));
      return;
    }
    await Promise.all(planned.map(async (p) => emit(await this.answer(queryId, p, query, expansions))));
  }

  /** The sources this requester's query goes to, with their levels (also used by the query benchmark). */
  async plan(query: QueryBuilder, requester: Requester): Promise<PlannedSource[]> {
    const listing = this.sources.list();
    const [sources, levels] = await Promise.all([
      listing,
      this.access.levels(
        requester.userId,
        listing.then((list) => list.map((s) => s.sourceId)),
      ),
    ]);
    const only = query.sources ? new Set(query.sources) : undefined;
    const out: PlannedSource[] = [];
    for (const source of sources) {
      const granted = levels.get(source.sourceId);
      if (!granted || granted === 'noAccess' || !source.online || (only && !only.has(source.sourceId))) {
        continue;
      }
      const level = query.advanced.granularity ? minPolicy(granted, query.advanced.granularity) : granted;
      if (level !== 'noAccess') {
        out.push({ source, level });
      }
    }
    return out;
  }

  /**
   * Each original term's group: the term, its similar terms (HPO below similarity 1), and with `useOrphanet` /
   * `useHPO` the IDs of the other vocabulary annotated to a member (HPO annotations, `phenotype.hpoa`).
   */
  async expand(query: QueryBuilder): Promise<Expansions> {
    const expansions = exactExpansions(query);
    if (query.hpo.some((f) => f.useOrphanet) || query.ordo.some((f) => f.useHPO)) {
      if (!(await this.similarity.hasDiseaseLinks())) {
        throw new DiseaseLinksUnavailableError();
      }
    }
    await Promise.all([
      ...query.hpo.map(async (f, i) => {
        if (f.terms.length === 0) {
          return;
        }
        if (f.similarity < 1) {
          const similar = await this.similarity.similar(f.terms, f.similarity);
          const byTerm = new Map(similar.map((r) => [r.termId, r.similar.map((s) => s.termId)]));
          expansions.hpo[i] = f.terms.map((t) => ({ own: [...new Set([t, ...(byTerm.get(t) ?? [])])], mapped: [] }));
        }
        if (f.useOrphanet) {
          const groups = expansions.hpo[i];
          const diseases = await this.linked(
            groups.flatMap((g) => g.own),
            (ids) => this.similarity.diseasesOfTerms(ids),
          );
          for (const g of groups) {
            g.mapped = [...new Set(g.own.flatMap((t) => diseases.get(t) ?? []))];
          }
        }
      }),
      ...query.ordo.map(async (f, i) => {
        if (f.useHPO && f.terms.length > 0) {
          const terms = await this.linked(f.terms, (ids) => this.similarity.termsOfDiseases(ids));
          expansions.ordo[i] = f.terms.map((t) => ({ own: [t], mapped: terms.get(t) ?? [] }));
        }
      }),
    ]);
    return expansions;
  }

  /** A link lookup over any number of IDs (the similarity module takes at most MAX_INPUT_TERMS per call). */
  private async linked(
    ids: string[],
    lookup: (ids: string[]) => Promise<Map<string, string[]>>,
  ): Promise<Map<string, string[]>> {
    const distinct = [...new Set(ids)];
    const out = new Map<string, string[]>();
    for (let i = 0; i < distinct.length; i += MAX_INPUT_TERMS) {
      for (const [k, v] of await lookup(distinct.slice(i, i + MAX_INPUT_TERMS))) {
        out.set(k, v);
      }
    }
    return out;
  }

  /** The filter for one planned source (reads the local frequencies a `useLocalAf` filter needs). */
  async compile(p: PlannedSource, query: QueryBuilder, expansions: Expansions): Promise<MongoFilter> {
    const index = p.source.recordIndex;
    const ctx: SourceQueryContext = {
      capability: index.capability,
      attributes: Object.keys(index.eavIndex?.attributes ?? {}),
    };
    const keys = localAfKeys(query);
    if (keys.length > 0 && index.capability.variant) {
      const { carriers, total } = await this.subjects.variantCarriers(p.source.sourceId, keys);
      ctx.localAf = new Map([...carriers].map(([k, n]) => [k, total > 0 ? n / total : 0]));
    }
    return compileForSource(query, ctx, expansions);
  }

  private header(p: PlannedSource): QueryResponse {
    const s = p.source;
    return {
      sourceId: s.sourceId,
      sourceName: s.sourceName,
      sourceOwner: s.owner,
      ownerEmail: s.ownerEmail,
      ...(s.sourceUrl ? { sourceUrl: s.sourceUrl } : {}),
      granularity: p.level,
    };
  }

  private async answer(
    queryId: string,
    p: PlannedSource,
    query: QueryBuilder,
    expansions: Expansions,
  ): Promise<QueryResponse> {
    const header = this.header(p);
    if (p.source.sourceType !== 'internal') {
      return { ...header, error: `${p.source.sourceType} sources are not queried by this installation yet` };
    }
    const started = process.hrtime.bigint();
    try {
      const filter = await this.compile(p, query, expansions);
      const result = await this.run(p.source.sourceId, p.level, filter);
      this.metrics.observeSource(this.id, seconds(started), true);
      return { ...header, ...result };
    } catch (err) {
      this.metrics.observeSource(this.id, seconds(started), false);
      // The error's text may hold part of the filter (patient-level values): only its kind is logged.
      this.logger.error(
        { queryId, sourceId: p.source.sourceId, err: (err as Error).name },
        'a source could not be queried',
      );
      return { ...header, error: 'The source could not be queried' };
    }
  }

  /** Runs the filter at the level: only the database work the level needs. */
  private async run(sourceId: string, level: AnsweredLevel, filter: MongoFilter): Promise<Partial<QueryResponse>> {
    switch (workFor(level)) {
      case 'exists':
        return { exist: await this.subjects.anyMatching(sourceId, filter) };
      case 'count': {
        const n = await this.subjects.countMatching(sourceId, filter);
        return level === 'range' ? { recordRange: recordRange(n) } : { recordCount: n };
      }
      case 'ids': {
        const ids = await this.subjects.matchingIds(sourceId, filter, MAX_LISTED_SUBJECTS + 1);
        const truncated = ids.length > MAX_LISTED_SUBJECTS;
        const subjects = ids
          .slice(0, MAX_LISTED_SUBJECTS)
          .sort()
          .map((subjectId) => ({ subjectId }));
        return { resultDetails: { subjects, ...(truncated ? { truncated } : {}) } };
      }
      case 'documents': {
        const docs = await this.subjects.matchingDocuments(sourceId, filter, MAX_DETAILED_SUBJECTS + 1);
        const truncated = docs.length > MAX_DETAILED_SUBJECTS;
        const subjects = docs
          .slice(0, MAX_DETAILED_SUBJECTS)
          .sort((a, b) => (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0));
        return { resultDetails: { subjects, ...(truncated ? { truncated } : {}) } };
      }
    }
  }
}

/** useOrphanet / useHPO asked for, but the loaded annotations have no Orphanet diseases. */
class DiseaseLinksUnavailableError extends Error {
  constructor() {
    super(
      'useOrphanet and useHPO need the HPO–Orphanet annotations (phenotype.hpoa), which this installation has not loaded',
    );
  }
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
