/**
 * @module decode/intern
 * One string object per text that many pods repeat: namespaces, node names, label keys and
 * values, container names, images, owner kinds and names. A run keeps every listed pod until
 * its node is collected, and the decoders make a new string for each field of each pod; shared,
 * the pods take less memory and every mark-compact has fewer objects to walk.
 */

/** Distinct texts kept; past this the map starts again (memory stays bounded, strings stay correct). */
const MAX_ENTRIES = 65_536;
const seen = new Map<string, string>();

/** The one kept string equal to `s` (`s` itself the first time). */
export function intern(s: string): string {
  const kept = seen.get(s);
  if (kept !== undefined) return kept;
  if (seen.size >= MAX_ENTRIES) seen.clear();
  seen.set(s, s);
  return s;
}
