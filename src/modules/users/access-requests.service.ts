import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { emailConfig } from '@/config/configs';
import {
  accessRequestApproved,
  accessRequestDenied,
  accessRequestReceived,
  newAccessRequest,
  type MailContent,
} from '@/modules/notify/mail.templates';
import { NotifyService } from '@/modules/notify/notify.service';
import { AccessRequestsRepository, type AccessRequestRecord } from './access-requests.repository';
import type { AccessRequestResponseDto, CreateAccessRequestDto } from './dto/access-requests.dto';
import { AccessRequestDecidedError, AccessRequestNotFoundError, UsersErrorCode } from './users.errors';
import { UsersService, type Actor } from './users.service';

/** Who hears about new requests: user managers (CV3's matrix gives them "Information settings"). */
const REVIEWER_ROLES = ['serverAdmin', 'developer'] as const;

export function toAccessRequestResponse(r: AccessRequestRecord): AccessRequestResponseDto {
  return {
    requestId: r.requestId,
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    affiliation: r.affiliation,
    justification: r.justification,
    status: r.status,
    createdAt: r.createdAt ? new Date(r.createdAt).toISOString() : null,
    decidedAt: r.decidedAt ? new Date(r.decidedAt).toISOString() : null,
    decidedBy: r.decidedBy ?? null,
    userId: r.userId ?? null,
  };
}

/** Keycloak usernames from an address: the part before @, made safe and unique with a short suffix. */
export function usernameFor(email: string, requestId: string): string {
  const base =
    email
      .split('@')[0]
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '')
      .slice(0, 40) || 'user';
  return `${base}-${requestId.replace(/-/g, '').slice(0, 6)}`;
}

/**
 * Anonymous access requests (`user.requests`): stored, then the requester and the reviewers are mailed; approving
 * creates the user (Keycloak account, local row, transit key), denying only records the decision. Mails go through
 * the notify queue with deterministic keys, so a retried request or decision mails once.
 */
@Injectable()
export class AccessRequestsService {
  private readonly logger = new Logger(AccessRequestsService.name);

  constructor(
    private readonly repo: AccessRequestsRepository,
    private readonly users: UsersService,
    private readonly notify: NotifyService,
    @Inject(emailConfig.KEY) private readonly email: ConfigType<typeof emailConfig>,
  ) {}

  /**
   * Stores a request. A second request from an address with one still pending is answered the same way but not
   * stored again, so nobody learns from the answer whether an address has asked before.
   */
  async submit(dto: CreateAccessRequestDto): Promise<void> {
    if (await this.repo.findPendingByEmail(dto.email)) {
      return;
    }
    const request = await this.repo.create({ ...dto, email: dto.email.toLowerCase(), requestId: randomUUID() });
    const installationName = await this.notify.installationName();
    const requester = { firstName: request.firstName, lastName: request.lastName };
    await this.mail(
      [request.email],
      accessRequestReceived({ installationName, requester }),
      `access-request:${request.requestId}:received`,
    );
    const content = newAccessRequest({ installationName, request });
    for (const address of await this.reviewerAddresses()) {
      await this.mail([address], content, `access-request:${request.requestId}:new:${address}`);
    }
  }

  async list(): Promise<AccessRequestResponseDto[]> {
    return (await this.repo.findAll()).map(toAccessRequestResponse);
  }

  async get(requestId: string): Promise<AccessRequestResponseDto> {
    return toAccessRequestResponse(await this.require(requestId));
  }

  /** Creates the requester's account as an active `user` who may log in, then records the approval. */
  async approve(requestId: string, actor: Actor): Promise<void> {
    const request = await this.repo.claim(requestId);
    if (!request) {
      throw await this.notClaimable(requestId);
    }
    let userId: string;
    try {
      const user = await this.users.createUser(
        {
          username: usernameFor(request.email, request.requestId),
          email: request.email,
          firstName: request.firstName,
          lastName: request.lastName,
          affiliation: request.affiliation,
          role: 'user',
          active: true,
          allowLogin: true,
        },
        actor,
      );
      userId = user.userId;
      if (!(await this.repo.decide(requestId, { status: 'approved', decidedBy: actor.userId, userId }, true))) {
        // Only possible when the claim expired mid-way and someone else decided; the account exists regardless.
        this.logger.warn(`access request ${requestId} was decided by someone else while it was being approved`);
      }
    } catch (err) {
      await this.repo.release(requestId);
      throw err;
    }
    this.logger.log(`access request ${requestId} approved by ${actor.userId}; user ${userId}`);
    const installationName = await this.notify.installationName();
    const user = await this.users.findByUserId(userId);
    await this.mail(
      [request.email],
      accessRequestApproved({
        installationName,
        requester: { firstName: request.firstName, lastName: request.lastName },
        username: user?.username ?? usernameFor(request.email, request.requestId),
      }),
      `access-request:${requestId}:approved`,
    );
  }

  async deny(requestId: string, actor: Actor): Promise<void> {
    if (!(await this.repo.decide(requestId, { status: 'denied', decidedBy: actor.userId }, false))) {
      throw await this.notClaimable(requestId);
    }
    this.logger.log(`access request ${requestId} denied by ${actor.userId}`);
    const request = await this.require(requestId);
    const installationName = await this.notify.installationName();
    await this.mail(
      [request.email],
      accessRequestDenied({
        installationName,
        requester: { firstName: request.firstName, lastName: request.lastName },
      }),
      `access-request:${requestId}:denied`,
    );
  }

  private async require(requestId: string): Promise<AccessRequestRecord> {
    const request = await this.repo.findById(requestId);
    if (!request) {
      throw new AccessRequestNotFoundError(requestId);
    }
    return request;
  }

  private async notClaimable(requestId: string): Promise<Error> {
    const request = await this.require(requestId);
    const state = request.status === 'pending' ? 'being approved' : request.status;
    return new AccessRequestDecidedError(UsersErrorCode.AccessRequestDecided, `Access request is already ${state}`);
  }

  /** Active user managers plus the installation's From address, each once. */
  private async reviewerAddresses(): Promise<string[]> {
    const reviewers = await this.users.findByRoles(REVIEWER_ROLES);
    const addresses = [...reviewers.filter((u) => u.active).map((u) => u.email), this.email.from.address];
    return [...new Set(addresses.map((a) => a.toLowerCase()))];
  }

  /** The request or decision is already stored; a mail that cannot be queued is logged, not turned into an error. */
  private async mail(to: string[], content: MailContent, dedupKey: string): Promise<void> {
    try {
      await this.notify.enqueueMail({ to, ...content }, dedupKey);
    } catch (err) {
      this.logger.error({ err, to }, 'could not queue a mail');
    }
  }
}
