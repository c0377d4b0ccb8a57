// The collection being edited and what the panel does to it: names (slugified), indexes (parsed,
// rebuilt, renamed with the table and the fields), new fields, the switch of type, duplicates,
// what a save sends and what it changes.
import type {
    AuthAlertConfig,
    CollectionField,
    CollectionModel,
    EmailTemplate,
    MFAConfig,
    OAuth2Config,
    OTPConfig,
    PasswordAuthConfig,
    TokenConfig,
} from "pocketbase";

type Rule = string | null;

/** A collection of any type, as the panel edits it (auth and view parts are there when the type has them). */
export interface Draft {
    id: string;
    name: string;
    type: "base" | "auth" | "view";
    system: boolean;
    created: string;
    updated: string;
    fields: CollectionField[];
    indexes: string[];
    listRule: Rule;
    viewRule: Rule;
    createRule: Rule;
    updateRule: Rule;
    deleteRule: Rule;
    viewQuery?: string;
    authRule: Rule;
    manageRule: Rule;
    authAlert: AuthAlertConfig;
    oauth2: OAuth2Config;
    passwordAuth: PasswordAuthConfig;
    mfa: MFAConfig;
    otp: OTPConfig;
    authToken: TokenConfig;
    passwordResetToken: TokenConfig;
    emailChangeToken: TokenConfig;
    verificationToken: TokenConfig;
    fileToken: TokenConfig;
    verificationTemplate: EmailTemplate;
    resetPasswordTemplate: EmailTemplate;
    confirmEmailChangeTemplate: EmailTemplate;
}

/** A saved field marked for removal: kept in the list (greyed, with Restore) until the save. */
export const TO_DELETE = "_toDelete";

export function clone<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

export function asDraft(collection: CollectionModel): Draft {
    return clone(collection) as unknown as Draft;
}

export function randomString(length: number): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

const accents: [RegExp, string][] = [
    [/[àáåâã]/gi, "a"],
    [/[ç]/gi, "c"],
    [/[èéêẽë]/gi, "e"],
    [/[ìíî]/gi, "i"],
    [/[ñ]/gi, "n"],
    [/[òóôø]/gi, "o"],
    [/[ùúůû]/gi, "u"],
    [/[äæ]/gi, "ae"],
    [/[ö]/gi, "oe"],
    [/[ü]/gi, "ue"],
    [/ß/g, "ss"],
    [/&/g, "and"],
];

/** PocketBase's slug of a collection or field name: letters, digits and `_`, spaces become `_`. */
export function slugify(text: string): string {
    let result = text;
    for (const [pattern, replacement] of accents) result = result.replace(pattern, replacement);
    return result.replace(/[^\w ]/g, "").replace(/\s+/g, "_");
}

// --- Indexes -------------------------------------------------------------------------------

export interface IndexColumn {
    name: string;
    collate: string;
    sort: string;
}

export interface ParsedIndex {
    unique: boolean;
    optional: boolean;
    schemaName: string;
    indexName: string;
    tableName: string;
    columns: IndexColumn[];
    where: string;
}

