// The suggestions of the filter and rule editors (admin-ui.md §2.5): from the word under the
// cursor, at most 30 keys — the collection's identifiers (with modifiers, relation paths and
// back-relations), the caller's extra keys and the macros, then `@request.*` keys, then
// `@collection.*` keys (the last two only in rules); shortest first within each group.
import type { CollectionField, CollectionModel } from "pocketbase";
import type { CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";
import { syntaxTree } from "@codemirror/language";
import { MACROS } from "./filter-language";

const MAX_SUGGESTIONS = 30;

// Deep enough for real schemas without walking every path of a large, cyclic one.
const MAX_DEPTH = 4;

export interface Suggestion {
    key: string;
    /** What the key is (a field type, "macro", …), shown next to it. */
    detail: string;
}

export interface SuggestionOptions {
    /** The collection being filtered; may be an unsaved working copy. */
    collection: CollectionModel | null;
    /** All saved collections (relation targets, `@request.auth`, `@collection`). */
    collections: CollectionModel[];
    mode: "filter" | "rule";
    extraKeys?: string[];
}

const REQUEST_KEYS = [
    "@request.context",
    "@request.method",
    "@request.query.",
    "@request.body.",
    "@request.headers.",
    "@request.auth.collectionId",
    "@request.auth.collectionName",
];

export function suggest(word: string, options: SuggestionOptions): Suggestion[] {
    const needle = word.toLowerCase();
    const matches = (key: string) => key.toLowerCase().includes(needle) && key.toLowerCase() !== needle;
    const { collection, collections, mode } = options;
    const lookup = (idOrName: string) =>
        // the working copy wins over its saved self (self-relations of an edited collection)
        collection && (collection.id === idOrName || collection.name === idOrName)
            ? collection
            : collections.find((c) => c.id === idOrName || c.name === idOrName);
    const walk = { collections, lookup, matches };

    const fields: Suggestion[] = [];
    if (collection) collectFieldKeys(walk, collection, "", 0, fields);
    for (const key of options.extraKeys ?? []) if (matches(key)) fields.push({ key, detail: "" });
    const macros = MACROS.filter(matches).map((key) => ({ key, detail: "macro" }));

    const request: Suggestion[] = [];
    const joins: Suggestion[] = [];
    if (mode === "rule") {
        for (const key of REQUEST_KEYS) if (matches(key)) request.push({ key, detail: "" });
        for (const auth of collections) {
            if (auth.type === "auth" && !auth.system) collectFieldKeys(walk, auth, "@request.auth.", 0, request);
        }
        if (collection) collectFieldKeys(walk, collection, "@request.body.", 0, request);

        // Walking every collection is only worth it when the word can lead to `@collection.`.
        const joinPrefix = "@collection.";
        if (joinPrefix.includes(needle) || needle.startsWith(joinPrefix)) {
            for (const other of collections) {
                if (!other.system) collectFieldKeys(walk, other, `${joinPrefix}${other.name}.`, 0, joins);
            }
        }
    }

    const seen = new Set<string>();
    const result: Suggestion[] = [];
    for (const group of [fields, macros, request, joins]) {
        for (const item of [...group].sort((a, b) => a.key.length - b.key.length)) {
            if (seen.has(item.key)) continue;
            seen.add(item.key);
            result.push(item);
            if (result.length >= MAX_SUGGESTIONS) return result;
        }
    }
    return result;
}

interface Walk {
    collections: CollectionModel[];
    lookup: (idOrName: string) => CollectionModel | undefined;
    matches: (key: string) => boolean;
}

function isHidden(collection: CollectionModel, field: CollectionField): boolean {
    return field.type === "password" || (collection.type === "auth" && field.name === "tokenKey");
}

function isMultiple(field: CollectionField): boolean {
    return ["select", "file", "relation"].includes(field.type) && Number(field.maxSelect ?? 1) > 1;
}

function modifiers(field: CollectionField): string[] {
    if (["text", "editor", "email"].includes(field.type)) return ["lower"];
    if (isMultiple(field)) return ["each", "length"];
    return [];
}

function collectFieldKeys(walk: Walk, collection: CollectionModel, prefix: string, depth: number, out: Suggestion[]) {
    if (depth >= MAX_DEPTH) return;
    const fields = collection.fields ?? [];
    const add = (key: string, detail: string) => walk.matches(key) && out.push({ key, detail });

    if (!fields.some((f) => f.name === "id")) add(prefix + "id", "text");
    for (const field of fields) {
        if (isHidden(collection, field) || !field.name) continue;
        const name = prefix + field.name;
        add(name, field.type);
        if (field.type === "geoPoint") {
            add(name + ".lon", "number");
            add(name + ".lat", "number");
        }
        if (prefix === "@request.body.") {
            add(name + ":changed", "modifier");
            add(name + ":isset", "modifier");
        }
        for (const modifier of modifiers(field)) add(`${name}:${modifier}`, "modifier");

        if (field.type === "relation" && field.collectionId) {
            const target = walk.lookup(field.collectionId);
            if (target) collectFieldKeys(walk, target, name + ".", depth + 1, out);
        }
    }

    // Back-relations count double: they multiply quickly and are rarely nested deeply.
    if (!collection.id) return;
    for (const other of walk.collections) {
        for (const field of other.fields ?? []) {
            if (field.type !== "relation" || field.collectionId !== collection.id) continue;
            collectFieldKeys(walk, walk.lookup(other.id) ?? other, `${prefix}${other.name}_via_${field.name}.`, depth + 2, out);
        }
    }
}

/** The editor side: suggestions for the word before the cursor, replacing the whole word. */
export function filterCompletionSource(read: () => SuggestionOptions): CompletionSource {
    return (context: CompletionContext): CompletionResult | null => {
        const before = context.matchBefore(/[\w@#:.]+/);
        if (!before && !context.explicit) return null;
        // nothing to suggest inside a quoted text or a comment
        const node = syntaxTree(context.state).resolveInner(context.pos, -1);
        if (/string|comment/.test(node.name)) return null;

        const from = before?.from ?? context.pos;
        const line = context.state.doc.lineAt(context.pos);
        const rest = /^[\w@#:.]*/.exec(context.state.sliceDoc(context.pos, line.to))?.[0] ?? "";
        const list = suggest(before?.text ?? "", read());
        if (!list.length) return null;
        return {
            from,
            to: context.pos + rest.length,
            filter: false,
            options: list.map(({ key, detail }) => ({ label: key, detail: detail || undefined })),
        };
    };
}
