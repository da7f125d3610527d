import { Controller, Inject, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { EndpointDef, participantEndpoints, TransferDatatype } from '@org-mgmt/contracts';
import { answer, contextFrom } from '@org-mgmt/runtime';
import { TransferParticipant } from './transfer-participant';

/**
 * A Nest controller answering the participant patterns of `datatypes` (System callers only, input
 * parsed by the contract) with the module's TransferParticipant provider.
 */
export function transferParticipantHandler(datatypes: readonly TransferDatatype[]): Type<unknown> {
  @Controller()
  class TransferParticipantHandler {
    constructor(@Inject(TransferParticipant) readonly participant: TransferParticipant) {}
  }
  const verbs = ['describe', 'batch', 'rollback'] as const;
  for (const datatype of datatypes) {
    const endpoints = participantEndpoints(datatype);
    for (const verb of verbs) {
      const def: EndpointDef = endpoints[verb];
      const key = `${verb}_${datatype}`;
      const handle = function (this: TransferParticipantHandler, raw: unknown) {
        return answer(async () => this.participant[verb]((await contextFrom(def, raw)).body as never), def.pattern);
      };
      Object.defineProperty(TransferParticipantHandler.prototype, key, {
        value: handle,
        writable: true,
        configurable: true,
      });
      const descriptor = Object.getOwnPropertyDescriptor(TransferParticipantHandler.prototype, key)!;
      MessagePattern(def.pattern)(TransferParticipantHandler.prototype, key, descriptor);
    }
  }
  return TransferParticipantHandler;
}
