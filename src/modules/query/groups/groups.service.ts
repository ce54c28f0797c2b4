import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { SourcesService } from '@/modules/data/sources.service';
import { UsersService } from '@/modules/users/users.service';
import { ANONYMOUS_USER_ID } from '../query.types';
import type { CreateGroupDto, GroupResponseDto, UpdateGroupDto } from './dto/groups.dto';
import { GroupConflictError, GroupInvalidError, GroupNotFoundError } from './groups.errors';
import { GroupsRepository } from './groups.repository';
import { LOCAL_NETWORK_ID, type DiscoveryGroup } from './groups.types';

const distinct = (ids: string[]) => [...new Set(ids)];

/** The group as answered: only sources that still exist. */
export function toGroupResponse(g: DiscoveryGroup, existingSources: ReadonlySet<string>): GroupResponseDto {
  return {
    groupId: g.groupId,
    groupName: g.groupName,
    groupDescription: g.groupDescription ?? '',
    networkId: g.networkId,
    discoveryPolicy: g.discoveryPolicy,
    assignedUsers: g.assignedUsers ?? [],
    assignedSources: (g.assignedSources ?? []).filter((id) => existingSources.has(id)),
  };
}

/**
 * Discovery groups (CV3 `network.groups`, reference 1.11): each gives its users one policy over its sources.
 * Users must be local users (or the anonymous user) and sources must exist when a group is written.
 */
@Injectable()
export class GroupsService {
  private readonly logger = new Logger(GroupsService.name);

  constructor(
    private readonly groups: GroupsRepository,
    private readonly sources: SourcesService,
    private readonly users: UsersService,
  ) {
    sources.onDeleted((sourceId) => this.groups.removeSource(sourceId));
  }

  async list(): Promise<GroupResponseDto[]> {
    const [groups, existing] = await Promise.all([this.groups.findAll(), this.sourceIds()]);
    return groups.map((g) => toGroupResponse(g, existing));
  }

  async get(groupId: string): Promise<GroupResponseDto> {
    const [group, existing] = await Promise.all([this.groups.findById(groupId), this.sourceIds()]);
    if (!group) {
      throw new GroupNotFoundError(groupId);
    }
    return toGroupResponse(group, existing);
  }

  async create(dto: CreateGroupDto): Promise<DiscoveryGroup> {
    const group: DiscoveryGroup = {
      groupId: randomUUID(),
      groupName: dto.groupName,
      groupDescription: dto.groupDescription ?? '',
      networkId: dto.networkId ?? LOCAL_NETWORK_ID,
      discoveryPolicy: dto.discoveryPolicy,
      assignedUsers: distinct(dto.assignedUsers ?? []),
      assignedSources: distinct(dto.assignedSources ?? []),
    };
    await this.check(group);
    await this.groups.insert(group);
    this.logger.log({ groupId: group.groupId, discoveryPolicy: group.discoveryPolicy }, 'discovery group created');
    return group;
  }

  async update(groupId: string, dto: UpdateGroupDto): Promise<void> {
    const changes: Partial<DiscoveryGroup> = Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined));
    if (changes.assignedUsers) {
      changes.assignedUsers = distinct(changes.assignedUsers);
    }
    if (changes.assignedSources) {
      changes.assignedSources = distinct(changes.assignedSources);
    }
    if (!(await this.groups.findById(groupId))) {
      throw new GroupNotFoundError(groupId);
    }
    await this.check(changes);
    const named = changes.groupName === undefined ? null : await this.groups.findByName(changes.groupName);
    if (named && named.groupId !== groupId) {
      throw new GroupConflictError();
    }
    if (!(await this.groups.update(groupId, changes))) {
      throw new GroupNotFoundError(groupId);
    }
    this.logger.log({ groupId, fields: Object.keys(changes) }, 'discovery group updated');
  }

  async delete(groupId: string): Promise<void> {
    if (!(await this.groups.delete(groupId))) {
      throw new GroupNotFoundError(groupId);
    }
    this.logger.log({ groupId }, 'discovery group deleted');
  }

  /** The IDs of the sources that exist now. */
  private async sourceIds(): Promise<Set<string>> {
    return new Set((await this.sources.list()).map((s) => s.sourceId));
  }

  /** Refuses references to things that do not exist, naming the field and the unknown IDs. */
  private async check(group: Partial<DiscoveryGroup>): Promise<void> {
    if (group.networkId !== undefined && group.networkId !== LOCAL_NETWORK_ID) {
      throw new GroupInvalidError('networkId', `must be "${LOCAL_NETWORK_ID}" (this installation's network)`);
    }
    if (group.assignedUsers?.length) {
      const local = new Set((await this.users.listLocal()).map((u) => u.userId));
      local.add(ANONYMOUS_USER_ID);
      refuseUnknown('assignedUsers', 'user', group.assignedUsers, local);
    }
    if (group.assignedSources?.length) {
      refuseUnknown('assignedSources', 'source', group.assignedSources, await this.sourceIds());
    }
  }
}

function refuseUnknown(field: string, what: string, ids: string[], known: ReadonlySet<string>): void {
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new GroupInvalidError(field, `unknown ${what} IDs: ${unknown.join(', ')}`, { unknown });
  }
}
