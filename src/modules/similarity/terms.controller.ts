import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import {
  AutocompleteHitDto,
  AutocompleteQueryDto,
  ExpandQueryDto,
  ExpandResponseDto,
  ReplaceResponseDto,
  SimilarityQueryDto,
  SimilarityRequestDto,
  SimilarityResponseDto,
  TermIdParamDto,
  TermIdsDto,
  TermInfoResponseDto,
  TermResponseDto,
} from './dto/terms.dto';
import { SimilarityService } from './similarity.service';
import { DEFAULT_EXPAND_DEPTH } from './similarity.types';

const UNAVAILABLE = {
  description: 'No HPO ontology configured, or not loaded yet (also: Keycloak unavailable, maintenance mode)',
  type: ErrorResponseDto,
};
const BAD_REQUEST = { description: 'A malformed term ID or a parameter out of range', type: ErrorResponseDto };

/**
 * The HPO part of CV3's Biomedical Term Service (reference 2.4), served by the backend itself under
 * `/api/terms/hpo` and `/query/terms/hpo`. Term IDs are answered without prefix and accepted with or without `HP:`.
 */
@ApiTags('terms')
@UserAccessToken()
@RequirePermission(Permission.Query)
@Controller(['api/terms/hpo', 'query/terms/hpo'])
export class TermsController {
  constructor(private readonly terms: SimilarityService) {}

  @Get()
  @ApiOperation({ summary: 'The HPO as loaded: term count, root, depth, mode and measure' })
  @ApiOkResponse({ type: TermInfoResponseDto })
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  termsInfo(): Promise<TermInfoResponseDto> {
    return this.terms.info();
  }

  @Get('auto-complete/v2')
  @ApiOperation({
    summary: 'Terms matching every word of a query',
    description:
      'Searches ID, label, synonyms and definition; shortest label first, then earliest match. Fewer than 3 ' +
      'characters answer an empty list (as CV3).',
  })
  @ApiOkResponse({ type: [AutocompleteHitDto] })
  @ApiBadRequestResponse(BAD_REQUEST)
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  autocompleteTerms(@Query() q: AutocompleteQueryDto): Promise<AutocompleteHitDto[]> {
    return this.terms.autocomplete(q.query, { limit: q.result_threshold, withDefinition: q.with_definition });
  }

  @Get(':termId')
  @ApiOperation({ summary: 'One term with its parents and children' })
  @ApiOkResponse({ type: TermResponseDto })
  @ApiBadRequestResponse(BAD_REQUEST)
  @ApiNotFoundResponse({ description: 'No such term', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  getTerm(@Param() { termId }: TermIdParamDto): Promise<TermResponseDto> {
    return this.terms.term(termId);
  }

  @Post('expand/v1')
  @HttpCode(200)
  @ApiOperation({ summary: 'Descendants of each term down to a depth (0: all)' })
  @ApiOkResponse({ type: [ExpandResponseDto] })
  @ApiBadRequestResponse(BAD_REQUEST)
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  async expandTerms(@Query() { depth }: ExpandQueryDto, @Body() { termIds }: TermIdsDto): Promise<ExpandResponseDto[]> {
    const results = await this.terms.expand(termIds, depth ?? DEFAULT_EXPAND_DEPTH);
    return results.map((r) => ({
      termId: r.termId,
      children: r.children.map((c) => c.termId),
      descendants: r.children,
      depth: r.depth,
    }));
  }

  @Post('similarity/v1')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Terms similar to each term at a threshold',
    description:
      'Scores with the configured measure (CV3: Relevance). Scores below 0.2 are never kept, so a lower threshold ' +
      'behaves as 0.2; `similarityThreshold` is the one applied.',
  })
  @ApiOkResponse({ type: [SimilarityResponseDto] })
  @ApiBadRequestResponse(BAD_REQUEST)
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  async similarTerms(
    @Query() { result_threshold }: SimilarityQueryDto,
    @Body() { termIds, threshold = 1 }: SimilarityRequestDto,
  ): Promise<SimilarityResponseDto[]> {
    const results = await this.terms.similar(termIds, threshold, result_threshold);
    return results.map((r) => ({
      termId: r.termId,
      similarIds: r.similar.map((s) => s.termId),
      similar: r.similar,
      similarityThreshold: r.threshold,
      threshold,
    }));
  }

  @Post('replace/v1')
  @HttpCode(200)
  @ApiOperation({ summary: 'What obsolete or alternative term IDs now mean' })
  @ApiOkResponse({ type: [ReplaceResponseDto] })
  @ApiBadRequestResponse(BAD_REQUEST)
  @ApiServiceUnavailableResponse(UNAVAILABLE)
  replaceTerms(@Body() { termIds }: TermIdsDto): Promise<ReplaceResponseDto[]> {
    return this.terms.replace(termIds);
  }
}
