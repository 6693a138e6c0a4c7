import type { Migration } from 'kysely';
import * as m001 from './001_community';
import * as m002 from './002_norms';
import * as m003 from './003_struggles';
import * as m004 from './004_meetings';
import * as m005 from './005_reviews';
import * as m006 from './006_pulse';
import * as m007 from './007_health';
import * as m010 from './010_overview_version';
import * as m011 from './011_message_version';

/**
 * Every migration, by name, in order. Listed statically (not read from the directory) so the
 * same set runs from TypeScript sources, compiled JavaScript and the test runner alike.
 */
export const migrations: Record<string, Migration> = {
  '001_community': m001,
  '002_norms': m002,
  '003_struggles': m003,
  '004_meetings': m004,
  '005_reviews': m005,
  '006_pulse': m006,
  '007_health': m007,
  '010_overview_version': m010,
  '011_message_version': m011,
};
