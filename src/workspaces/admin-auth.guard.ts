import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ApiError } from '../common/errors/api-error.js';
import { type AuthedRequest } from '../common/auth/auth-context.js';
import { extractApiKey, secretsEqual } from '../common/auth/key-hash.js';

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const key = extractApiKey(req.headers);
    if (!key) throw ApiError.unauthorized('Missing admin API key');
    if (!this.config.adminApiKey || !secretsEqual(key, this.config.adminApiKey)) {
      throw ApiError.unauthorized('Invalid admin API key');
    }
    return true;
  }
}
