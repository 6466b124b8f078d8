// Names of users and groups to numeric ids, from the passwd and group databases (never from the
// environment). A number is taken as it is.
import { readFileSync } from 'node:fs';

/** The first row of a passwd-style database whose field `field` (0: name, 2: id) is `value`. */
function lookup(file: string, value: string, field = 0): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields.length > field && fields[field] === value);
}

/** uid and primary gid of a user name (or "uid"); undefined when there is no such user. */
export function userIds(name: string): { uid: number; gid: number } | undefined {
  const row = lookup('/etc/passwd', name);
  if (row) return { uid: Number(row[2]), gid: Number(row[3]) };
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: Number(name) };
  return undefined;
}

/** gid of a group name (or a number); undefined when there is no such group. */
export function groupId(name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  const row = lookup('/etc/group', name);
  return row ? Number(row[2]) : undefined;
}

/** The passwd name of a uid; undefined when no passwd entry has it. */
export function userNameOf(uid: number): string | undefined {
  return lookup('/etc/passwd', String(uid), 2)?.[0];
}
