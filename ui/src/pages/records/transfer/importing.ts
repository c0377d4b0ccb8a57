// Records from a CSV or JSON file: reading it, matching its columns to the collection's fields,
// turning cells into field values, and creating the records — through `/api/batch`, one
// transaction per chunk, or one request each when batch requests are off. A chunk that fails is
// retried without its failing row, so every row ends up either created or listed with its error.
import Papa from "papaparse";
import { ClientResponseError, type CollectionField, type CollectionModel } from "pocketbase";
import { pb } from "../../../lib/api";
import { batchLimits, batchRefused, chunks, inParallel } from "./batch";

export interface Parsed {
    columns: string[];
    rows: Record<string, unknown>[];
}

export interface RowError {
    row: number;
    field: string;
    message: string;
}

export interface Prepared {
    row: number;
    body: Record<string, unknown>;
}

export async function parseFile(file: File): Promise<Parsed> {
    const text = (await file.text()).replace(/^\uFEFF/, "");
    if (/\.json$/i.test(file.name) || /^\s*[[{]/.test(text)) return parseJSON(text);
    const result = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: "greedy" });
    const fatal = result.errors.find((error) => error.type === "Quotes" || error.type === "Delimiter");
    if (fatal && !result.data.length) throw new Error(`Invalid CSV (row ${(fatal.row ?? 0) + 1}): ${fatal.message}`);
    const columns = (result.meta.fields ?? []).filter((name) => name !== "");
    return { columns, rows: result.data };
}

function parseJSON(text: string): Parsed {
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (err) {
        throw new Error("Invalid JSON: " + (err instanceof Error ? err.message : String(err)));
    }
    // An array of records, one record, or a list response (`{items: [...]}`).
    const list = Array.isArray(data) ? data : data && typeof data === "object" && Array.isArray((data as { items?: unknown }).items) ? (data as { items: unknown[] }).items : [data];
    const rows = list.filter((item): item is Record<string, unknown> => !!item && typeof item === "object" && !Array.isArray(item));
    if (rows.length !== list.length) throw new Error("Invalid JSON: expected an array of objects.");
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
        for (const key of Object.keys(row)) {
            if (!seen.has(key) && key !== "expand") {
                seen.add(key);
                columns.push(key);
            }
        }
    }
    return { columns, rows };
}

/** The fields a file can fill: not autodates (set by the server), files or the token key. */
export function importableFields(collection: CollectionModel): CollectionField[] {
    return collection.fields.filter((f) => f.type !== "autodate" && f.type !== "file" && !(collection.type === "auth" && f.name === "tokenKey"));
}

/** Column → field name ("" = skip), matched by name, exactly first, then ignoring case. */
export function autoMap(columns: string[], fields: CollectionField[]): Record<string, string> {
    const mapping: Record<string, string> = {};
    const used = new Set<string>();
    for (const exact of [true, false]) {
        for (const column of columns) {
            if (mapping[column]) continue;
            const field = fields.find((f) => !used.has(f.name) && (exact ? f.name === column : f.name.toLowerCase() === column.trim().toLowerCase()));
            if (field) {
                mapping[column] = field.name;
                used.add(field.name);
            }
        }
    }
    for (const column of columns) mapping[column] ??= "";
    return mapping;
}

type Converted = { value: unknown } | { error: string } | null;

function parseMaybeJSON(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** A cell as the field's value; null means "leave it out" (an empty cell: the server's default). */
export function convert(field: CollectionField, raw: unknown): Converted {
    if (raw === undefined || raw === null) return null;
    const text = typeof raw === "string" ? raw.trim() : "";
    if (typeof raw === "string" && text === "") return null;
    switch (field.type) {
        case "number": {
            const number = typeof raw === "number" ? raw : Number(text);
            return Number.isFinite(number) ? { value: number } : { error: "Must be a number." };
        }
        case "bool": {
            if (typeof raw === "boolean") return { value: raw };
            const word = String(raw).trim().toLowerCase();
            if (["true", "1", "yes", "on"].includes(word)) return { value: true };
            if (["false", "0", "no", "off"].includes(word)) return { value: false };
            return { error: "Must be true or false." };
        }
        case "json": {
            if (typeof raw !== "string") return { value: raw };
            // Text that is not JSON is kept as a JSON string.
            const parsed = parseMaybeJSON(text);
            return { value: parsed === undefined ? JSON.stringify(raw) : parsed };
        }
        case "select":
        case "relation": {
            const multiple = (field.maxSelect ?? 1) > 1;
            let items: unknown[];
            if (Array.isArray(raw)) items = raw;
            else if (text.startsWith("[")) {
                const parsed = parseMaybeJSON(text);
                if (!Array.isArray(parsed)) return { error: "Invalid list value." };
                items = parsed;
            } else items = multiple ? String(raw).split(",") : [String(raw)];
            const values = items.map((item) => String(item).trim()).filter(Boolean);
            return { value: multiple ? values : (values[0] ?? "") };
        }
        case "geoPoint": {
            if (typeof raw === "object") return { value: raw };
            const parsed = parseMaybeJSON(text);
            if (parsed && typeof parsed === "object") return { value: parsed };
            const match = /^\s*(-?[\d.]+)\s*[,; ]\s*(-?[\d.]+)\s*$/.exec(text);
            return match ? { value: { lon: Number(match[1]), lat: Number(match[2]) } } : { error: 'Must be "longitude, latitude".' };
        }
        default:
            return { value: typeof raw === "object" ? JSON.stringify(raw) : typeof raw === "string" ? raw : String(raw) };
    }
}

