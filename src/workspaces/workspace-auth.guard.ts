import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service.js';
import { ApiError } from '../common/errors/api-error.js';
import { type AuthedRequest } from '../common/auth/auth-context.js';
import { extractApiKey } from '../common/auth/key-hash.js';

@Injectable()
export class WorkspaceAuthGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (req.auth) return true;
    const key = extractApiKey(req.headers);
    if (!key) throw ApiError.unauthorized('Missing API key: send Authorization: Bearer <key> or X-API-Key');
    const auth = await this.keys.authenticate(key);
    if (!auth) throw ApiError.unauthorized('Invalid or revoked API key');
    req.auth = auth;
    return true;
  }
}
