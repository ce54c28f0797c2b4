import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { hpoConfig, neo4jConfig } from '@/config/configs';
import { type BackendLoader, SIMILARITY_BACKEND_LOADER, SimilarityService } from './similarity.service';
import { TermsController } from './terms.controller';

/**
 * Neo4j mode when `Neo4j.Enabled` (the graph is loaded beforehand by the CLI), else built in from `HPO.OboPath`
 * (or `CV3_HPO_DIR`); `undefined` when neither: the term API then answers 503 and the rest of the app works.
 * The backends are imported when chosen, so the other mode's code (and the Neo4j driver) is never loaded.
 */
export function selectBackendLoader(
  hpo: ConfigType<typeof hpoConfig>,
  neo: ConfigType<typeof neo4jConfig>,
): BackendLoader | undefined {
  if (neo.enabled) {
    return {
      mode: 'neo4j',
      measure: hpo.measure,
      source: neo.uri,
      load: async () => {
        const { Neo4jBackend } = await import('./neo4j/neo4j.backend');
        return new Neo4jBackend(neo, hpo.measure);
      },
    };
  }
  if (hpo.oboPath) {
    return {
      mode: 'builtin',
      measure: hpo.measure,
      source: hpo.annotationsPath ? `${hpo.oboPath} + ${hpo.annotationsPath}` : hpo.oboPath,
      load: async () => {
        const { BuiltinBackend } = await import('./builtin/builtin.backend');
        return BuiltinBackend.fromFiles({ oboPath: hpo.oboPath, annotationsPath: hpo.annotationsPath }, hpo.measure);
      },
    };
  }
  return undefined;
}

/** HPO terms, expansion and semantic similarity: the term API, and `SimilarityService` for the query module. */
@Module({
  controllers: [TermsController],
  providers: [
    {
      provide: SIMILARITY_BACKEND_LOADER,
      inject: [hpoConfig.KEY, neo4jConfig.KEY],
      useFactory: selectBackendLoader,
    },
    SimilarityService,
  ],
  exports: [SimilarityService],
})
export class SimilarityModule {}
