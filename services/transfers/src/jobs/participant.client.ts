import { Inject, Injectable } from '@nestjs/common';
import {
  EndpointDef,
  ErrorBody,
  ParticipantBatchReply,
  ParticipantBatchRequest,
  ParticipantDescribeReply,
  participantEndpoints,
  ParticipantRollbackReply,
  ParticipantRollbackRequest,
  TransferDatatype,
} from '@org-mgmt/contracts';
import { z } from 'zod';
import { Backoff, callAsSystem, jitteredBackoff, requestAsSystem, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/** A participant that is down or slow is waited for; an internal error is retried a few times. */
const WAIT_FOR = new Set(['SERVICE_UNAVAILABLE', 'SERVICE_TIMEOUT']);
const INTERNAL_RETRIES = 3;
const PARTICIPANT_RETRY: Backoff = { baseMs: 100, maxMs: 5000 };

/** What the scheduler lends a job it runs: whether to go on, and a wait that a kick or a stop cuts short. */
export interface RunControl {
  readonly running: boolean;
  sleep(ms: number): Promise<void>;
}

/** How a job's participant call went; `interrupted` asks the runner to look at the job before sending again. */
export type Attempt<T> = { kind: 'ok'; data: T } | { kind: 'failed'; error: ErrorBody } | { kind: 'interrupted' };

export interface Retrying {
  control: RunControl;
  /** Called before each wait for a retry, with the error retried after. */
  onRetry(error: ErrorBody): Promise<void>;
}

/** Calls the participant of a datatype, with the retry policy of the job runner. */
@Injectable()
export class ParticipantClient {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  describe(datatype: TransferDatatype, orgId: string): Promise<ParticipantDescribeReply> {
    return callAsSystem(this.rpc, 'transfers', participantEndpoints(datatype).describe, {
      orgId: null,
      body: { datatype, orgId },
    });
  }

  batch(body: ParticipantBatchRequest, retrying: Retrying): Promise<Attempt<ParticipantBatchReply>> {
    return this.send(participantEndpoints(body.datatype).batch, body, retrying);
  }

  rollback(body: ParticipantRollbackRequest, retrying: Retrying): Promise<Attempt<ParticipantRollbackReply>> {
    return this.send(participantEndpoints(body.datatype).rollback, body, retrying);
  }

  /** Sends one participant request; waits out a participant that is down, gives up on a real failure. */
  private async send<T>(
    def: EndpointDef & { body: z.ZodType },
    body: unknown,
    { control, onRetry }: Retrying,
  ): Promise<Attempt<T>> {
    for (let retry = 0; ; retry++) {
      // A timed-out batch is re-sent with its id: the participant finishes the first, then replays it.
      const result = await requestAsSystem(this.rpc, 'transfers', def, { orgId: null, body });
      if (result.ok) return { kind: 'ok', data: result.data as T };
      const waitFor = WAIT_FOR.has(result.error.code);
      if (!waitFor && !(result.error.code === 'INTERNAL' && retry < INTERNAL_RETRIES))
        return { kind: 'failed', error: result.error };
      await onRetry(result.error);
      await control.sleep(jitteredBackoff(retry, PARTICIPANT_RETRY));
      if (!control.running || (waitFor && retry % 5 === 4)) return { kind: 'interrupted' };
    }
  }
}
