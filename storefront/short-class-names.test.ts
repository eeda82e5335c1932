import { describe, expect, it } from 'vitest';
import { cssRenamer, longNamesLeftIn, planShortClassNames, shortenClassList } from './short-class-names.ts';
import type { SourceFile } from './short-class-names.ts';

const page: SourceFile = {
  path: 'src/pages/Page.tsx',
  text: [
    '<div class="m-0 grid gap-3 sm:p-4">',
    '<p class="m-0 text-sm btn-ghost">',
    '<span class={`text-sm ${tone}`} />',
    '<span class={`badge tone-${tone}`} />',
    '<b class="tone-bad py-1.5" />',
  ].join('\n'),
};
const styles: SourceFile = { path: 'src/styles.css', text: '.grid > * { min-width: 0; }' };

describe('planShortClassNames', () => {
  const names = planShortClassNames([page, styles], new Set(['btn-ghost']));

  it('shortens a name used only in static class attributes, the most used first', () => {
    expect(names.get('m-0')).toBe('_a');
    expect(names.get('gap-3')).toBeDefined();
    expect(names.get('sm:p-4')).toBeDefined();
    expect(names.get('py-1.5')).toBeDefined();
  });

  it('keeps a name also written elsewhere: a dynamic class, CSS, a built fragment, a kept shortcut', () => {
    expect(names.has('text-sm')).toBe(false);
    expect(names.has('grid')).toBe(false);
    expect(names.has('tone-bad')).toBe(false);
    expect(names.has('btn-ghost')).toBe(false);
  });

  it('skips a short name the sources already use', () => {
    const withVariable: SourceFile = { path: 'src/lib/x.ts', text: 'const { id: _a } = address;' };
    expect(planShortClassNames([page, withVariable], new Set()).get('m-0')).toBe('_b');
  });

  it('is the same map for the same sources', () => {
    expect([...planShortClassNames([page, styles], new Set(['btn-ghost']))]).toEqual([...names]);
  });
});

describe('shortenClassList', () => {
  it('replaces the shortened names and keeps the rest', () => {
    expect(shortenClassList('m-0  btn-ghost text-sm', new Map([['m-0', '_a']]))).toBe('_a  btn-ghost text-sm');
  });
});

describe('cssRenamer', () => {
  const names = new Map([
    ['m-0', '_a'],
    ['hover:text-ink', '_b'],
    ['sm:p-4', '_c'],
    ['p-3', '_d'],
  ]);
  const rename = cssRenamer(names);

  it('renames classes in selectors, inside at-rules too, and leaves declarations and preludes alone', () => {
    const css = '.m-0,.x .m-0>a{margin:0}.hover\\:text-ink:hover{color:var(--c-ink)}@media (min-width:640px){.sm\\:p-4{padding:1rem}}';
    expect(rename(css)).toBe('._a,.x ._a>a{margin:0}._b:hover{color:var(--c-ink)}@media (min-width:640px){._c{padding:1rem}}');
  });

  it('does not take a longer name for a shortened one', () => {
    expect(rename('.p-3\\.5{padding:.875rem}.p-3-x{}.p-3{padding:.75rem}')).toBe('.p-3\\.5{padding:.875rem}.p-3-x{}._d{padding:.75rem}');
  });

  it('changes nothing without names', () => {
    expect(cssRenamer(new Map())('.m-0{margin:0}')).toBe('.m-0{margin:0}');
  });
});

describe('longNamesLeftIn', () => {
  it('finds a shortened name still used as a selector, escaped or not', () => {
    const names = new Map([
      ['m-0', '_a'],
      ['hover:text-ink', '_b'],
    ]);
    expect(longNamesLeftIn('._a{margin:0}.hover\\:text-ink:hover{color:red}', names)).toEqual(['hover:text-ink']);
    expect(longNamesLeftIn('._a{margin:0}._b:hover{color:red}', names)).toEqual([]);
  });
});
