// What the overview asks the API for: record counts per collection (a few at a time), requests
// and errors per hour over the last day, and the main database's size.
import type { CollectionModel } from "pocketbase";
import { pb } from "../../lib/api";

/** Collections counted at most (non-system first); the rest are only linked. */
export const MAX_COUNTED = 24;
const PARALLEL = 4;

export interface Count {
    collection: CollectionModel;
    total?: number;
    error?: string;
}

/** Non-system collections first, then by name. */
export function countOrder(list: CollectionModel[]): CollectionModel[] {
    return [...list].sort((a, b) => Number(a.system) - Number(b.system) || a.name.localeCompare(b.name));
}

/** Runs `task` over `items`, at most `PARALLEL` at once, reporting each result as it comes. */
export async function eachLimited<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) await task(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

/** The number of records of one collection (one id fetched, the total counted). */
export async function countRecords(collection: CollectionModel, requestKey: string): Promise<number> {
    const page = await pb.collection(collection.id).getList(1, 1, { fields: "id", requestKey });
    return page.totalItems;
}

export interface Hour {
    start: Date;
    requests: number;
    errors: number;
}

/** The API's form of a date: "2025-01-31 10:00:00.000Z". */
export function apiDate(date: Date): string {
    return date.toISOString().replace("T", " ");
}

/** The 24 hours up to now (the current one included), oldest first. */
export function lastDay(now = new Date()): Date[] {
    const current = new Date(now);
    current.setUTCMinutes(0, 0, 0);
    return Array.from({ length: 24 }, (_, at) => new Date(current.getTime() - (23 - at) * 3600_000));
}

export const REQUESTS = 'data.type = "request"';
export const ERRORS = "level > 0 || data.status >= 400";
export const WITHOUT_SUPERUSERS = "data.auth != '_superusers'";

function byHour(stats: { total: number; date: string }[]): Map<string, number> {
    return new Map(stats.map((item) => [item.date.slice(0, 13).replace(" ", "T"), item.total]));
}

/** Requests and errors per hour since `hours[0]`. */
export async function hourly(hours: Date[], superusers: boolean, requestKey: string): Promise<Hour[]> {
    const since = `created >= "${apiDate(hours[0])}"`;
    const who = superusers ? "" : ` && ${WITHOUT_SUPERUSERS}`;
    const [requests, errors] = await Promise.all([
        pb.logs.getStats({ filter: `${since} && ${REQUESTS}${who}`, requestKey: requestKey + "_requests" }),
        pb.logs.getStats({ filter: `${since} && (${ERRORS})${who}`, requestKey: requestKey + "_errors" }),
    ]);
    const requestsAt = byHour(requests);
    const errorsAt = byHour(errors);
    return hours.map((start) => {
        const key = start.toISOString().slice(0, 13);
        return { start, requests: requestsAt.get(key) ?? 0, errors: errorsAt.get(key) ?? 0 };
    });
}

/** The main database's size, as SQLite reports it through the SQL console API. */
export const SIZE_QUERY = "SELECT page_count * page_size AS size FROM pragma_page_count(), pragma_page_size()";

export async function databaseSize(requestKey: string): Promise<number> {
    const result = await pb.send<{ rows?: (string | null)[][] }>("/api/sql", { method: "POST", body: { query: SIZE_QUERY }, requestKey });
    const value = Number(result.rows?.[0]?.[0]);
    if (!Number.isFinite(value)) throw new Error("The database did not report its size.");
    return value;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 365 * 86400],
    ["month", 30 * 86400],
    ["week", 7 * 86400],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
];

/** "3 hours ago", "yesterday", "now". */
export function ago(date: Date, now = Date.now()): string {
    const seconds = Math.round((date.getTime() - now) / 1000);
    for (const [unit, size] of STEPS) {
        if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
    }
    return relative.format(0, "second");
}
