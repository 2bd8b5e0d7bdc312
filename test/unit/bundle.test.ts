import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { removeStaleChunks } from '../../scripts/bundle';

describe('removeStaleChunks', () => {
  const chunk = (folder: string, name: string, ageMinutes: number): string => {
    const path = resolve(folder, name);
    writeFileSync(path, 'export {};');
    const time = new Date(Date.now() - ageMinutes * 60_000);
    utimesSync(path, time, time);
    return path;
  };

  it('deletes only old chunks that the build did not write', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ekbar-chunks-'));
    const current = chunk(folder, 'chunk-CURRENT.mjs', 60);
    const stale = chunk(folder, 'chunk-STALE.mjs', 60);
    const recent = chunk(folder, 'chunk-RECENT.mjs', 1);

    removeStaleChunks(folder, new Set([current]));

    expect(existsSync(current)).toBe(true);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });

  it('accepts a bundle without chunks', () => {
    const folder = join(tmpdir(), `ekbar-no-chunks-${process.pid}`);
    expect(() => removeStaleChunks(folder, new Set())).not.toThrow();
  });
});
