// The record form's model: a record's values as the inputs edit them, back to the API's payload,
// the fingerprint that tells unsaved changes, drafts, and small helpers (dates, secrets) shared
// by the panel's inputs.
import { ClientResponseError, type CollectionField, type CollectionModel, type RecordModel } from "pocketbase";

// A record's values keyed by field name; each field type has its own shape (string, number,
// array of names and Files, {lon, lat}…), so the map cannot be typed more closely.
export type Values = Record<string, any>;

/** Existing files of a field marked for removal (restorable until saved). */
export type Removals = Record<string, string[]>;

/** Auth system fields with inputs of their own (above the others). */
const AUTH_FIELDS = ["email", "emailVisibility", "verified", "password", "tokenKey"];

export function isMultiple(field: CollectionField): boolean {
    return (field.maxSelect ?? 1) > 1;
}

export function toArray<T>(value: T | T[] | null | undefined): T[] {
    if (Array.isArray(value)) return value;
    return value === null || value === undefined || value === "" ? [] : [value];
}

/** The fields that get an input in the form, in collection order. */
export function formFields(collection: CollectionModel): CollectionField[] {
    const skip = collection.type === "auth" ? AUTH_FIELDS : [];
    return collection.fields.filter((f) => !f.primaryKey && f.type !== "autodate" && !skip.includes(f.name));
}

/** The record (or a new one) as the inputs edit it: lists always arrays, JSON as text. */
export function toForm(collection: CollectionModel, record: Partial<RecordModel> | null): Values {
    // a deep copy of plain data (a record handed in may be a reactive proxy)
    const values: Values = JSON.parse(JSON.stringify(record ?? {}));
    delete values.expand;
    values.id ??= "";
    values.collectionId ??= collection.id;
    values.collectionName ??= collection.name;
    for (const field of collection.fields) {
        const value = values[field.name];
        switch (field.type) {
            case "file":
            case "relation":
                values[field.name] = toArray(value);
                break;
            case "select":
                values[field.name] = isMultiple(field) ? toArray(value) : (toArray(value)[0] ?? "");
                break;
            case "json":
                values[field.name] = value === null || value === undefined ? "" : JSON.stringify(value, null, 2);
                break;
            case "geoPoint":
                values[field.name] = { lon: Number(value?.lon ?? 0), lat: Number(value?.lat ?? 0) };
                break;
            case "bool":
                values[field.name] = !!value;
                break;
            case "number":
                values[field.name] = value ?? null;
                break;
            case "password":
                delete values[field.name];
                break;
            default:
                values[field.name] = value ?? "";
        }
    }
    if (collection.type === "auth") {
        // never read, only reset (from the menu): an empty one would be refused
        delete values.tokenKey;
        values.emailVisibility = !!values.emailVisibility;
        values.verified = !!values.verified;
    }
    return values;
}

/** The body of the save: the whole record (the server ignores read-only keys). Throws the
 *  API-shaped "Invalid JSON data" error when a JSON input does not parse. */
export function toPayload(collection: CollectionModel, values: Values, removals: Removals): Values {
    const payload: Values = {};
    for (const [key, value] of Object.entries(values)) {
        if (key === "expand" || key.startsWith("@@")) continue;
        if ((key === "password" || key === "passwordConfirm") && !value) continue;
        payload[key] = value === undefined ? null : value;
    }
    for (const field of collection.fields) {
        const value = values[field.name];
        if (field.type === "file") {
            const removed = removals[field.name] ?? [];
            payload[field.name] = toArray<string | File>(value).filter((v) => typeof v !== "string" || !removed.includes(v));
        } else if (field.type === "relation") {
            payload[field.name] = isMultiple(field) ? toArray(value) : (toArray(value)[0] ?? "");
        } else if (field.type === "json") {
            payload[field.name] = parseJson(field.name, value);
        }
    }
    return payload;
}

/** The request body: JSON, or multipart when files are picked. Unlike the SDK's own switch,
 *  every value but the files goes in `@jsonPayload`: a text part would have its line breaks
 *  turned into CRLF by the browser's form encoding. */
export function toBody(payload: Values): Values | FormData {
    const withFiles = Object.keys(payload).filter(
        (key) => Array.isArray(payload[key]) && payload[key].some((v: unknown) => v instanceof File),
    );
    if (!withFiles.length) return payload;
    const body = new FormData();
    const rest: Values = {};
    for (const [key, value] of Object.entries(payload)) {
        if (!withFiles.includes(key)) rest[key] = value;
        // kept names as text parts, new files as file parts, in order
        else for (const item of value as (string | File)[]) body.append(key, item);
    }
    body.append("@jsonPayload", JSON.stringify(rest));
    return body;
}

function parseJson(name: string, text: unknown): unknown {
    if (typeof text !== "string") return text ?? null;
    if (!text.trim()) return null;
    try {
        return JSON.parse(text);
    } catch (err) {
        // shaped like the API's answer so the one error routine shows it under the input
        throw new ClientResponseError({
            status: 400,
            response: { message: "Invalid JSON data", data: { [name]: { code: "invalid_json", message: String(err) } } },
        });
    }
}

/** What tells unsaved changes: the values (new files by name and size) and the removals. */
export function fingerprint(values: Values, removals: Removals): string {
    return JSON.stringify([values, removals], (key, value) => {
        if (key === "password" || key === "passwordConfirm" || key === "expand") return undefined;
        if (value instanceof File) return `file:${value.name}:${value.size}:${value.lastModified}`;
        return value;
    });
}

// Drafts keep what survives a reload: everything but passwords and picked (not yet uploaded) files.
export function draftKey(collection: CollectionModel, id: string): string {
    return `draft_${collection.id}_${id}`;
}

export function draftJson(values: Values): string {
    return JSON.stringify(values, (key, value) => {
        if (key === "password" || key === "passwordConfirm" || key === "expand") return undefined;
        if (Array.isArray(value)) return value.filter((v) => !(v instanceof File));
        return value;
    });
}

export function readDraft(key: string): Values | null {
    try {
        const raw = localStorage.getItem(key);
        return raw ? JSON.parse(raw) : null;
    } catch {
        localStorage.removeItem(key);
        return null;
    }
}

export function writeDraft(key: string, json: string): void {
    try {
        localStorage.setItem(key, json);
    } catch {
        // over the storage quota (big texts): no draft rather than a broken form
        localStorage.removeItem(key);
    }
}

// ---- dates: stored as UTC "YYYY-MM-DD HH:MM:SS.mmmZ", edited in local time

const pad = (n: number, size = 2) => String(n).padStart(size, "0");

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function toLocalInput(utc: string): string {
    if (!utc) return "";
    const date = new Date(utc.replace(" ", "T"));
    if (isNaN(date.getTime())) return "";
    return (
        `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
        `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    );
}

export function fromLocalInput(local: string): string {
    if (!local) return "";
    const date = new Date(local);
    return isNaN(date.getTime()) ? "" : date.toISOString().replace("T", " ");
}

// ---- secrets

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomSecret(length: number): string {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}
