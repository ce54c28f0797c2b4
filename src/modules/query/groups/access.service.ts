import { Injectable } from '@nestjs/common';
import { SourcesService } from '@/modules/data/sources.service';
import { maxPolicy, type DiscoveryPolicy } from '../query.types';
import { GroupsRepository } from './groups.repository';
import type { DiscoveryGroup } from './groups.types';

/**
 * Each source's level for one user: the highest policy over every group holding both (CV3 reference 3.4), over
 * the sources that exist. Sources left out are not visible. `noAccess` grants nothing, so it is left out too (and
 * it never lowers what another group gives).
 */
export function resolveLevels(
  groups: readonly DiscoveryGroup[],
  userId: string,
  existingSources: ReadonlySet<string>,
): Map<string, DiscoveryPolicy> {
  const levels = new Map<string, DiscoveryPolicy>();
  for (const group of groups) {
    if (group.discoveryPolicy === 'noAccess' || !(group.assignedUsers ?? []).includes(userId)) {
      continue;
    }
    for (const sourceId of group.assignedSources ?? []) {
      if (existingSources.has(sourceId)) {
        const current = levels.get(sourceId);
        levels.set(sourceId, current ? maxPolicy(current, group.discoveryPolicy) : group.discoveryPolicy);
      }
    }
  }
  return levels;
}

/**
 * What a user may see of each source, from the discovery groups. The anonymous user (`ANONYMOUS_USER_ID`) is a
 * user like any other here; whether anonymous callers may query at all is the caller's decision. Groups of every
 * network count (CV3: "across all networks").
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly sources: SourcesService,
  ) {}

  /**
   * Source ID → level, for the sources this user may see (none at `noAccess`). A caller that reads the sources
   * anyway passes their IDs (or the read in flight), saving a second read.
   */
  async levels(
    userId: string,
    sourceIds?: readonly string[] | Promise<readonly string[]>,
  ): Promise<Map<string, DiscoveryPolicy>> {
    const [groups, ids] = await Promise.all([
      this.groups.findAll(),
      sourceIds ?? this.sources.list().then((list) => list.map((s) => s.sourceId)),
    ]);
    return resolveLevels(groups, userId, new Set(ids));
  }

  /** This user's level for one source; `noAccess` when no group grants it (or it does not exist). */
  async levelFor(userId: string, sourceId: string): Promise<DiscoveryPolicy> {
    return (await this.levels(userId)).get(sourceId) ?? 'noAccess';
  }
}
