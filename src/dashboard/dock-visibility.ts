import type { User } from '../auth/users.ts';
import type { Db } from '../ledger/database.ts';
import { findDock } from '../ledger/docks.ts';
import { allows } from './access.ts';
import { dockOfficer } from './views/dock-card.ts';

/**
 * Who sees which dock, on pages, in the API and in the live stream. It follows the ledger's rule
 * (access.ts, art. 27): an officer sees the docks of their own badge only (a dock whose officer is not
 * yet known is nobody's); the administrator, who may not read the ledger, sees every dock's state and
 * progress but no file names or recording ids; every other role sees everything.
 */
export class DockVisibility {
  /** File names, recording ids and errors that may quote them. */
  readonly seesFiles: boolean;
  private readonly badges = new Map<number, string | null>();

  constructor(
    private readonly db: Db,
    private readonly user: User,
    private readonly now: () => Date,
  ) {
    this.seesFiles = allows('ledger', user.role);
  }

  seesDock(dockId: number): boolean {
    if (this.user.role !== 'officer') return true;
    if (!this.user.badge) return false;
    return this.badgeOf(dockId) === this.user.badge;
  }

  /** Whether a station event (see event-bus.ts) may go to this user's stream. */
  accepts(name: string, payload: unknown): boolean {
    const event = payload as { dockId?: number; badge?: string | null; recordingId?: number | null };
    if (name === 'dock.identified' && event.dockId !== undefined && event.badge)
      this.badges.set(event.dockId, event.badge);
    // A recording can name the dock's officer before anything else does: look again for unknown ones.
    if (name === 'file.done' && event.dockId !== undefined && this.badges.get(event.dockId) === null)
      this.badges.delete(event.dockId);
    const aboutFiles = name.startsWith('file.') || name === 'recording.checked' || name === 'error';
    if (aboutFiles && !this.seesFiles) return false;
    if (event.dockId !== undefined) return this.seesDock(event.dockId);
    if (this.user.role !== 'officer') return true;
    if (name === 'recording.checked' && event.recordingId)
      return this.recordingBadge(event.recordingId) === this.user.badge;
    return false;
  }

  private badgeOf(dockId: number): string | null {
    if (this.badges.has(dockId)) return this.badges.get(dockId)!;
    const dock = findDock(this.db, dockId);
    const badge = dock ? (dockOfficer(this.db, dock, this.now())?.badge ?? null) : null;
    this.badges.set(dockId, badge);
    return badge;
  }

  private recordingBadge(recordingId: number): string | null {
    const row = this.db.prepare('SELECT badge FROM recordings WHERE id = ?').get(recordingId) as
      | { badge: string | null }
      | undefined;
    return row?.badge ?? null;
  }
}
