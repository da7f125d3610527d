export * from './gateway';
export { developmentSecret } from './auth/dev-secret';
export { JwtVerifier, MAX_TOKEN_LENGTH } from './auth/jwt-verifier';
export { API_PREFIX } from './routing/api-router';
export { MAX_JSON_DEPTH, nestsDeeperThan } from './routing/json-depth';
export { isRateLimited } from './routing/public-rate-limit';
