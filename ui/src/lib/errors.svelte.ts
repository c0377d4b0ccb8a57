// The one error routine (as PocketBase's dashboard): the API's message as a toast, its `data`
// kept as the current field errors by dotted path (`fields.3.name`, `oauth2.providers.0.clientId`)
// for the inputs to show, and — through the client — sign-out on 401.
import { ClientResponseError } from "pocketbase";
import { failure } from "./toasts.svelte";

export const fieldErrors = $state<{ map: Record<string, string> }>({ map: {} });

interface ApiError {
    code?: unknown;
    message?: unknown;
}

function flatten(data: unknown, prefix: string, into: Record<string, string>): void {
    if (!data || typeof data !== "object") return;
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
        const path = prefix + key;
        const error = value as ApiError;
        if (error && typeof error.code === "string" && typeof error.message === "string") into[path] = error.message;
        else flatten(value, path + ".", into);
    }
}

/** Reports a failed call; returns the API's message (or a generic one). */
export function report(err: unknown, { quiet = false } = {}): string {
    if (err instanceof ClientResponseError && err.isAbort) return "";
    const response = err instanceof ClientResponseError ? err.response : {};
    const message =
        (typeof response?.message === "string" && response.message) ||
        (err instanceof Error && !(err instanceof ClientResponseError) && err.message) ||
        "Something went wrong while processing your request.";
    const map: Record<string, string> = {};
    flatten(response?.data, "", map);
    fieldErrors.map = map;
    if (!quiet) failure(message);
    return message;
}

export function errorAt(path: string): string {
    return fieldErrors.map[path] ?? "";
}

/** Whether any error sits at `prefix` or below it (tabs and accordions show a red mark). */
export function errorsUnder(prefix: string): boolean {
    return Object.keys(fieldErrors.map).some((path) => path === prefix || path.startsWith(prefix + "."));
}

export function clearError(path: string): void {
    if (path in fieldErrors.map) delete fieldErrors.map[path];
}

export function clearErrors(): void {
    fieldErrors.map = {};
}
