/*
 * Property test of the record query: hundreds of random QueryBuilders over a generated fixture (four sources of
 * different shapes, 3,000 subjects), answered by the real LocalResponder (compiler + FerretDB + levels from
 * discovery groups) and by the independent in-memory reference of test/query-reference; every per-source answer
 * must be identical at every level.
 *
 * Subjects are stored as ingestion stores them (buildSubject: merged fields and derived query keys) and the
 * record index is rebuilt by IndexService, so the compiler sees the source as a real one. The reference is given
 * the same merged documents (what a subject *is* once stored) and the same similarity answers (the fixture
 * ontology loaded independently); its HPO–Orphanet links come from its own reading of phenotype.hpoa.
 *
 * QUERY_PROPERTY_RUNS (default 200) and QUERY_PROPERTY_SEED change the run.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { SubjectDocument } from '@/modules/data/data.types';
import { SourcesService } from '@/modules/data/sources.service';
import { IndexService } from '@/modules/data/subjects/index.service';
import { buildSubject } from '@/modules/data/subjects/subject-writer';
import { SubjectsRepository } from '@/modules/data/subjects/subjects.repository';
import { LocalResponder, MAX_DETAILED_SUBJECTS, MAX_LISTED_SUBJECTS } from '@/modules/query/execution/local.responder';
import { GroupsRepository } from '@/modules/query/groups/groups.repository';
import { LOCAL_NETWORK_ID } from '@/modules/query/groups/groups.types';
import { type DiscoveryPolicy, type QueryBuilder, queryBuilder, type QueryResponse } from '@/modules/query/query.types';
import { loadOntology } from '@/modules/similarity/ontology/load';
import type { Ontology } from '@/modules/similarity/ontology/ontology';
import { describeFixture, generateFixture, mulberry32 } from '../query-reference/fixture';
import { fixtureAnnotationDeps } from '../query-reference/fixture-ontology';
import { randomQuery } from '../query-reference/random-query';
import { type ReferenceDeps, referenceResponses } from '../query-reference/reference';
import { createTestApp } from './setup/app';
import { waitForSimilarity } from './setup/query';

const FIXTURE_HPO = resolve(__dirname, '../fixtures/hpo');
const RUNS = Number(process.env.QUERY_PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.QUERY_PROPERTY_SEED ?? 20261128);
const USER = 'property-test-user';

type Json = Record<string, any>;

/** The parts of an answer the level decides (the source's name, owner etc. are not what is compared). */
function comparable(r: Partial<QueryResponse> & { granularity: DiscoveryPolicy }): Json {
  return {
    granularity: r.granularity,
    exist: r.exist,
    recordRange: r.recordRange,
    recordCount: r.recordCount,
    subjects: r.resultDetails?.subjects,
    truncated: r.resultDetails?.truncated,
    error: r.error,
  };
}

/** The reference knows no answer size limit: a detailed answer keeps the first subjects by ID, and says so. */
function capped<T extends Partial<QueryResponse>>(r: T): T {
  const subjects = r.resultDetails?.subjects;
  const limit = r.granularity === 'detailedList' ? MAX_DETAILED_SUBJECTS : MAX_LISTED_SUBJECTS;
  if (!subjects || subjects.length <= limit) {
    return r;
  }
  return { ...r, resultDetails: { subjects: subjects.slice(0, limit), truncated: true } };
}

/** What a subject is once stored: its merged CV3 fields (no storage internals, no dataFiles). */
function served(doc: Json): SubjectDocument {
  const { _id, _parts, dataFiles: _files, _variantKeys, _variantAf, _alleleKeys, ...fields } = doc;
  return fields as SubjectDocument;
}

