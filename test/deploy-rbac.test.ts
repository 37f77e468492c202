/**
 * @module deploy-rbac.test
 * deploy/README's RBAC table is what the base renders: `kubectl kustomize deploy/base` (the real
 * kubectl), every (Cluster)RoleBinding resolved to its rules, one right per verb and resource, per
 * ServiceAccount, compared with the table's rows. A rule added, removed or widened in rbac.yaml
 * without the table (or the reverse) fails here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '#test/helpers/paths';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const VIEWERS = 'users with view, edit or admin';

/** ServiceAccount (or VIEWERS) → its rights, written as the table writes them. */
function renderedRights(): Map<string, string[]> {
  const out = execFileSync(KUBECTL, ['kustomize', join(PROJECT_DIR, 'deploy/base')], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const objects = (yaml.loadAll(out) as Obj[]).filter(Boolean);
  const roles = new Map(
    objects
      .filter((o) => o['kind'] === 'Role' || o['kind'] === 'ClusterRole')
      .map((o) => [`${o['kind']}/${o['metadata']['name']}`, o]),
  );
  const rights = new Map<string, string[]>();
  const add = (who: string, right: string): void => void rights.set(who, [...(rights.get(who) ?? []), right]);
  for (const sa of objects.filter((o) => o['kind'] === 'ServiceAccount')) rights.set(sa['metadata']['name'], []);
  for (const b of objects.filter((o) => o['kind'] === 'RoleBinding' || o['kind'] === 'ClusterRoleBinding')) {
    const where = b['kind'] === 'RoleBinding' ? ` in ${b['metadata']['namespace']}` : '';
    const ref = `${b['roleRef']['kind']}/${b['roleRef']['name']}`;
    const role = roles.get(ref);
    for (const s of b['subjects'] as Obj[]) {
      if (!role) add(s['name'], `${ref}${where}`);
      else for (const r of ruleRights(role)) add(s['name'], `${r}${where}`);
    }
  }
  for (const role of objects.filter(
    (o) =>
      o['kind'] === 'ClusterRole' &&
      o['metadata']['labels']?.['rbac.authorization.k8s.io/aggregate-to-view'] === 'true',
  ))
    for (const r of ruleRights(role)) add(VIEWERS, r);
  return rights;
}

/** `get nodes`, `list apps/replicasets`, `get secrets a,b`: one per verb, group and resource. */
function ruleRights(role: Obj): string[] {
  return (role['rules'] as Obj[]).flatMap((r) =>
    (r['apiGroups'] as string[]).flatMap((g) =>
      (r['resources'] as string[]).flatMap((res) =>
        (r['verbs'] as string[]).map(
          (v) => `${v} ${g ? `${g}/` : ''}${res}${r['resourceNames'] ? ` ${r['resourceNames'].join(',')}` : ''}`,
        ),
      ),
    ),
  );
}

/** The table's rows: each subject named in the first column → the backticked rights of the second. */
function tableRights(): Map<string, string[]> {
  const text = readFileSync(join(PROJECT_DIR, 'deploy/README.md'), 'utf8');
  const table = text.slice(text.indexOf('| ServiceAccount | Rights | Why |'));
  const rows = table.split('\n').slice(2);
  const rights = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [who, what] = row
      .split('|')
      .slice(1, 3)
      .map((c) => c.trim()) as [string, string];
    const listed = what === 'nothing' ? [] : [...what.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    const subjects = who === VIEWERS ? [VIEWERS] : [...who.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    for (const s of subjects) rights.set(s, listed);
  }
  return rights;
}

describe('deploy/README RBAC table', () => {
  it('lists every ServiceAccount with exactly the rights the base renders', () => {
    const rendered = renderedRights();
    const table = tableRights();
    const sorted = (m: Map<string, string[]>) =>
      Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
    // Before: collect's `list apps/replicasets` and `list batch/jobs` were missing from the table.
    expect(sorted(table)).toEqual(sorted(rendered));
    expect(rendered.get('heapless-collect')).toContain('list apps/replicasets');
  });
});
