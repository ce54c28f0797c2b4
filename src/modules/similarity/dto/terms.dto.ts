import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import {
  DEFAULT_AUTOCOMPLETE_HITS,
  MAX_AUTOCOMPLETE_CHARS,
  MAX_AUTOCOMPLETE_HITS,
  MAX_EXPAND_DEPTH,
  MAX_INPUT_TERMS,
} from '../similarity.service';
import { DEFAULT_EXPAND_DEPTH, MEASURES, MIN_STORED_SCORE, normaliseHpoId } from '../similarity.types';

const TERM_ID_PATTERN = '^(?:[Hh][Pp][:_])?\\d{7}$';
const TERM_ID_EXAMPLE = 'HP:0001250';

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function badTermIds(values: unknown[]): string[] {
  return values.filter((v) => typeof v !== 'string' || !normaliseHpoId(v)).map(show);
}

/** An HPO term ID with or without `HP:`. */
function IsHpoTermId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHpoTermId',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && normaliseHpoId(value) !== undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} ${show(args?.value)} is not an HPO term ID (expected HP:0000000 or 0000000)`,
      },
    },
    options,
  );
}

/** An array of HPO term IDs; the message names the malformed ones (a non-array is left to @IsArray). */
function IsHpoTermIds(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHpoTermIds',
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || badTermIds(value).length === 0,
        defaultMessage: (args?: ValidationArguments) => {
          const bad = badTermIds(args?.value as unknown[]);
          const list = `${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', …' : ''}`;
          return `${args?.property} has malformed HPO term IDs: ${list} (expected HP:0000000 or 0000000)`;
        },
      },
    },
    options,
  );
}

/** `true`/`false` (also 1/0) from a query string; anything else is left for @IsBoolean to refuse. */
const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === 'true' || value === '1') {
      return true;
    }
    if (value === 'false' || value === '0') {
      return false;
    }
    return value;
  });

export class TermIdParamDto {
  /** With or without the `HP:` prefix. */
  @ApiProperty({ example: TERM_ID_EXAMPLE, pattern: TERM_ID_PATTERN })
  @IsHpoTermId()
  termId: string;
}

export class AutocompleteQueryDto {
  /** Words to find (case-insensitive; quotes are stripped; fewer than 3 characters answer an empty list). */
  @ApiProperty({ example: 'seizure', maxLength: MAX_AUTOCOMPLETE_CHARS })
  @IsString()
  @MaxLength(MAX_AUTOCOMPLETE_CHARS)
  query: string;

  /** Also answer each term's definition. */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  with_definition?: boolean;

  /** Most hits to answer; 0 means the maximum. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_AUTOCOMPLETE_HITS,
    default: DEFAULT_AUTOCOMPLETE_HITS,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_AUTOCOMPLETE_HITS)
  result_threshold?: number;
}

export class ExpandQueryDto {
  /** Levels of descendants; 0 means all of them. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_EXPAND_DEPTH, default: DEFAULT_EXPAND_DEPTH })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_EXPAND_DEPTH)
  depth?: number;
}

export class SimilarityQueryDto {
  /** Most similar terms to answer per input term (best first); 0 means no limit. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  result_threshold?: number;
}

export class TermIdsDto {
  /** HPO term IDs, with or without `HP:`; duplicates are answered once. */
  @ApiProperty({ type: [String], example: [TERM_ID_EXAMPLE], maxItems: MAX_INPUT_TERMS })
  @IsArray()
  @ArrayMaxSize(MAX_INPUT_TERMS)
  @IsHpoTermIds()
  termIds: string[];
}

export class SimilarityRequestDto extends TermIdsDto {
  /** Lowest similarity score to answer; below 0.2 it behaves as 0.2 (scores under it are not kept). */
  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 1, example: 0.6 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  threshold?: number;
}

export class TermInfoResponseDto {
  @ApiProperty({ example: 'hpo' })
  termName: string;

  /** Current (non-obsolete) terms under the root, the root included. */
  @ApiProperty({ type: 'integer' })
  termCount: number;

  @ApiProperty({ example: '0000001' })
  rootTerm: string;

  /** Depth of the deepest term (each term at its shortest distance from the root). */
  @ApiProperty({ type: 'integer' })
  maxDepth: number;

  /** `builtin` (in process) or `neo4j`. */
  @ApiProperty({ enum: ['builtin', 'neo4j'] })
  mode: 'builtin' | 'neo4j';

  @ApiProperty({ enum: MEASURES })
  measure: string;
}

export class TermResponseDto {
  /** Without prefix. */
  @ApiProperty({ example: '0001250' })
  termId: string;

  @ApiProperty({ example: 'Seizure' })
  label: string;

  @ApiProperty()
  definition: string;

  @ApiProperty({ type: [String] })
  synonyms: string[];

  @ApiProperty()
  comment: string;

  /** Direct `is_a` parents. */
  @ApiProperty({ type: [String] })
  parents: string[];

  /** Direct children. */
  @ApiProperty({ type: [String] })
  children: string[];

  @ApiProperty()
  obsolete: boolean;

  /** For an obsolete term: the term(s) to use instead. */
  @ApiProperty({ type: [String] })
  replacedBy: string[];

  /** For an obsolete term: terms to consider instead. */
  @ApiProperty({ type: [String] })
  consider: string[];
}

export class AutocompleteHitDto {
  @ApiProperty({ example: '0001250' })
  termId: string;

  @ApiProperty({ example: 'Seizure' })
  label: string;

  /** Only with `with_definition=true`. */
  @ApiPropertyOptional()
  definition?: string;
}

export class DescendantDto {
  @ApiProperty()
  termId: string;

  /** Shortest distance from the input term (1 = child). */
  @ApiProperty({ minimum: 1 })
  depth: number;
}

export class ExpandResponseDto {
  @ApiProperty()
  termId: string;

  /** Descendants down to `depth` (not the term itself), nearest first, then by ID. */
  @ApiProperty({ type: [String] })
  children: string[];

  /** The same descendants, each with its distance from the input term. */
  @ApiProperty({ type: [DescendantDto] })
  descendants: DescendantDto[];

  /** The depth asked for (0 = unlimited). */
  @ApiProperty()
  depth: number;
}

export class ScoredTermDto {
  @ApiProperty()
  termId: string;

  @ApiProperty({ minimum: MIN_STORED_SCORE, maximum: 1 })
  score: number;
}

export class SimilarityResponseDto {
  @ApiProperty()
  termId: string;

  /** Terms scoring at least `similarityThreshold`, best first (the term itself included). */
  @ApiProperty({ type: [String] })
  similarIds: string[];

  /** The same terms with their scores. */
  @ApiProperty({ type: [ScoredTermDto] })
  similar: ScoredTermDto[];

  /** The threshold applied: the one asked for, raised to 0.2 when lower. */
  @ApiProperty({ minimum: MIN_STORED_SCORE, maximum: 1 })
  similarityThreshold: number;

  /** The threshold as asked for. */
  @ApiProperty({ minimum: 0, maximum: 1 })
  threshold: number;
}

export class ReplaceResponseDto {
  @ApiProperty()
  termId: string;

  /** The current term(s): `replaced_by` of an obsolete term, or the primary term of an alternative ID. */
  @ApiProperty({ type: [String] })
  replacedBy: string[];

  /** `consider` of an obsolete term. */
  @ApiProperty({ type: [String] })
  consider: string[];
}
