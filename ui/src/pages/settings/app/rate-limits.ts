// Rate limit rules: the label suggestions and PocketBase's order (most specific first), which is
// also the order the server tries them in.
import type { CollectionModel } from "pocketbase";

export interface RateLimitRule {
    label: string;
    maxRequests: number;
    duration: number;
    audience: "" | "@guest" | "@auth";
}

/** The collection actions a tag can name (`<collection>:<action>`), with what some mean. */
export const ACTIONS: [string, string?][] = [
    ["list"],
    ["view"],
    ["create"],
    ["update"],
    ["delete"],
    ["file", "targets the files download endpoint"],
    ["listAuthMethods"],
    ["authRefresh"],
    ["auth", "targets all auth methods"],
    ["authWithPassword"],
    ["authWithOAuth2"],
    ["authWithOTP"],
    ["requestOTP"],
    ["requestPasswordReset"],
    ["confirmPasswordReset"],
    ["requestVerification"],
    ["confirmVerification"],
    ["requestEmailChange"],
    ["confirmEmailChange"],
];
const WRITE = ["create", "update", "delete"];
const AUTH = new Set(ACTIONS.map(([action]) => action).slice(6));

/** Common path labels (prefixes end with "/"). */
export const PATHS = ["/api/", "/api/batch", "/api/collections/", "/api/files/", "/api/realtime", "POST /api/"];

/** Label suggestions: each collection's own tags, then the wildcard ones, then the paths. */
export function labelSuggestions(collections: CollectionModel[]): string[] {
    const tags: string[] = [];
    for (const collection of collections) {
        if (collection.system) continue;
        for (const [action] of ACTIONS) {
            if (WRITE.includes(action) && collection.type === "view") continue;
            if (AUTH.has(action) && collection.type !== "auth") continue;
            if (action === "file" && !collection.fields.some((field) => field.type === "file")) continue;
            tags.push(`${collection.name}:${action}`);
        }
    }
    return [...tags, ...ACTIONS.map(([action]) => `*:${action}`), ...PATHS];
}

function priority(label: string): number {
    const tag = label.includes(":") || !label.includes("/");
    if (tag) return label.startsWith("*") ? 1005 : 1010;
    return (label.includes(" /") ? 10 : 0) + (label.endsWith("/") ? 0 : 5);
}

/** Sorts in place: exact tags, wildcard tags, METHOD + exact path, METHOD + prefix (longer
 * first), exact path, prefix path (longer first). */
export function sortRules(rules: RateLimitRule[]): RateLimitRule[] {
    return rules.sort((a, b) => {
        const byKind = priority(b.label) - priority(a.label);
        if (byKind) return byKind;
        const prefixes = a.label.endsWith("/") && b.label.endsWith("/") && !a.label.includes(":") && !b.label.includes(":");
        return prefixes ? b.label.length - a.label.length : 0;
    });
}
