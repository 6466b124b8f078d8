// Who did a cases action, as the catalog rows record it: the login (and the sudo user), as the
// registry and the proves notes record theirs. The audit entry carries the full actor too.
import type { Actor } from '../audit/log.js';

export function actorName(actor: Actor): string {
  return actor.sudoUser ? `${actor.user} (sudo ${actor.sudoUser})` : actor.user;
}
