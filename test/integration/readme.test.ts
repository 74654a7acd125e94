import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_SIGN_INS } from '../../src/server/scenario/gaza.ts';
import { BUILTIN_ROLES } from '../../src/shared/permissions.ts';

describe('README', () => {
  it('lists the demo sign-ins as the scenario seeds them: every user, their role and the password', async () => {
    const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Demo sign-ins'), readme.indexOf('\n## ', readme.indexOf('## Demo sign-ins') + 1));
    expect(section).toContain(`\`${DEMO_PASSWORD}\``);
    const rows = [...section.matchAll(/^\| (\S+@\S+) \| ([^|(]+?)(?: \([^)]*\))? \|/gm)].map((m) => ({
      email: m[1],
      role: m[2].toLowerCase(),
    }));
    const seeded = DEMO_SIGN_INS.map(({ email, role }) => ({
      email,
      role: (BUILTIN_ROLES.find((r) => r.key === role)?.nameEn ?? role).toLowerCase(),
    }));
    expect(rows).toEqual(seeded);
  });

  it('says no more that no demo user may post money', async () => {
    const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(DEMO_SIGN_INS.some((u) => u.role === 'finance_officer')).toBe(true);
    expect(readme).not.toMatch(/no demo user has/i);
  });
});
