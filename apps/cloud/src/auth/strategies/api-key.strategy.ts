import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { ApiKeysService } from '../../api-keys/api-keys.service.js';
import { unauthorized } from '../../common/domain-errors.js';
import type { Principal } from '../../common/request-context.js';
import { looksLikeApiKey, presentedCredential } from '../credentials.js';

/** Programs (client, Stash plugin): `Authorization: Bearer ss_…` or `X-Api-Key: ss_…`. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async validate(req: Request): Promise<Principal | null> {
    const credential = presentedCredential(req);
    if (credential?.kind !== 'api-key') return null; // not ours: let the JWT strategy try
    if (!looksLikeApiKey(credential.value))
      throw unauthorized('malformed API key: expected ss_ followed by 43 characters');
    return this.apiKeys.authenticate(credential.value);
  }
}
