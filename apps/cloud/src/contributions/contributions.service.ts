import { Injectable, Logger } from '@nestjs/common';
import type {
  ContributionList,
  ContributionListQuery,
  ContributionReceipt,
  ContributionRequest,
  FeedbackReceipt,
  FeedbackRequest,
  Withdrawal,
} from '@stash-sense/contracts';
import { decodeEmbedding, isFiniteVector, l2Norm } from '@stash-sense/vectors';
import { badRequest, conflict, DomainError, notFound } from '../common/domain-errors.js';
import type { Principal } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { StashBoxUnavailableError } from '../stash-box/stash-box.client.js';
import { type StashBoxScene, StashBoxService } from '../stash-box/stash-box.service.js';
import { validateContribution } from './contribution-validation.js';
import { contributionRequestHash } from './request-hash.js';
import {
  ContributionsRepository,
  type ContributionToSave,
  type SavedContribution,
  type StoredIdempotency,
} from './contributions.repository.js';
import { verificationBackoffMs, verifyPerformer } from './verification.js';

const unprocessable = (message: string, details?: unknown) =>
  new DomainError('unprocessable', message, details);

export const WITHDRAWAL_EFFECT =
  'at once: the faces were deleted, count no more in consensus, and are absent from every index built from now on';

@Injectable()
export class ContributionsService {
  private readonly logger = new Logger(ContributionsService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: ContributionsRepository,
    private readonly stashBox: StashBoxService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Validates, verifies against the stash-box, and commits a contribution in one transaction before
   * answering; then hands the follow-up work to the queues (or leaves it to the outbox sweeper).
   */
  async submit(principal: Principal, request: ContributionRequest): Promise<ContributionReceipt> {
    const requestHash = contributionRequestHash(request);
    // Independent lookups, concurrently: the model and a stored response for the key (one statement), and the
    // stash-box endpoint.
    const [{ model, idempotency }, endpoint] = await Promise.all([
      this.repository.findModelAndIdempotency(request.model, principal.userId, request.idempotencyKey),
      this.stashBox.findEndpointByUrl(request.scene.endpoint),
    ]);
    if (idempotency) return this.replayed(idempotency, request.idempotencyKey, requestHash);

    if (!model || !model.active) {
      throw badRequest(`unknown embedding model ${request.model.name} ${request.model.version}`, {
        fields: [{ field: 'model', message: model ? 'model no longer accepted' : 'unknown model' }],
      });
    }
    if (!endpoint || !endpoint.enabled) {
      throw badRequest(`unknown stash-box endpoint ${request.scene.endpoint}`, {
        fields: [{ field: 'scene.endpoint', message: 'not a stash-box this service knows' }],
      });
    }
    const validation = validateContribution(request, {
      dimension: model.dimension,
      maxFacesPerPerformer: this.config.contributions.maxFacesPerPerformer,
      normTolerance: this.config.contributions.normTolerance,
    });
    if (!validation.ok) {
      const first = validation.problems[0]!;
      throw badRequest(`invalid contribution: ${first.field} ${first.message}`, {
        fields: validation.problems,
      });
    }

    let scene: StashBoxScene | null | undefined;
    try {
      scene = await this.stashBox.findScene(endpoint, request.scene.stashId);
    } catch (err) {
      if (!(err instanceof StashBoxUnavailableError)) throw err;
      this.logger.warn(`${err.message}: contribution stored as pending_verification`);
      scene = undefined;
    }
    if (scene === null) {
      throw unprocessable(`scene ${request.scene.stashId} does not exist on ${request.scene.endpoint}`, {
        fields: [{ field: 'scene.stashId', message: 'no such scene on the stash-box' }],
      });
    }
    const durationSec = Math.max(...request.scene.fingerprints.map((f) => f.durationSec));
    const performers: ContributionToSave['performers'] = validation.performers.map((p, i) => {
      if (scene === undefined) {
        return {
          ...p,
          name: p.stashId,
          disambiguation: null,
          status: 'pending_verification',
          statusReason: 'stash-box unreachable: verification retried automatically',
          fingerprintMatched: null,
          nextVerificationAt: new Date(Date.now() + verificationBackoffMs(0)),
        };
      }
      const verdict = verifyPerformer(scene, p.stashId, request.scene.fingerprints);
      if (verdict.status === 'rejected') {
        throw unprocessable(`performer ${p.stashId} is not credited on scene ${request.scene.stashId}`, {
          fields: [{ field: `performers.${i}.stashId`, message: 'not credited on the stash-box scene' }],
        });
      }
      const credited = scene.performers.find((c) => c.stashId === p.stashId)!;
      return {
        ...p,
        name: credited.name,
        disambiguation: credited.disambiguation,
        status: verdict.status,
        statusReason: verdict.reason,
        fingerprintMatched: verdict.fingerprintMatched,
        nextVerificationAt: null,
      };
    });

    const receivedAt = new Date().toISOString();
    const result = await this.repository.save(
      {
        contributorId: principal.userId,
        endpoint: { id: endpoint.id, key: endpoint.key },
        modelId: model.id,
        dimension: model.dimension,
        clientName: request.client.name,
        clientVersion: request.client.version,
        scene: {
          stashId: request.scene.stashId,
          title: scene?.title ?? null,
          durationSec: scene?.durationSec ?? durationSec,
          performerCount: scene ? scene.performers.length : null,
          fingerprints: request.scene.fingerprints,
        },
        performers,
      },
      {
        key: request.idempotencyKey,
        requestHash,
        statusCode: 202,
        buildResponse: (saved: SavedContribution[]): ContributionReceipt => ({
          receivedAt,
          scene: { endpoint: endpoint.graphqlUrl, stashId: request.scene.stashId },
          contributions: saved.map((s) => ({
            id: s.id,
            performerStashId: s.performerStashId,
            status: s.status,
            statusReason: s.statusReason,
            faces: s.faces,
            replacedEarlier: s.replacedEarlier,
          })),
        }),
      },
    );
    if (!result) {
      // A concurrent request with the same idempotency key committed first: answer as it did.
      const stored = await this.replay(principal.userId, request.idempotencyKey, requestHash);
      if (stored) return stored;
      throw conflict('a request with this idempotency key is being processed: retry in a moment');
    }
    await this.outbox.dispatch(result.outboxIds);
    return result.response as ContributionReceipt;
  }

  private async replay(
    userId: string,
    key: string,
    requestHash: string,
  ): Promise<ContributionReceipt | null> {
    const stored = await this.repository.findIdempotency(userId, key);
    return stored ? this.replayed(stored, key, requestHash) : null;
  }

  /** The stored response for a repeated idempotency key; a key reused for other content is a conflict. */
  private replayed(stored: StoredIdempotency, key: string, requestHash: string): ContributionReceipt {
    if (stored.requestHash !== requestHash) {
      throw conflict(
        `idempotency key ${key} was used for a different contribution: use a new key for new content`,
      );
    }
    return stored.response as ContributionReceipt;
  }

  async list(principal: Principal, query: ContributionListQuery): Promise<ContributionList> {
    const rows = await this.repository.listForContributor(principal.userId, query);
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        scene: { endpoint: r.endpointUrl, stashId: r.sceneStashId },
        performerStashId: r.performerStashId,
        model: { name: r.modelName, version: r.modelVersion },
        status: r.status,
        statusReason: r.statusReason,
        faces: r.faces,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      })),
      nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }

  async withdrawOne(principal: Principal, contributionId: string): Promise<Withdrawal> {
    if ((await this.repository.contributionOwner(contributionId)) !== principal.userId) {
      throw notFound(`no contribution ${contributionId} of yours`);
    }
    const result = await this.repository.withdraw(principal.userId, contributionId);
    await this.outbox.dispatch(result.outboxIds);
    return {
      withdrawnContributions: result.contributions,
      deletedFaces: result.faces,
      effective: WITHDRAWAL_EFFECT,
    };
  }

  async withdrawAll(principal: Principal): Promise<Withdrawal> {
    const result = await this.repository.withdraw(principal.userId);
    await this.outbox.dispatch(result.outboxIds);
    return {
      withdrawnContributions: result.contributions,
      deletedFaces: result.faces,
      effective: WITHDRAWAL_EFFECT,
    };
  }

  /**
   * An admin's purge: every contribution of the account is withdrawn through the same path as the contributor's
   * own withdrawal (faces deleted, performers re-queued), so the next index build leaves them out.
   */
  async purge(contributorId: string): Promise<Withdrawal & { performersRequeued: number }> {
    const result = await this.repository.withdraw(contributorId, undefined, 'purged by an admin');
    await this.outbox.dispatch(result.outboxIds);
    return {
      withdrawnContributions: result.contributions,
      deletedFaces: result.faces,
      effective: WITHDRAWAL_EFFECT,
      performersRequeued: result.outboxIds.length,
    };
  }

  /** Opt-in negative mining: "this face is not that performer", stored as not-same evidence. */
  async feedback(principal: Principal, request: FeedbackRequest): Promise<FeedbackReceipt> {
    const model = await this.repository.findModel(request.model.name, request.model.version);
    if (!model)
      throw badRequest('unknown embedding model', { fields: [{ field: 'model', message: 'unknown model' }] });
    let embedding: Float32Array;
    try {
      embedding = decodeEmbedding(request.embedding, request.encoding);
    } catch (err) {
      throw badRequest(`embedding: ${(err as Error).message}`, {
        fields: [{ field: 'embedding', message: (err as Error).message }],
      });
    }
    if (
      embedding.length !== model.dimension ||
      !isFiniteVector(embedding) ||
      Math.abs(l2Norm(embedding) - 1) > this.config.contributions.normTolerance
    ) {
      throw badRequest(`embedding must be a finite unit vector of ${model.dimension} values`, {
        fields: [
          { field: 'embedding', message: `must be a finite unit vector of ${model.dimension} values` },
        ],
      });
    }
    const endpoint = await this.stashBox.findEndpointByUrl(request.performer.endpoint);
    if (!endpoint)
      throw badRequest('unknown stash-box endpoint', {
        fields: [{ field: 'performer.endpoint', message: 'unknown' }],
      });
    const performerId = await this.repository.findPerformerByStashId(endpoint.id, request.performer.stashId);
    if (!performerId)
      throw notFound(`performer ${request.performer.stashId} has no faces here: nothing to contradict`);
    let sceneId: string | null = null;
    if (request.scene) {
      const sceneEndpoint = await this.stashBox.findEndpointByUrl(request.scene.endpoint);
      sceneId = sceneEndpoint
        ? await this.repository.findSceneId(sceneEndpoint.id, request.scene.stashId)
        : null;
    }
    const saved = await this.repository.saveFeedback({
      contributorId: principal.userId,
      performerId,
      modelId: model.id,
      sceneId,
      dimension: model.dimension,
      embedding,
      distance: request.distance,
    });
    await this.outbox.dispatch([saved.outboxId]);
    return { id: saved.id, receivedAt: saved.createdAt.toISOString() };
  }
}
