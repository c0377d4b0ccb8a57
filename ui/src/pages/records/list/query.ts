// What the records list asks the API for, derived from the collection and the screen's state:
// the filter (plain text becomes a search over the visible fields), the sort, the expands, the
// columns, and the short summaries of related records.
import type { CollectionField, CollectionModel, RecordModel } from "pocketbase";
import { pb } from "../../../lib/api";
import { findCollection } from "../../../lib/store.svelte";

export const PER_PAGE = 40;

// Names that stand for a record when its collection marks no field as presentable (PocketBase's list).
const FALLBACK_PRESENTABLE = [
    "title",
    "name",
    "slug",
    "email",
    "username",
    "nickname",
    "displayName",
    "label",
    "subject",
    "topic",
    "message",
    "heading",
    "headline",
    "header",
    "caption",
    "key",
    "identifier",
    "id",
];

/** Input with no filter operator is a search term: `f1 ?~ "term" || f2 ?~ "term" …`. */
export function searchFilter(input: string, collection: CollectionModel): string {
    const term = input.trim();
    const fields = collection.fields.filter((f) => !f.hidden).map((f) => f.name);
    if (!term || !fields.length || /[=~><]/.test(term)) return term;
    const plain = Number.isNaN(Number(term)) && term !== "true" && term !== "false" ? term.replace(/^["'`]|["'`]$/g, "") : term;
    return fields.map((name) => pb.filter(`${name}?~{:plain}`, { plain })).join("||");
}

/** The fields that may get a column (`_superusers.verified` never does). */
export function columnFields(collection: CollectionModel): CollectionField[] {
    return collection.fields.filter((f) => !(collection.name === "_superusers" && f.name === "verified") && f.type !== "password");
}

export function expandFields(collection: CollectionModel): string[] {
    return collection.fields.filter((f) => !f.hidden && f.type === "relation").map((f) => f.name);
}

export interface Sort {
    field: string;
    desc: boolean;
}

export function parseSort(sort: string): Sort | null {
    const match = /^([+-])?(\w+)$/.exec(sort);
    return match ? { field: match[2], desc: match[1] === "-" } : null;
}

/** The `sort` parameter: the chosen field, a relation by its target's presentable fields, else
 *  the newest first (`-@rowid`; views have no rowid and so no default). */
export function apiSort(collection: CollectionModel, sort: string): string | undefined {
    const parsed = parseSort(sort);
    const field = parsed && collection.fields.find((f) => f.name === parsed.field);
    if (!parsed || !field) return collection.type === "view" ? undefined : "-@rowid";
    const sign = parsed.desc ? "-" : "";
    if (field.type !== "relation") return sign + field.name;
    const names = summaryFields(findCollection(field.collectionId));
    return names.map((name) => `${sign}${field.name}.${name}`).join(",") || sign + field.name;
}

/** The fields a related record is summarised by: its presentable ones (files last), else the
 *  first usual name it has. */
export function summaryFields(collection: CollectionModel | undefined): string[] {
    if (!collection) return ["id"];
    const presentable = collection.fields.filter((f) => f.presentable).sort((a, b) => Number(a.type === "file") - Number(b.type === "file"));
    if (presentable.length) return presentable.map((f) => f.name);
    const fallback = FALLBACK_PRESENTABLE.find((name) => collection.fields.some((f) => f.name === name));
    return [fallback ?? "id"];
}

/** A one-line text of a related record. */
export function summarize(record: RecordModel): string {
    const collection = findCollection(record.collectionId);
    const parts = summaryFields(collection)
        .map((name) => record[name])
        .flatMap((value) => (Array.isArray(value) ? value : [value]))
        .filter((value) => value !== "" && value !== null && value !== undefined)
        .map((value) => (typeof value === "object" ? JSON.stringify(value) : String(value)));
    return parts.join(", ") || record.id;
}

// Column choices per collection: field id → shown (only the fields changed from their default).
const COLUMNS = "pbColumns_";

export function loadColumns(collectionId: string): Record<string, boolean> {
    try {
        const stored = JSON.parse(localStorage.getItem(COLUMNS + collectionId) ?? "{}");
        return stored && typeof stored === "object" ? stored : {};
    } catch {
        return {};
    }
}

export function saveColumns(collectionId: string, choices: Record<string, boolean>): void {
    localStorage.setItem(COLUMNS + collectionId, JSON.stringify(choices));
}

// The last searches per collection, newest first.

