/** Overrides as stored: true grants a flag, false removes it (whatever the plan says). */
export type FlagOverrides = Record<string, boolean>;
/** Override changes as requested: null drops an override, so the plan's default applies again. */
export type FlagOverrideChanges = Record<string, boolean | null>;

/** Effective flags = the plan's defaults, plus flags granted, minus flags removed; sorted. */
export function effectiveFlags(planDefaults: readonly string[], overrides: FlagOverrides): string[] {
  const flags = new Set(planDefaults);
  for (const [flag, granted] of Object.entries(overrides)) {
    if (granted) flags.add(flag);
    else flags.delete(flag);
  }
  return [...flags].sort();
}

export function applyOverrideChanges(current: FlagOverrides, changes: FlagOverrideChanges): FlagOverrides {
  const next = { ...current };
  for (const [flag, value] of Object.entries(changes)) {
    if (value === null) delete next[flag];
    else next[flag] = value;
  }
  return next;
}

export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((flag, i) => flag === b[i]);
}
