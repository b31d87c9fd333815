// `npm run ping`: exit 0 when the database answers, 1 when it does not (as the seed's ping.js).
import pg from 'pg';
import { databaseConfig } from './config.js';
import { errorText } from './error-text.js';

const client = new pg.Client(databaseConfig());
try {
  await client.connect();
  await client.query('SELECT 1');
  console.log('Connection has been established successfully.');
  process.exitCode = 0;
} catch (err) {
  console.error('Unable to connect to the database:', errorText(err));
  process.exitCode = 1;
} finally {
  await client.end().catch((err: Error) => console.error('closing the connection failed:', err.message));
}
process.exit();
