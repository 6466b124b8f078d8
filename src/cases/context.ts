// What the cases room needs from its caller: the catalog, the home (for the station key and
// checkpoints), the station, the store's door (to read originals as held) and who acts.
import type { Actor } from '../audit/log.js';
import type { Db } from '../store/catalog.js';
import type { OriginalsStore } from '../store/originals.js';

export interface CasesContext {
  db: Db;
  homeDir: string;
  station: { id: string; name: string; timezone: string };
  store: OriginalsStore;
  actor: Actor;
}
