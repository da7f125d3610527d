import {
  BUS_PROCESSES,
  BusProcess,
  calledPatterns,
  consumersOf,
  producedSubjects,
  servedPatterns,
  WATCHED_EVENTS,
} from '@org-mgmt/contracts';
import { consumerNameFor, streamNameFor } from '../events/jetstream-bus';
import { natsInboxPrefix } from './nats-connection';

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** A server may answer the requests it received (once each), whatever their reply subject. */
  allowResponses: boolean;
}

/**
 * What one process's NATS user may publish and subscribe to, from contracts' bus-access
 * declarations: its request patterns (sent and served), its event subjects, its own JetStream API
 * calls (the one stream, its own durables and their acks) and its own reply inbox.
 */
export function natsPermissions(process: BusProcess, subjectPrefix: string): NatsPermissions {
  const p = (subject: string) => subjectPrefix + subject;
  const stream = streamNameFor(subjectPrefix);
  const consumers = consumersOf(process).map((c) => ({ name: consumerNameFor(c.durable, c.event.subject), filter: p(c.event.subject) }));
  const served = servedPatterns(process);
  return {
    publish: [
      ...calledPatterns(process).map(p),
      ...producedSubjects(process).map(p),
      '$JS.API.INFO',
      ...['INFO', 'CREATE', 'UPDATE'].map((verb) => `$JS.API.STREAM.${verb}.${stream}`),
      ...consumers.flatMap(({ name, filter }) => [
        `$JS.API.CONSUMER.CREATE.${stream}.${name}.${filter}`,
        `$JS.API.CONSUMER.INFO.${stream}.${name}`,
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`,
        `$JS.ACK.${stream}.${name}.>`,
      ]),
    ],
    subscribe: [
      ...served.map(p),
      ...(WATCHED_EVENTS[process] ?? []).map((e) => p(e.subject)),
      `${natsInboxPrefix(subjectPrefix, process)}.>`,
    ],
    allowResponses: served.length > 0,
  };
}

/** How the config names a user's password: a variable of the server's environment, or the password itself (dev, tests). */
export type PasswordSource = { env: string } | { literal: string };

export interface NatsServerConfigOptions {
  subjectPrefix: string;
  password: (process: BusProcess) => PasswordSource;
  /** A user allowed everything (tests: stream clean-up); never in a shipped config. */
  admin?: { user: string; password: string };
}

/** The environment variable holding a process's NATS password, e.g. NATS_PASSWORD_K8S_TEARDOWN. */
export function natsPasswordVariable(process: BusProcess): string {
  return `NATS_PASSWORD_${process.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The `authorization` block of a nats-server configuration: one user per process, each with its own permissions. */
export function natsAuthorizationConfig(options: NatsServerConfigOptions): string {
  const users = BUS_PROCESSES.map((process) => userEntry(process, options.password(process), natsPermissions(process, options.subjectPrefix)));
  if (options.admin) users.push(`    { user: ${q(options.admin.user)}, password: ${q(options.admin.password)} }`);
  return ['authorization {', '  users: [', users.join('\n'), '  ]', '}', ''].join('\n');
}

function userEntry(user: BusProcess, password: PasswordSource, permissions: NatsPermissions): string {
  const list = (subjects: string[]) => ['[', ...subjects.map((s) => `          ${q(s)}`), '        ]'].join('\n');
  return [
    '    {',
    `      user: ${q(user)}`,
    `      password: ${'env' in password ? `$${password.env}` : q(password.literal)}`,
    '      permissions: {',
    `        publish: ${list(permissions.publish)}`,
    `        subscribe: ${list(permissions.subscribe)}`,
    ...(permissions.allowResponses ? ['        allow_responses: true'] : []),
    '      }',
    '    }',
  ].join('\n');
}

function q(text: string): string {
  return JSON.stringify(text);
}
