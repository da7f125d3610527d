import { applyOverrideChanges, effectiveFlags } from './effective-flags';

describe('effective feature flags', () => {
  it('are the plan defaults plus granted flags minus removed ones, sorted', () => {
    expect(effectiveFlags(['multi-site', 'automation'], { beta: true, automation: false })).toEqual([
      'beta',
      'multi-site',
    ]);
  });

  it('let a removal win over a plan default and a grant add a flag no plan has', () => {
    expect(effectiveFlags([], { sso: true })).toEqual(['sso']);
    expect(effectiveFlags(['sso'], { sso: false })).toEqual([]);
  });

  it('apply override changes: true grants, false removes, null drops the override', () => {
    expect(applyOverrideChanges({ a: true, b: false }, { a: null, b: true, c: false })).toEqual({ b: true, c: false });
  });
});
