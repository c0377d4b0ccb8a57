// Many record writes at once: through `POST /api/batch` (one transaction per chunk of at most
// `settings.batch.maxRequests`) when the settings allow it, else as single requests a few at a
// time. The settings are read fresh: they may have changed since the dashboard loaded them.
import { ClientResponseError } from "pocketbase";
import { pb } from "../../../lib/api";

export interface BatchLimits {
    enabled: boolean;
    maxRequests: number;
}

export async function batchLimits(): Promise<BatchLimits> {
    const settings = await pb.settings.getAll({ fields: "batch", requestKey: null });
    const batch = (settings.batch ?? {}) as { enabled?: boolean; maxRequests?: number };
    const maxRequests = Number(batch.maxRequests) || 0;
    return { enabled: !!batch.enabled && maxRequests > 0, maxRequests };
}

export function chunks<T>(items: T[], size: number): T[][] {
    const out: T[][] = [];
    for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
    return out;
}

/** Batch turned off meanwhile (403 "Batch requests are not allowed."). */
export function batchRefused(err: unknown): boolean {
    return err instanceof ClientResponseError && err.status === 403;
}

/** Runs `task` over `items` with at most `parallel` running at once; stops at the first failure. */
export async function inParallel<T>(items: T[], parallel: number, task: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) await task(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

/** Deletes records; returns how many went. Throws the first API error (the ones before it are gone). */
export async function deleteRecords(collectionId: string, ids: string[]): Promise<number> {
    const limits = await batchLimits();
    let done = 0;
    if (limits.enabled) {
        try {
            for (const chunk of chunks(ids, limits.maxRequests)) {
                const batch = pb.createBatch();
                for (const id of chunk) batch.collection(collectionId).delete(id);
                await batch.send({ requestKey: null });
                done += chunk.length;
            }
            return done;
        } catch (err) {
            if (!batchRefused(err)) throw err;
        }
    }
    // PocketBase's own way: single DELETEs, 100 at a time.
    for (const chunk of chunks(ids.slice(done), 100)) {
        await Promise.all(chunk.map((id) => pb.collection(collectionId).delete(id, { requestKey: null })));
        done += chunk.length;
    }
    return done;
}
