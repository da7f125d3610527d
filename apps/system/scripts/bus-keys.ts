/**
 * `npm run bus-keys [-- --kubectl <namespace>]`: a fresh Ed25519 key pair for every bus signer (README
 * "Trust inside the bus"). Prints BUS_TRUSTED_KEYS, which every process gets, and the
 * BUS_SIGNING_KEYS of each process, which only that process gets; with --kubectl, as the kubectl
 * commands that create the Secrets and the ConfigMap entry the k8s/ manifests read.
 */
import { BUS_SIGNERS, formatKeyList, generateBusKeys } from '@org-mgmt/runtime';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { kubectl: { type: 'string' } } });
const { signing, trusted } = generateBusKeys();
const trustedKeys = formatKeyList(trusted);
const own = (signer: (typeof BUS_SIGNERS)[number]) => formatKeyList(new Map([[signer, signing.get(signer)!]]));

const lines = values.kubectl
  ? [
      `kubectl -n ${values.kubectl} create configmap org-management-bus-trust --from-literal=BUS_TRUSTED_KEYS='${trustedKeys}'`,
      ...BUS_SIGNERS.map(
        (s) =>
          `kubectl -n ${values.kubectl} create secret generic org-management-bus-${s} --from-literal=BUS_SIGNING_KEYS='${own(s)}'`,
      ),
    ]
  : [
      '# Every process (public keys, not secret):',
      `BUS_TRUSTED_KEYS=${trustedKeys}`,
      '# Each process its own (secret):',
      ...BUS_SIGNERS.map((s) => `${s}: BUS_SIGNING_KEYS=${own(s)}`),
    ];
process.stdout.write(`${lines.join('\n')}\n`);
