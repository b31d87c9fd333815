// The "People" table and its queries. The schema is what the seed's Sequelize model creates with
// sync(): id SERIAL, firstName NOT NULL, lastName, createdAt/updatedAt timestamptz NOT NULL.
import type { Pool } from 'pg';

export const CREATE_PEOPLE_TABLE =
  'CREATE TABLE IF NOT EXISTS "People" ("id" SERIAL, "firstName" VARCHAR(255) NOT NULL, ' +
  '"lastName" VARCHAR(255), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, ' +
  '"updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))';

const COLUMNS = '"id", "firstName", "lastName", "createdAt", "updatedAt"';

export interface Person {
  id: number;
  firstName: string;
  lastName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPerson {
  id?: string;
  firstName?: string;
  lastName?: string;
}

/** Thrown for input the model rejects before SQL runs, shaped like Sequelize's error. */
export class ValidationError extends Error {
  override readonly name = 'SequelizeValidationError';
  constructor(readonly errors: Array<{ message: string; type: string; path: string; value: null }>) {
    super(errors.map((e) => e.message).join('; '));
  }
  toJSON(): object {
    return { name: this.name, errors: this.errors };
  }
}

export async function findPerson(pool: Pool, id: string): Promise<Person | null> {
  const res = await pool.query<Person>(`SELECT ${COLUMNS} FROM "People" WHERE "id" = $1`, [id]);
  return res.rows[0] ?? null;
}

export async function allPeople(pool: Pool): Promise<Person[]> {
  return (await pool.query<Person>(`SELECT ${COLUMNS} FROM "People"`)).rows;
}

/** Inserts a person; the id is the given one or the next serial, like Sequelize's create(). */
export async function createPerson(pool: Pool, input: NewPerson): Promise<Person> {
  if (input.firstName === undefined) {
    throw new ValidationError([
      {
        message: 'Person.firstName cannot be null',
        type: 'notNull Violation',
        path: 'firstName',
        value: null,
      },
    ]);
  }
  const withId = input.id !== undefined && input.id !== '';
  const names = withId ? '"id", "firstName", "lastName"' : '"firstName", "lastName"';
  const values = withId
    ? [input.id, input.firstName, input.lastName ?? null]
    : [input.firstName, input.lastName ?? null];
  const params = values.map((_, i) => `$${i + 1}`).join(', ');
  const sql = `INSERT INTO "People" (${names}, "createdAt", "updatedAt") VALUES (${params}, now(), now()) RETURNING ${COLUMNS}`;
  return (await pool.query<Person>(sql, values)).rows[0]!;
}

export async function deletePerson(pool: Pool, id: string): Promise<void> {
  await pool.query('DELETE FROM "People" WHERE "id" = $1', [id]);
}
