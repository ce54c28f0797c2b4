import type { SourcesService } from '@/modules/data/sources.service';
import { ANONYMOUS_USER_ID, type DiscoveryPolicy } from '../query.types';
import { AccessService } from './access.service';
import type { GroupsRepository } from './groups.repository';
import { LOCAL_NETWORK_ID, type DiscoveryGroup } from './groups.types';

const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const S3 = '33333333-3333-4333-8333-333333333333';
const GONE = '99999999-9999-4999-8999-999999999999';

let n = 0;
const group = (discoveryPolicy: DiscoveryPolicy, assignedUsers: string[], assignedSources: string[]) =>
  ({
    groupId: `g${++n}`,
    groupName: `group ${n}`,
    groupDescription: '',
    networkId: LOCAL_NETWORK_ID,
    discoveryPolicy,
    assignedUsers,
    assignedSources,
  }) satisfies DiscoveryGroup;

describe('AccessService', () => {
  function access(groups: DiscoveryGroup[], sources = [S1, S2, S3]): AccessService {
    const repo = { findAll: jest.fn().mockResolvedValue(groups) } as unknown as GroupsRepository;
    const list = jest.fn().mockResolvedValue(sources.map((sourceId) => ({ sourceId })));
    return new AccessService(repo, { list } as unknown as SourcesService);
  }

  it('should give the highest policy over every group holding both the user and the source', async () => {
    const svc = access([
      group('count', ['alice', 'bob'], [S1, S2]),
      group('detailedList', ['alice'], [S1]),
      group('boolean', ['alice'], [S1, S3]),
      group('list', ['bob'], [S3]),
    ]);
    expect(await svc.levels('alice')).toEqual(
      new Map<string, DiscoveryPolicy>([
        [S1, 'detailedList'],
        [S2, 'count'],
        [S3, 'boolean'],
      ]),
    );
    expect(await svc.levels('bob')).toEqual(
      new Map<string, DiscoveryPolicy>([
        [S1, 'count'],
        [S2, 'count'],
        [S3, 'list'],
      ]),
    );
  });

  it('should order the policies noAccess < boolean < range < count < list < detailedList', async () => {
    const svc = access([group('range', ['u'], [S1]), group('boolean', ['u'], [S1]), group('list', ['u'], [S2])]);
    expect(await svc.levelFor('u', S1)).toBe('range');
    expect(await svc.levelFor('u', S2)).toBe('list');
  });

  it('should leave out sources only noAccess groups hold, and never let noAccess lower another level', async () => {
    const svc = access([group('noAccess', ['u'], [S1, S2]), group('count', ['u'], [S2])]);
    const levels = await svc.levels('u');
    expect([...levels]).toEqual([[S2, 'count']]);
    expect(await svc.levelFor('u', S1)).toBe('noAccess');
  });

  it('should see nothing for a user in no group, or for a source no group of theirs holds', async () => {
    const svc = access([group('list', ['alice'], [S1])]);
    expect((await svc.levels('carol')).size).toBe(0);
    expect(await svc.levelFor('alice', S2)).toBe('noAccess');
  });

  it('should leave out sources that no longer exist, and answer noAccess for unknown ones', async () => {
    const svc = access([group('detailedList', ['u'], [S1, GONE])], [S1]);
    expect([...(await svc.levels('u')).keys()]).toEqual([S1]);
    expect(await svc.levelFor('u', GONE)).toBe('noAccess');
    expect(await svc.levelFor('u', 'not-a-source')).toBe('noAccess');
  });

  it('should resolve the anonymous user from its own groups only', async () => {
    const svc = access([group('boolean', [ANONYMOUS_USER_ID], [S1]), group('list', ['u'], [S1, S2])]);
    expect(await svc.levels(ANONYMOUS_USER_ID)).toEqual(new Map([[S1, 'boolean']]));
    expect(await svc.levelFor('u', S1)).toBe('list');
  });

  it('should read the groups and the sources once per call', async () => {
    const repo = { findAll: jest.fn().mockResolvedValue([]) };
    const sources = { list: jest.fn().mockResolvedValue([]) };
    await new AccessService(repo as unknown as GroupsRepository, sources as unknown as SourcesService).levels('u');
    expect(repo.findAll).toHaveBeenCalledTimes(1);
    expect(sources.list).toHaveBeenCalledTimes(1);
  });
});