describe('Record query: compiler and database vs the reference evaluator (property test)', () => {
  let app: INestApplication;
  let responder: LocalResponder;
  let ontology: Ontology;
  const fixture = generateFixture(SEED);
  /** Fixture source → stored source (sources get UUIDs, as the groups API requires). */
  const ids = new Map<string, string>();
  const stored: Array<{ sourceId: string; subjects: SubjectDocument[] }> = [];
  /** The policies of the groups holding both the user and each source (several groups per source on purpose). */
  const policies: Record<string, DiscoveryPolicy[]> = {};

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_query_property',
      patch: (cfg) => {
        cfg.HPO = {
          OboPath: `${FIXTURE_HPO}/hp.obo`,
          AnnotationsPath: `${FIXTURE_HPO}/phenotype.hpoa`,
          Measure: 'relevance',
        };
      },
    });
    responder = app.get(LocalResponder);
    ontology = await loadOntology({
      oboPath: `${FIXTURE_HPO}/hp.obo`,
      annotationsPath: `${FIXTURE_HPO}/phenotype.hpoa`,
    });
    const sources = app.get(SourcesService);
    const subjects = app.get(SubjectsRepository);
    for (const [i, fs] of fixture.sources.entries()) {
      const source = await sources.create({
        sourceName: `property_${i}`,
        displayName: fs.sourceId,
        sourceDescription: 'property test fixture',
        owner: 'property test',
        ownerEmail: 'property@example.org',
        online: true,
        sourceType: 'internal',
      } as never);
      ids.set(fs.sourceId, source.sourceId);
      await subjects.ensureIndexes(source.sourceId);
      const docs = fs.subjects.map((s) => {
        const { subjectId, dataFiles: _files, ...part } = s;
        return buildSubject(subjectId, { 'fixture-file': part })!;
      });
      for (let j = 0; j < docs.length; j += 1000) {
        expect(await subjects.insertNew(source.sourceId, docs.slice(j, j + 1000))).toEqual([]);
      }
      await app.get(IndexService).rebuild(source.sourceId);
      stored.push({ sourceId: source.sourceId, subjects: docs.map((d) => served(d as Json)) });
    }
    // Levels: the highest policy over the user's groups, so some sources sit in two groups.
    const [clinic, vcf, registry, biobank] = fixture.sources.map((s) => ids.get(s.sourceId)!);
    const groups: Array<[DiscoveryPolicy, string[]]> = [
      ['list', [clinic, vcf]],
      ['detailedList', [clinic]],
      ['count', [registry]],
      ['range', [registry, biobank]],
      ['boolean', [biobank]],
    ];
    for (const [i, [discoveryPolicy, assignedSources]] of groups.entries()) {
      await app.get(GroupsRepository).insert({
        groupId: randomUUID(),
        groupName: `property ${i}`,
        groupDescription: '',
        networkId: LOCAL_NETWORK_ID,
        discoveryPolicy,
        assignedUsers: [USER],
        assignedSources,
      });
      for (const s of assignedSources) {
        (policies[s] ??= []).push(discoveryPolicy);
      }
    }
    await waitForSimilarity(app);
  }, 300_000);

  afterAll(async () => {
    await app?.get<Connection>(getConnectionToken()).dropDatabase();
    await app?.close();
  });

  const deps = (): ReferenceDeps => ({
    similar: (termId, threshold) =>
      ontology.has(termId)
        ? [termId, ...ontology.similarTo(termId, Math.max(threshold, 0.2), 'relevance').map((t) => t.termId)]
        : [termId],
    ...fixtureAnnotationDeps(),
  });

  async function ours(query: QueryBuilder): Promise<Map<string, Json>> {
    const out = new Map<string, Json>();
    await responder.respond('property', query, { userId: USER, anonymous: false }, (r) => {
      expect(out.has(r.sourceId)).toBe(false);
      out.set(r.sourceId, comparable(r));
      return Promise.resolve();
    });
    return out;
  }

  function expected(query: QueryBuilder): Map<string, Json> {
    const ref = referenceResponses(query, stored, policies, deps());
    return new Map([...ref].map(([sourceId, r]) => [sourceId, comparable(capped(r))]));
  }

  it('should have stored the fixture and granted the user a level on every source', async () => {
    const connection = app.get<Connection>(getConnectionToken());
    for (const s of stored) {
      expect(await connection.collection(`sources.${s.sourceId}`).countDocuments()).toBe(s.subjects.length);
    }
    const everything = await ours(queryBuilder());
    expect([...everything.values()].map((r) => r.granularity).sort()).toEqual([
      'count',
      'detailedList',
      'list',
      'range',
    ]);
    expect(everything).toEqual(expected(queryBuilder()));
  });

  it(`should give the reference's answer, source by source, for ${RUNS} random queries`, async () => {
    const rng = mulberry32(SEED);
    const info = describeFixture({ sources: stored });
    let nonEmpty = 0;
    for (let run = 0; run < RUNS; run++) {
      const query = randomQuery(rng, info, { withOrphanetMapping: true });
      const [got, want] = [await ours(query), expected(query)];
      if (JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort())) {
        // One readable failure: the query and the first source that differs.
        const sourceId = [...new Set([...got.keys(), ...want.keys()])].find(
          (id) => JSON.stringify(got.get(id)) !== JSON.stringify(want.get(id)),
        );
        expect({ run, query, sourceId, got: sourceId && got.get(sourceId) }).toEqual({
          run,
          query,
          sourceId,
          got: sourceId && want.get(sourceId),
        });
      }
      if (
        [...want.values()].some((r) => r.exist === true || (r.recordCount ?? 0) > 0 || (r.subjects?.length ?? 0) > 0)
      ) {
        nonEmpty++;
      }
    }
    // The generator must keep the test meaningful: most queries find somebody somewhere, not all find everybody.
    expect(nonEmpty).toBeGreaterThan(RUNS * 0.3);
  }, 1_800_000);
});
