// The SQL console's rules: which queries are confirmed first, the history of executed queries
// (PocketBase's localStorage key, so both dashboards share it), and sorting result rows.
import { pb } from "../../../lib/api";

export type SqlResult = Awaited<ReturnType<typeof pb.sql.run>>;

const HISTORY_KEY = "pbSQLConsoleHistory";
const HISTORY_SIZE = 10;
const RISKY = ["ALTER", "REPLACE", "INSERT", "CREATE", "UPDATE", "DELETE", "DROP", "DETACH", "PRAGMA"];

/** Whether the query holds a statement that may change the database (anywhere, as PocketBase's
 * loose check: `WITH … DELETE` and a second statement count too). */
export function isRisky(query: string): boolean {
    const words = new Set(query.toUpperCase().split(/[^A-Z_]+/));
    return RISKY.some((word) => words.has(word));
}

export function loadHistory(): string[] {
    try {
        const stored: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]");
        return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === "string").slice(0, HISTORY_SIZE) : [];
    } catch {
        return [];
    }
}

// Queries differing only in spacing, case or semicolons are the same entry.
const loose = (query: string) => query.replace(/[\s;]+/g, "").toUpperCase();

export function withoutQuery(history: string[], query: string): string[] {
    return history.filter((item) => loose(item) !== loose(query));
}

export function withQuery(history: string[], query: string): string[] {
    return [query, ...withoutQuery(history, query)].slice(0, HISTORY_SIZE);
}

export function saveHistory(history: string[]): void {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
}

export interface Sort {
    column: number;
    asc: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** Rows sorted by one column: NULL first, numbers by value (every value is a string). */
export function sortRows(rows: (string | null)[][], sort: Sort | null): (string | null)[][] {
    if (!sort) return rows;
    const { column, asc } = sort;
    return [...rows].sort((a, b) => {
        const [x, y] = asc ? [a[column], b[column]] : [b[column], a[column]];
        if (x === y) return 0;
        if (x === null) return -1;
        if (y === null) return 1;
        return collator.compare(x, y);
    });
}
