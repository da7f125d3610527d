/** The peer's message patterns, under the bench run's own subject prefix so runs sharing a NATS never meet. */
const prefix = process.env.NATS_SUBJECT_PREFIX ?? '';

export const PEER_PATTERNS = {
  balance: `${prefix}peer.balance.get`,
  profile: `${prefix}peer.profile.get`,
} as const;
