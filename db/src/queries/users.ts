import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { hashPassword } from '../auth/password';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { epochMsToIso } from './codecs';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

/** Whether `role` may do what `needed` may: admin ⊃ editor ⊃ viewer. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

const userRow = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  password_hash: z.string(),
  created_at: z.coerce.number(),
  deleted_at: z.coerce.number().nullable(),
});
type UserRow = z.infer<typeof userRow>;

const USER_COLUMNS = `toString(id) AS id, email, name, role, password_hash,
  toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(deleted_at) AS deleted_at`;

/** A refusal the API answers as-is: 404 for an unknown user, 409 for a taken email or the last admin. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const publicUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  created_at: epochMsToIso.parse(row.created_at),
});

async function activeRows(store: Store, where = '1', params = {}): Promise<UserRow[]> {
  const rows = await store.query(
    `SELECT ${USER_COLUMNS} FROM ${Tables.users} FINAL
     WHERE deleted_at IS NULL AND ${where} ORDER BY created_at, id`,
    params,
  );
  return rows.map((r) => userRow.parse(r));
}

export async function listUsers(store: Store): Promise<User[]> {
  return (await activeRows(store)).map(publicUser);
}

export async function getUser(store: Store, id: string): Promise<User | undefined> {
  const [row] = await activeRows(store, 'toString(id) = {id:String}', { id });
  return row && publicUser(row);
}

/** The user with this email and its password hash, for login. */
export async function findUserForLogin(
  store: Store,
  email: string,
): Promise<(User & { password_hash: string }) | undefined> {
  const [row] = await activeRows(store, 'email = {email:String}', { email: normalizeEmail(email) });
  return row && { ...publicUser(row), password_hash: row.password_hash };
}

async function write(store: Store, row: UserRow): Promise<void> {
  await store.insert(Tables.users, [{ ...row, updated_at: Date.now() }]);
}

async function assertEmailFree(store: Store, email: string, exceptId?: string): Promise<void> {
  const taken = await activeRows(store, 'email = {email:String}', { email });
  if (taken.some((r) => r.id !== exceptId)) {
    throw new UserError(`email: ${email} already belongs to a user`, 409);
  }
}

export interface NewUser {
  email: string;
  name?: string;
  role: Role;
  password: string;
}

export async function createUser(store: Store, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  await assertEmailFree(store, email);
  const row: UserRow = {
    id: randomUUID(),
    email,
    name: input.name ?? '',
    role: input.role,
    password_hash: await hashPassword(input.password),
    created_at: Date.now(),
    deleted_at: null,
  };
  await write(store, row);
  return publicUser(row);
}

/** Whether anyone can sign in yet (else the dashboard offers the one-time setup). */
export async function hasUsers(store: Store): Promise<boolean> {
  return (await activeRows(store)).length > 0;
}

let firstAdmin: Promise<unknown> = Promise.resolve();

/**
 * The one-time setup: creates the first admin only while there is no user at all. Calls are
 * serialized, so two setups racing in this process cannot both succeed (the web role that serves
 * the setup page is one process per store).
 */
export function createFirstAdmin(store: Store, input: Omit<NewUser, 'role'>): Promise<User> {
  const created = firstAdmin.then(async () => {
    if (await hasUsers(store))
      throw new UserError('setup: done already; sign in with an existing account', 409);
    return createUser(store, { ...input, role: 'admin' });
  });
  firstAdmin = created.catch(() => undefined);
  return created;
}

async function existing(store: Store, id: string): Promise<UserRow> {
  const [row] = await activeRows(store, 'toString(id) = {id:String}', { id });
  if (!row) throw new UserError(`no user with id ${id}`, 404);
  return row;
}

/** Refuses a change that would leave no admin (nobody could manage users any more). */
async function assertAdminRemains(store: Store, row: UserRow): Promise<void> {
  if (row.role !== 'admin') return;
  const admins = await activeRows(store, "role = 'admin'");
  if (admins.every((a) => a.id === row.id)) {
    throw new UserError('role: the last admin cannot be demoted or deleted', 409);
  }
}

export interface UserUpdate {
  email?: string;
  name?: string;
  role?: Role;
  password?: string;
}

/** Applies the given fields; a new password is hashed (the caller revokes the user's sessions). */
export async function updateUser(store: Store, id: string, input: UserUpdate): Promise<User> {
  const row = await existing(store, id);
  const email = input.email === undefined ? row.email : normalizeEmail(input.email);
  if (email !== row.email) await assertEmailFree(store, email, id);
  if (input.role !== undefined && input.role !== 'admin') await assertAdminRemains(store, row);
  const next: UserRow = {
    ...row,
    email,
    name: input.name ?? row.name,
    role: input.role ?? row.role,
    password_hash:
      input.password === undefined ? row.password_hash : await hashPassword(input.password),
  };
  await write(store, next);
  return publicUser(next);
}

export async function deleteUser(store: Store, id: string): Promise<User> {
  const row = await existing(store, id);
  await assertAdminRemains(store, row);
  await write(store, { ...row, deleted_at: Date.now() });
  return publicUser(row);
}
