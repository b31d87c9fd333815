// `npm run migrate`: create the schema (the seed's sequelize.sync()). Unlike the seed, a failure
// exits 1, and success exits at once instead of waiting for the pool's idle timeout.
import pg from 'pg';
import { databaseConfig } from './config.js';
import { errorText } from './error-text.js';
import { CREATE_PEOPLE_TABLE } from './people.js';

const client = new pg.Client(databaseConfig());
try {
  await client.connect();
  await client.query(CREATE_PEOPLE_TABLE);
  console.log('Migration complete');
  process.exitCode = 0;
} catch (err) {
  console.error('Migration failed:', errorText(err));
  process.exitCode = 1;
} finally {
  await client.end().catch((err: Error) => console.error('closing the connection failed:', err.message));
}
process.exit();
