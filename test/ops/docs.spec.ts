import { TeardownConfigSchema } from '@org-mgmt/k8s-teardown';
import { ConfigSchema } from '@org-mgmt/runtime';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const PAGES = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

/** The text outside fenced code blocks and inline code, where links and headings are what they look like. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const text = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
  for (const [, heading] of text.matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let slug = base;
    for (let n = 1; anchors.has(slug); n++) slug = `${base}-${n}`;
    anchors.add(slug);
  }
  for (const [, id] of text.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(id);
  return anchors;
}

interface Link {
  page: string;
  target: string;
}

function relativeLinks(page: string): Link[] {
  const links = [...prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);
  return links.filter((target) => !/^[a-z]+:/i.test(target)).map((target) => ({ page, target }));
}

/** Why a link does not resolve, or undefined when it does. */
function brokenBecause({ page, target }: Link): string | undefined {
  const [file, anchor] = target.split('#');
  const path = file ? resolve(dirname(page), file) : page;
  if (!existsSync(path)) return 'no such file';
  if (anchor === undefined || !path.endsWith('.md')) return undefined;
  return anchorsOf(readFileSync(path, 'utf8')).has(anchor) ? undefined : 'no such heading';
}

/** The README's "Configuration" section: the one place every environment variable is documented. */
function configurationDocs(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(readme);
  if (!section) throw new Error('README.md has no "## Configuration" section');
  return section[1];
}

describe('the documentation', () => {
  const links = PAGES.flatMap(relativeLinks);

  it('has links in the README and under docs/', () => {
    expect(links.length).toBeGreaterThan(20);
  });

  it('links only to files and headings that exist', () => {
    const broken = links
      .map((link) => ({ link, why: brokenBecause(link) }))
      .filter(({ why }) => why !== undefined)
      .map(({ link, why }) => `${relative(ROOT, link.page)}: ${link.target} (${why})`);
    expect(broken).toEqual([]);
  });

  it('reaches every page under docs/ from the README', () => {
    const readme = join(ROOT, 'README.md');
    const linked = new Set(relativeLinks(readme).map(({ target }) => resolve(ROOT, target.split('#')[0])));
    const unlinked = PAGES.filter((page) => page !== readme && !linked.has(page)).map((page) => relative(ROOT, page));
    expect(unlinked).toEqual([]);
  });

  it.each([
    ['ConfigSchema (libs/runtime)', Object.keys(ConfigSchema.shape)],
    ['TeardownConfigSchema (k8s-teardown)', Object.keys(TeardownConfigSchema.shape)],
  ])('documents every environment variable of %s in the README configuration table', (_schema, variables) => {
    const docs = configurationDocs();
    expect(variables.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });
});