/** The request bodies of the rows, and the rows that cannot be sent as they are. */
export function prepare(collection: CollectionModel, parsed: Parsed, mapping: Record<string, string>): { ready: Prepared[]; errors: RowError[] } {
    const fields = new Map(importableFields(collection).map((f) => [f.name, f]));
    const ready: Prepared[] = [];
    const errors: RowError[] = [];
    parsed.rows.forEach((data, index) => {
        const row = index + 1;
        const body: Record<string, unknown> = {};
        let failed = false;
        for (const [column, name] of Object.entries(mapping)) {
            const field = name ? fields.get(name) : undefined;
            if (!field) continue;
            const converted = convert(field, data[column]);
            if (!converted) continue;
            if ("error" in converted) {
                errors.push({ row, field: name, message: converted.error });
                failed = true;
            } else body[name] = converted.value;
        }
        if (collection.type === "auth" && typeof body.password === "string") body.passwordConfirm = body.password;
        if (!failed) ready.push({ row, body });
    });
    return { ready, errors };
}

/** The rows' errors from a failed create: one per invalid field, else the message. */
function rowErrors(row: number, response: { message?: unknown; data?: unknown } | undefined): RowError[] {
    const data = (response?.data ?? {}) as Record<string, { message?: unknown }>;
    const fieldErrors = Object.entries(data)
        .filter(([, error]) => error && typeof error.message === "string")
        .map(([field, error]) => ({ row, field, message: String(error.message) }));
    if (fieldErrors.length) return fieldErrors;
    const message = typeof response?.message === "string" && response.message ? response.message : "Failed to create record.";
    return [{ row, field: "", message }];
}

/** The index and response of the request that failed a batch, if the API named one. */
function failedRequest(err: ClientResponseError): { index: number; response: { message?: unknown; data?: unknown } } | null {
    const requests = (err.response?.data as { requests?: Record<string, { response?: { message?: unknown; data?: unknown } }> } | undefined)?.requests;
    if (!requests || typeof requests !== "object") return null;
    for (const [key, value] of Object.entries(requests)) {
        if (/^\d+$/.test(key) && value && typeof value === "object") return { index: Number(key), response: value.response ?? {} };
    }
    return null;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Progress {
    mode: "batch" | "single";
    done: number;
    created: number;
    errors: RowError[];
}

/** Creates the records; `progress` changes as it goes; `stopped()` ends it between chunks. */
export async function importRecords(collection: CollectionModel, rows: Prepared[], progress: Progress, stopped: () => boolean): Promise<void> {
    const limits = await batchLimits();
    let rest = rows;
    if (limits.enabled) {
        progress.mode = "batch";
        const size = Math.max(1, Math.min(limits.maxRequests, 100));
        const queue = chunks(rows, size);
        while (queue.length && !stopped()) {
            const chunk = queue.shift() as Prepared[];
            const left = await sendChunk(collection, chunk, progress);
            if (left) {
                rest = [...left, ...queue.flat()];
                break;
            }
            rest = queue.flat();
        }
        if (progress.mode === "batch") return;
    }
    progress.mode = "single";
    await inParallel(rest, 6, async (item) => {
        if (stopped()) return;
        try {
            await pb.collection(collection.id).create(item.body, { fields: "id", requestKey: null });
            progress.created++;
        } catch (err) {
            progress.errors.push(...rowErrors(item.row, err instanceof ClientResponseError ? err.response : { message: String(err) }));
        }
        progress.done++;
    });
}

/** One chunk in one transaction; on failure the failing row is set aside and the rest retried.
 *  Returns the unsent rows when batch requests turn out to be off. */
async function sendChunk(collection: CollectionModel, chunk: Prepared[], progress: Progress): Promise<Prepared[] | null> {
    let pending = chunk;
    while (pending.length) {
        const batch = pb.createBatch();
        for (const item of pending) batch.collection(collection.id).create(item.body, { fields: "id" });
        try {
            await batch.send({ requestKey: null });
            progress.created += pending.length;
            progress.done += pending.length;
            return null;
        } catch (err) {
            if (!(err instanceof ClientResponseError)) throw err;
            if (batchRefused(err)) {
                progress.mode = "single";
                return pending;
            }
            if (err.status === 429) {
                await pause(1000);
                continue;
            }
            const failed = failedRequest(err);
            if (failed && failed.index < pending.length) {
                progress.errors.push(...rowErrors(pending[failed.index].row, failed.response));
                progress.done++;
                pending = pending.filter((_, index) => index !== failed.index);
            } else if (pending.length > 1) {
                // No row named (a timeout, a too large body): halve the chunk until one is.
                const half = Math.ceil(pending.length / 2);
                const left = await sendChunk(collection, pending.slice(0, half), progress);
                if (left) return [...left, ...pending.slice(half)];
                pending = pending.slice(half);
            } else {
                progress.errors.push(...rowErrors(pending[0].row, err.response));
                progress.done++;
                pending = [];
            }
        }
    }
    return null;
}
