import { AppError } from '@/common/errors/app-error';

export enum GroupsErrorCode {
  GroupNotFound = 'GROUP_NOT_FOUND',
  GroupExists = 'GROUP_EXISTS',
  GroupInvalid = 'GROUP_INVALID',
}

export class GroupNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(groupId: string) {
    super(GroupsErrorCode.GroupNotFound, `No discovery group ${groupId}`);
  }
}

export class GroupConflictError extends AppError {
  readonly httpStatus = 409;
  constructor() {
    super(GroupsErrorCode.GroupExists, 'A discovery group with this groupName already exists', {
      field: 'groupName',
    });
  }
}

/** A body that passes the DTO but names things that do not exist; `details.field` names the field. */
export class GroupInvalidError extends AppError {
  readonly httpStatus = 400;
  constructor(field: string, message: string, details: Record<string, unknown> = {}) {
    super(GroupsErrorCode.GroupInvalid, `${field}: ${message}`, { field, ...details });
  }
}
