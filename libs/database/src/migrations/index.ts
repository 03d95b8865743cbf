import { Foundation1763884800000 } from './1763884800000-foundation.js';

/** Every migration, in order. Listed by hand so the build and the tests load the same classes. */
export const migrations = [Foundation1763884800000];
