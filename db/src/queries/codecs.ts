import { z } from 'zod';

/** ClickHouse returns 64-bit integers as strings; times are selected as epoch ms. */
export const epochMsToIso = z.coerce.number().transform((ms) => new Date(ms).toISOString());
export const count = z.coerce.number();
