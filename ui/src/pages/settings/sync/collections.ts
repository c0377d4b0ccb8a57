// The collections configuration as exported and imported (PocketBase's `pb_schema.json`): what is
// stripped, how a pasted configuration is checked, and how two configurations are compared.
import type { CollectionField, CollectionModel } from "pocketbase";
import { pb } from "../../../lib/api";
import { sortCollections } from "../../../lib/store.svelte";

/** A collection as configured: what the API lists, or whatever was pasted (checked loosely). */
export interface Config {
    id: string;
    name: string;
    type?: string;
    system?: boolean;
    fields?: CollectionField[];
    indexes?: string[];
    [key: string]: unknown;
}

/** Drops what belongs to one installation only: the timestamps and the OAuth2 providers. */
export function strip(collection: CollectionModel | Config): Config {
    const copy = structuredClone(collection) as Config;
    delete copy.created;
    delete copy.updated;
    if (copy.oauth2 && typeof copy.oauth2 === "object") delete (copy.oauth2 as { providers?: unknown }).providers;
    return copy;
}

/** Every collection, stripped, in the export order (auth, base, view). */
export async function loadConfig(requestKey: string): Promise<Config[]> {
    const list = await pb.collections.getFullList({ batch: 1000, requestKey });
    return sortCollections(list).map(strip);
}

/** One item per id; the last one wins but keeps the first one's place. Items without an id
 *  (fields typed in by hand) all stay. */
export function uniqueById<T extends { id?: unknown }>(items: T[]): T[] {
    const byId = new Map<unknown, T>();
    items.forEach((item, at) => byId.set(item?.id || Symbol(at), item));
    return [...byId.values()];
}

/** The pasted configuration, normalised, or null when it is not a list of collections. */
export function parseConfig(raw: string): Config[] | null {
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        return null;
    }
    if (!Array.isArray(parsed) || !parsed.length) return null;
    const valid = parsed.every((item) => item && typeof item === "object" && !Array.isArray(item) && item.id && item.name);
    if (!valid) return null;
    return uniqueById(parsed as Config[]).map((collection) => {
        const copy = { ...collection };
        delete copy.created;
        delete copy.updated;
        if (Array.isArray(copy.fields)) copy.fields = uniqueById(copy.fields);
        return copy;
    });
}

export function fieldsOf(collection: Config | undefined): CollectionField[] {
    return Array.isArray(collection?.fields) ? collection.fields : [];
}

export function differs(a: unknown, b: unknown): boolean {
    return a !== b && JSON.stringify(a) !== JSON.stringify(b);
}

/** Whether importing `next` over `current` changes anything (PocketBase's rule: the order of
 *  the root properties does not count; removed fields only count when they will be deleted). */
export function hasChanges(current: Config | undefined, next: Config | undefined, deleteMissing: boolean): boolean {
    const a = (current ?? {}) as Record<string, unknown>;
    const b = (next ?? {}) as Record<string, unknown>;
    if (a.id !== b.id) return true;
    for (const key of Object.keys(a)) {
        if (key !== "fields" && differs(a[key], b[key])) return true;
    }
    const oldFields = fieldsOf(current);
    const newFields = fieldsOf(next);
    const added = newFields.some((field) => !field?.id || !oldFields.some((f) => f.id === field.id));
    const removed = removedFields(current, next).length > 0;
    const changed = newFields.some((field) => {
        const old = oldFields.find((f) => f.id === field?.id) as Record<string, unknown> | undefined;
        return !!old && Object.keys(old).some((key) => differs(old[key], (field as Record<string, unknown>)[key]));
    });
    return added || changed || (deleteMissing && removed);
}

/** The fields of `current` that `next` drops (system fields always stay). */
export function removedFields(current: Config | undefined, next: Config | undefined): CollectionField[] {
    const newFields = fieldsOf(next);
    return fieldsOf(current).filter((field) => field?.id && !field.system && !newFields.some((f) => f.id === field.id));
}

export interface Pair {
    old?: Config;
    new?: Config;
}

/** The collections the import changes: changed and deleted ones, then the added ones. */
export function changedPairs(current: Config[], next: Config[], deleteMissing: boolean): Pair[] {
    const pairs: Pair[] = [];
    for (const old of current) {
        const match = next.find((c) => c.id === old.id);
        // System collections are never deleted by an import.
        if (!match && deleteMissing && !old.system) pairs.push({ old });
        else if (match && hasChanges(old, match, deleteMissing)) pairs.push({ old, new: match });
    }
    for (const added of next) {
        if (!current.some((c) => c.id === added.id)) pairs.push({ new: added });
    }
    return pairs;
}

/** Imported collections (or fields) named like existing ones but with other ids. */
export function replaceableIds(current: Config[], next: Config[]): Config[] {
    return next.filter((collection) => {
        const old = current.find((c) => c.name === collection.name || c.id === collection.id);
        if (!old) return false;
        if (old.id !== collection.id) return true;
        const oldFields = fieldsOf(old);
        return fieldsOf(collection).some((field) => {
            if (oldFields.some((f) => f.id === field.id)) return false;
            const byName = oldFields.find((f) => f.name === field.name);
            return !!byName && byName.id !== field.id;
        });
    });
}

const INDEX_NAME = /create\s+(?:unique\s+)?\s*index\s*(?:if\s+not\s+exists\s+)?(\S*)\s+on/gim;

/** Gives the imported collections the ids of the existing ones of the same name: collection and
 *  field ids, relation targets, and index names holding the old id. Changes `next` in place. */
export function replaceIds(current: Config[], next: Config[]): void {
    for (const collection of next) {
        const old = current.find((c) => c.name === collection.name || c.id === collection.id);
        if (!old) continue;
        const originalId = collection.id;
        collection.id = old.id;
        const oldFields = fieldsOf(old);
        for (const field of fieldsOf(collection)) {
            const same = oldFields.find((f) => f.name === field.name);
            if (same?.id) field.id = same.id;
        }
        for (const other of next) {
            for (const field of fieldsOf(other)) {
                if (field.collectionId && field.collectionId === originalId) field.collectionId = old.id;
            }
        }
        if (Array.isArray(collection.indexes)) {
            collection.indexes = collection.indexes.map((index) => index.replace(INDEX_NAME, (head) => head.replace(originalId, old.id)));
        }
    }
}

/** The fields an import drops, with their data: `posts.title (id)`, or `posts.*` for a whole
 *  collection. */
export function dataLoss(current: Config[], next: Config[]): string[] {
    const lost: string[] = [];
    for (const old of current) {
        const imported = next.find((c) => c.id === old.id);
        if (!imported) {
            if (!old.system) lost.push(`${old.name}.*`);
            continue;
        }
        for (const field of removedFields(old, imported)) lost.push(`${old.name}.${field.name} (${field.id})`);
    }
    return lost;
}
