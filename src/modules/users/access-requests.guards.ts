import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ACCESS_REQUEST_MAX_BYTES } from './dto/access-requests.dto';
import { PayloadTooLargeError, UsersErrorCode } from './users.errors';

/**
 * The anonymous route takes far less than the app-wide body limit: a declared length above its own limit is
 * refused with 413 before validation (a body without a length is still bounded by the fields' limits).
 */
@Injectable()
export class AccessRequestBodySizeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > ACCESS_REQUEST_MAX_BYTES) {
      throw new PayloadTooLargeError(
        UsersErrorCode.PayloadTooLarge,
        `Request body is larger than ${ACCESS_REQUEST_MAX_BYTES} bytes`,
      );
    }
    return true;
  }
}
