import { createLogger, serviceLogger } from '@org-mgmt/runtime';
import { Writable } from 'node:stream';

/** The keys of a JSON object literal's top level, in order, duplicates kept (JSON.parse keeps only the last). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (depth === 1 && json[end + 1] === ':') keys.push(JSON.parse(json.slice(i, end + 1)));
      i = end;
    }
  }
  return keys;
}

function capturedLines(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write: (chunk, _enc, done) => (lines.push(...String(chunk).trim().split('\n')), done()),
  });
  return { lines, stream };
}

describe('log lines', () => {
  it('carry each key once when a service logs through its child of the process logger', () => {
    const { lines, stream } = capturedLines();
    const processLogger = createLogger('info', 'org-management', stream);
    serviceLogger(processLogger, 'billing').info({ orgId: 'org_1' }, 'credited');
    processLogger.info('started');

    const [child, root] = lines.map(topLevelKeys);
    expect(new Set(child).size).toBe(child.length);
    expect(new Set(root).size).toBe(root.length);
    expect(JSON.parse(lines[0])).toMatchObject({
      name: 'org-management',
      service: 'billing',
      orgId: 'org_1',
      msg: 'credited',
    });
  });

  it('do not bind service again when the logger already belongs to that service', () => {
    const { lines, stream } = capturedLines();
    const billing = serviceLogger(createLogger('info', 'billing', stream), 'billing');
    serviceLogger(billing, 'billing').info('again');
    expect(topLevelKeys(lines[0]).filter((k) => k === 'service')).toEqual(['service']);
  });
});
