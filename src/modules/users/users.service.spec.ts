import type { VaultService } from '@/modules/vault/vault.service';
import type { KeycloakAdminClient, KeycloakUser } from './keycloak-admin.client';
import type { UserRecord, UsersRepository } from './users.repository';
import { mergeUsers, UsersService } from './users.service';

const ID = '11111111-1111-4111-8111-111111111111';

function record(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userId: ID,
    email: 'a@example.org',
    username: 'a',
    firstName: 'A',
    lastName: 'B',
    affiliation: '',
    role: 'user',
    active: false,
    allowLogin: false,
    budget: 100,
    ...overrides,
  };
}

describe(UsersService.name, () => {
  let repo: jest.Mocked<Pick<UsersRepository, 'create' | 'update' | 'deleteByUserId' | 'findByUserId'>>;
  let keycloak: jest.Mocked<Pick<KeycloakAdminClient, 'createUser' | 'executeActionsEmail' | 'deleteUser'>>;
  let vault: jest.Mocked<Pick<VaultService, 'createTransitKey' | 'deleteTransitKey' | 'transitKeyExists'>>;
  let service: UsersService;

  const input = { username: 'a', email: 'a@example.org', firstName: 'A', lastName: 'B', role: 'user' as const };

  beforeEach(() => {
    repo = {
      create: jest.fn((u: UserRecord) => Promise.resolve(record(u))),
      update: jest.fn((_id: string, changes: Partial<UserRecord>) => Promise.resolve(record(changes))),
      deleteByUserId: jest.fn<Promise<boolean>, [string]>().mockResolvedValue(true),
      findByUserId: jest.fn<Promise<UserRecord | null>, [string]>().mockResolvedValue(record()),
    };
    keycloak = {
      createUser: jest.fn().mockResolvedValue(ID),
      executeActionsEmail: jest.fn().mockResolvedValue(undefined),
      deleteUser: jest.fn().mockResolvedValue(true),
    };
    vault = {
      createTransitKey: jest.fn().mockResolvedValue(undefined),
      deleteTransitKey: jest.fn().mockResolvedValue(undefined),
      transitKeyExists: jest.fn().mockResolvedValue(false),
    };
    service = new UsersService(
      repo as unknown as UsersRepository,
      keycloak as unknown as KeycloakAdminClient,
      vault as unknown as VaultService,
    );
  });

  it.each([
    ['serverAdmin', 'developer'],
    ['dataAdmin', 'serverAdmin'],
    ['user', 'dataAdmin'],
  ] as const)('should refuse a %s creating a %s before touching Keycloak', async (actor, role) => {
    await expect(service.createUser({ ...input, role }, { userId: 'x', role: actor })).rejects.toMatchObject({
      httpStatus: 403,
      code: 'USER_ROLE_NOT_GRANTABLE',
    });
    expect(keycloak.createUser).not.toHaveBeenCalled();
  });

  it('should create the account, the row, the key and send the set-password mail', async () => {
    const user = await service.createUser(
      { ...input, allowLogin: true, active: true },
      { userId: 'x', role: 'developer' },
    );
    expect(user).toMatchObject({ userId: ID, allowLogin: true });
    expect(repo.create).toHaveBeenCalledWith(expect.objectContaining({ userId: ID, active: true, allowLogin: false }));
    expect(vault.createTransitKey).toHaveBeenCalledWith(ID, 'rsa-4096', { deletionAllowed: true });
    expect(keycloak.executeActionsEmail).toHaveBeenCalledWith(ID, ['UPDATE_PASSWORD', 'VERIFY_EMAIL']);
  });

  it('should undo the key, the row and the Keycloak account when a later step fails', async () => {
    keycloak.executeActionsEmail.mockRejectedValue(new Error('smtp down'));
    await expect(
      service.createUser({ ...input, allowLogin: true }, { userId: 'x', role: 'developer' }),
    ).rejects.toThrow('smtp down');
    expect(vault.deleteTransitKey).toHaveBeenCalledWith(ID);
    expect(repo.deleteByUserId).toHaveBeenCalledWith(ID);
    expect(keycloak.deleteUser).toHaveBeenCalledWith(ID);
  });

  it('should not let a server admin change anything of a developer', async () => {
    repo.findByUserId.mockResolvedValue(record({ role: 'developer' }));
    const actor = { userId: 'x', role: 'serverAdmin' as const };
    await expect(service.update(ID, { budget: 1 }, actor)).rejects.toMatchObject({ httpStatus: 403 });
    await expect(service.remove(ID, actor)).rejects.toMatchObject({ httpStatus: 403 });
    await expect(service.revokeLogin(ID, actor)).rejects.toMatchObject({ httpStatus: 403 });
    expect(repo.update).not.toHaveBeenCalled();
  });

  it('should answer 404 for a user without a local row', async () => {
    repo.findByUserId.mockResolvedValue(null);
    await expect(service.setActive(ID, true, { userId: 'x', role: 'developer' })).rejects.toMatchObject({
      httpStatus: 404,
      code: 'USER_NOT_FOUND',
    });
  });

  it('should delete the key on remove only when it exists', async () => {
    await service.remove(ID, { userId: 'x', role: 'developer' });
    expect(vault.deleteTransitKey).not.toHaveBeenCalled();
    expect(repo.deleteByUserId).toHaveBeenCalledWith(ID);
    vault.transitKeyExists.mockResolvedValue(true);
    await service.remove(ID, { userId: 'x', role: 'developer' });
    expect(vault.deleteTransitKey).toHaveBeenCalledWith(ID);
  });
});

describe('mergeUsers', () => {
  it('should mark local users, keep realm-only ones, and keep local rows without an account', () => {
    const realm: KeycloakUser[] = [
      { id: ID, username: 'kc-a', email: 'a@example.org', enabled: true },
      { id: 'r2', username: 'remote', email: 'r@example.org', firstName: 'R', enabled: true },
    ];
    const merged = mergeUsers(realm, [record({ username: 'a', role: 'dataAdmin' }), record({ userId: 'gone' })]);
    expect(merged).toEqual([
      expect.objectContaining({ userId: ID, username: 'a', role: 'dataAdmin', local: true, inKeycloak: true }),
      expect.objectContaining({ userId: 'r2', role: null, budget: null, local: false, inKeycloak: true }),
      expect.objectContaining({ userId: 'gone', local: true, inKeycloak: false }),
    ]);
  });
});
