// What the backups page shares with its dialogs: the backup type, sizes and dates for people, and
// the superuser's health check, which says whether a backup or restore is running.
import { pb } from "../../../lib/api";

export type Backup = Awaited<ReturnType<typeof pb.backups.getFullList>>[number];

/** Whether a backup or restore may start now (`canBackup` of `GET /api/health`); undefined
 * when the answer doesn't say (not a superuser's session any more). A failure (the server
 * down) rejects. */
export async function canBackup(): Promise<boolean | undefined> {
    const health = await pb.health.check({ requestKey: null });
    const flag: unknown = health?.data?.canBackup;
    return typeof flag === "boolean" ? flag : undefined;
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];

export function fileSize(bytes: number): string {
    let size = bytes;
    let unit = 0;
    while (size >= 1024 && unit < UNITS.length - 1) {
        size /= 1024;
        unit++;
    }
    return `${unit ? size.toFixed(size < 10 ? 2 : 1) : size} ${UNITS[unit]}`;
}

/** The API's UTC date ("2025-01-31 10:20:30.000Z") in the browser's local time. */
export function localDate(value: string): string {
    const date = new Date(value.replace(" ", "T"));
    return isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** Newest first (PocketBase's order). */
export function newestFirst(list: Backup[]): Backup[] {
    return [...list].sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : 0));
}
