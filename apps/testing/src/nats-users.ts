import { BUS_PROCESSES, BusProcess } from '@org-mgmt/contracts';
import { natsAuthorizationConfig, natsInboxPrefix } from '@org-mgmt/runtime';
import { ConnectionOptions } from 'nats';
import { randomBytes } from 'node:crypto';

/**
 * One NATS user per process with the generated permissions, and fresh random passwords, for a
 * private nats-server (startPrivateNats({ config })) and the test system's processes.
 */
export interface NatsUsers {
  subjectPrefix: string;
  /** nats-server configuration: the generated authorization block, plus an unrestricted admin user. */
  config: string;
  /** The environment of a process connecting as its own user. */
  env(process: BusProcess): Record<string, string>;
  /** Connection options of a bare client connecting as that process's user (with its inbox prefix). */
  connectAs(process: BusProcess): Partial<ConnectionOptions>;
  /** The unrestricted user: readiness checks, stream clean-up, observing what reached the server. */
  admin: Partial<ConnectionOptions>;
}

export function natsUsersFor(subjectPrefix = `t${randomBytes(5).toString('hex')}.`): NatsUsers {
  const passwords = new Map(BUS_PROCESSES.map((p) => [p, randomBytes(12).toString('hex')]));
  const admin = { user: 'test-admin', password: randomBytes(12).toString('hex') };
  return {
    subjectPrefix,
    config: natsAuthorizationConfig({ subjectPrefix, password: (p) => ({ literal: passwords.get(p)! }), admin }),
    env: (p) => ({ NATS_USER: p, NATS_PASSWORD: passwords.get(p)! }),
    connectAs: (p) => ({ user: p, pass: passwords.get(p)!, inboxPrefix: natsInboxPrefix(subjectPrefix, p) }),
    admin: { user: admin.user, pass: admin.password },
  };
}
