/*
 * What an answer shows at each access level (docs/query-semantics.md, "Access levels").
 */
import type { DiscoveryPolicy } from '../query.types';

/**
 * The `range` level's bucket: 0 → {0, 0}; then 1–9, 10–49, 50–99, 100–499, 500–999, and the same 1-5-10 steps
 * for every power of ten. A bucket depends only on the count, so asking again reveals nothing more.
 */
export function recordRange(count: number): { min: number; max: number } {
  if (count <= 0) {
    return { min: 0, max: 0 };
  }
  if (count < 10) {
    return { min: 1, max: 9 };
  }
  let decade = 10;
  while (count >= decade * 10) {
    decade *= 10;
  }
  return count < decade * 5 ? { min: decade, max: decade * 5 - 1 } : { min: decade * 5, max: decade * 10 - 1 };
}

/** The database work a level needs: whether one exists, how many, or which. */
export type LevelWork = 'exists' | 'count' | 'ids' | 'documents';

export function workFor(level: Exclude<DiscoveryPolicy, 'noAccess'>): LevelWork {
  switch (level) {
    case 'boolean':
      return 'exists';
    case 'range':
    case 'count':
      return 'count';
    case 'list':
      return 'ids';
    case 'detailedList':
      return 'documents';
  }
}
