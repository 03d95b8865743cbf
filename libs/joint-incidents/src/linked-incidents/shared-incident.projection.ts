/**
 * Incidents passed on to a participant are read exactly as `GET /shared/incidents/{id}` reads them: through the
 * incident library's one shared read (shared views, compiled policy, allow-list projection), never a copy of it.
 */
export { readSharedIncidents } from '#incidents';
