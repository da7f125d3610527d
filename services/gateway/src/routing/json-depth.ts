/** Deepest nesting of objects and arrays a request body may have (the deepest contract needs far less). */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects/arrays deeper than `limit`; iterative, so hostile depth cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