const unquote = (text: string) => text.replace(/^["'`[{]|["'`\]}]$/g, "");

export function parseIndex(sql: string): ParsedIndex {
    const result: ParsedIndex = { unique: false, optional: false, schemaName: "", indexName: "", tableName: "", columns: [], where: "" };
    const match = /create\s+(unique\s+)?\s*index\s*(if\s+not\s+exists\s+)?(\S*)\s+on\s+(\S*)\s*\(([\s\S]*)\)(?:\s*where\s+([\s\S]*))?/im.exec(
        (sql || "").trim(),
    );
    if (!match) return result;
    result.unique = !!match[1];
    result.optional = !!match[2]?.trim();
    const names = (match[3] || "").split(".");
    if (names.length === 2) [result.schemaName, result.indexName] = names.map(unquote);
    else result.indexName = unquote(names[0]);
    result.tableName = unquote(match[4] || "");
    // Commas inside an expression's parentheses do not separate columns.
    for (const raw of (match[5] || "").replace(/,(?=[^(]*\))/g, "\u0000").split(",")) {
        const column = raw.trim().replaceAll("\u0000", ",");
        const parts = /^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$/i.exec(column);
        const name = parts ? unquote(parts[1].trim()) : "";
        if (name) result.columns.push({ name, collate: parts?.[2] ?? "", sort: parts?.[3]?.toUpperCase() ?? "" });
    }
    result.where = match[6] || "";
    return result;
}

export function buildIndex(index: ParsedIndex): string {
    let sql = "CREATE " + (index.unique ? "UNIQUE " : "") + "INDEX " + (index.optional ? "IF NOT EXISTS " : "");
    if (index.schemaName) sql += `\`${index.schemaName}\`.`;
    sql += `\`${index.indexName || "idx_" + randomString(10)}\` ON \`${index.tableName}\` (`;
    const columns = index.columns
        .filter((column) => column.name)
        .map((column) => {
            // An expression is written as it is; a plain column is quoted.
            let item = /[( ]/.test(column.name) ? column.name : "`" + column.name + "`";
            if (column.collate) item += " COLLATE " + column.collate;
            if (column.sort) item += " " + column.sort;
            return item;
        });
    sql += columns.length > 1 ? "\n  " + columns.join(",\n  ") + "\n" : columns.join("");
    sql += ")";
    if (index.where) sql += ` WHERE ${index.where}`;
    return sql;
}

export function withTable(sql: string, tableName: string): string {
    return buildIndex({ ...parseIndex(sql), tableName });
}

/** The index with a column renamed (a field's rename), or as it was when it has no such column. */
export function renameIndexColumn(sql: string, from: string, to: string): string {
    const parsed = parseIndex(sql);
    if (!parsed.columns.some((column) => column.name.toLowerCase() === from.toLowerCase())) return sql;
    for (const column of parsed.columns) if (column.name.toLowerCase() === from.toLowerCase()) column.name = to;
    return buildIndex(parsed);
}

/** "Unique: email" / "title, created", as the chips show an index. */
export function indexLabel(sql: string): string {
    const parsed = parseIndex(sql);
    const columns = parsed.columns.map((column) => column.name).join(", ") || parsed.indexName;
    return (parsed.unique ? "Unique: " : "") + columns;
}

// --- Fields --------------------------------------------------------------------------------

export function uniqueFieldName(fields: CollectionField[], base: string): string {
    const taken = (name: string) => fields.some((field) => field.name.toLowerCase() === name.toLowerCase());
    const suffix = base.match(/\d+$/)?.[0] ?? "";
    const stem = suffix ? base.slice(0, -suffix.length) : base;
    let name = base;
    for (let counter = 2; taken(name); counter++) name = stem + (Number(suffix || 0) + counter);
    return name;
}

/** A new field of `type`, inserted before the trailing autodate fields (`created`, `updated`). */
export function addField(draft: Draft, type: string): CollectionField {
    const field: CollectionField = {
        id: "",
        name: uniqueFieldName(draft.fields, type),
        type,
        system: false,
        hidden: false,
        presentable: false,
        required: false,
    };
    if (type === "autodate") Object.assign(field, { onCreate: true, onUpdate: false });
    if (type === "select") Object.assign(field, { values: [], maxSelect: 1 });
    if (type === "file") Object.assign(field, { maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false });
    if (type === "relation") Object.assign(field, { collectionId: "", maxSelect: 1, minSelect: 0, cascadeDelete: false });
    let last = draft.fields.length - 1;
    while (last >= 0 && draft.fields[last].type === "autodate") last--;
    if (type !== "autodate") draft.fields.splice(last + 1, 0, field);
    else draft.fields.push(field);
    return draft.fields.find((f) => f.name === field.name)!;
}

/** Renames a field inside the indexes and the auth identity fields. */
export function renameField(draft: Draft, from: string, to: string): void {
    if (!from || !to || from === to) return;
    draft.indexes = draft.indexes.map((sql) => renameIndexColumn(sql, from, to));
    if (draft.passwordAuth?.identityFields) {
        draft.passwordAuth.identityFields = draft.passwordAuth.identityFields.map((name) => (name === from ? to : name));
    }
}

/** The base scaffold with the usual `created` and `updated` fields. */
export function newCollection(scaffolds: Record<string, CollectionModel>): Draft {
    const draft = scaffolds.base ? asDraft(scaffolds.base) : ({ type: "base", name: "", fields: [], indexes: [] } as unknown as Draft);
    draft.fields.push({ id: "", name: "created", type: "autodate", system: false, hidden: false, presentable: false, onCreate: true, onUpdate: false });
    draft.fields.push({ id: "", name: "updated", type: "autodate", system: false, hidden: false, presentable: false, onCreate: true, onUpdate: true });
    return draft;
}

/**
 * The draft switched to another type: the new type's scaffold underneath (its system fields and
 * indexes), the custom fields kept, indexes on fields that are gone dropped.
 */
export function switchType(draft: Draft, scaffold: CollectionModel): Draft {
    const next = Object.assign(asDraft(scaffold), clone(draft), { type: scaffold.type }) as Draft;
    const fresh = asDraft(scaffold);
    const fields = fresh.fields.map((field) => {
        const old = draft.fields.find((f) => f.system && f.name === field.name);
        return old ? Object.assign(field, old) : field;
    });
    next.fields = [...fields, ...clone(draft.fields.filter((field) => !field.system))];
    const scaffoldNames = new Set(fresh.indexes.map((sql) => parseIndex(sql).indexName.toLowerCase()));
    const names = new Set(next.fields.map((field) => field.name.toLowerCase()));
    const kept = (draft.indexes ?? []).filter((sql) => {
        const parsed = parseIndex(sql);
        return !scaffoldNames.has(parsed.indexName.toLowerCase()) && parsed.columns.every((column) => names.has(column.name.toLowerCase()));
    });
    next.indexes = [...kept, ...fresh.indexes].map((sql) => withTable(sql, next.name || ""));
    // Parts of the old type that the new one has no use for.
    if (next.type !== "view") delete next.viewQuery;
    return next;
}

/** An unsaved copy of a saved collection: `<name>_duplicate`, new field ids, new index names. */
export function duplicate(original: Draft): Draft {
    const copy = clone(original);
    copy.id = "";
    copy.system = false;
    copy.name = original.name + "_duplicate";
    copy.created = "";
    copy.updated = "";
    for (const field of copy.fields) field.id = "";
    copy.indexes = copy.indexes.map((sql) => {
        const parsed = parseIndex(sql);
        return buildIndex({ ...parsed, indexName: parsed.indexName + randomString(3), tableName: copy.name });
    });
    return copy;
}

/** What a save sends: the whole collection without the fields marked for removal. */
export function payload(draft: Draft): Draft {
    const body = clone(draft);
    body.fields = body.fields.filter((field) => !field[TO_DELETE]);
    return body;
}

/** The position of a field in what a save sends (where the API's `fields.N` errors point). */
export function payloadIndex(draft: Draft, field: CollectionField): number {
    return draft.fields.filter((f) => !f[TO_DELETE]).indexOf(field);
}

// --- The change review before a PATCH ----------------------------------------------------

export interface Review {
    renamedCollection: { from: string; to: string } | null;
    renamedFields: { from: string; to: string }[];
    deletedFields: string[];
    toSingle: string[];
}

export function review(original: Draft, draft: Draft): Review {
    const result: Review = { renamedCollection: null, renamedFields: [], deletedFields: [], toSingle: [] };
    if (!original.id) return result;
    if (original.name !== draft.name) result.renamedCollection = { from: original.name, to: draft.name };
    for (const old of original.fields) {
        const now = draft.fields.find((field) => field.id && field.id === old.id);
        if (!now || now[TO_DELETE]) {
            result.deletedFields.push(old.name);
            continue;
        }
        if (now.name !== old.name) result.renamedFields.push({ from: old.name, to: now.name });
        if ((old.maxSelect ?? 0) > 1 && (now.maxSelect ?? 0) <= 1) result.toSingle.push(now.name);
    }
    return result;
}

export function isRisky(found: Review): boolean {
    return !!found.renamedCollection || found.renamedFields.length + found.deletedFields.length + found.toSingle.length > 0;
}
