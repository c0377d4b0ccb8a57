// What every screen shares while a superuser is signed in: the collections, the scaffolds of new
// ones, the settings and the OAuth2 providers. Other tabs hear of changes (BroadcastChannel
// `tabsSync`) and reload theirs.
import type { CollectionModel } from "pocketbase";
import { pb, isAbort } from "./api";
import { report } from "./errors.svelte";

export interface OAuth2ProviderInfo {
    name: string;
    displayName: string;
    logo: string;
    [option: string]: unknown;
}

export const app = $state({
    collections: [] as CollectionModel[],
    scaffolds: {} as Record<string, CollectionModel>,
    settings: null as Record<string, any> | null,
    providers: [] as OAuth2ProviderInfo[],
    loaded: false,
});

const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("tabsSync") : null;

export async function loadCollections(): Promise<void> {
    try {
        app.collections = await pb.collections.getFullList({ batch: 1000, requestKey: "loadCollections" });
    } catch (err) {
        if (!isAbort(err)) report(err);
    }
}

export async function loadSettings(): Promise<void> {
    try {
        app.settings = await pb.settings.getAll({ requestKey: "loadSettings" });
        localStorage.setItem("pbSettings", JSON.stringify({ meta: app.settings?.meta ?? {} }));
    } catch (err) {
        if (!isAbort(err)) report(err);
    }
}

export async function loadScaffolds(): Promise<void> {
    try {
        app.scaffolds = await pb.collections.getScaffolds({ requestKey: "loadScaffolds" });
    } catch (err) {
        if (!isAbort(err)) report(err);
    }
}

async function loadProviders(): Promise<void> {
    try {
        app.providers = await pb.send("/api/collections/meta/oauth2-providers", { requestKey: "loadProviders" });
    } catch (err) {
        if (!isAbort(err)) report(err);
    }
}

export async function loadShared(): Promise<void> {
    await Promise.all([loadCollections(), loadSettings(), loadScaffolds(), loadProviders()]);
    app.loaded = true;
}

export function forgetShared(): void {
    app.collections = [];
    app.settings = null;
    app.loaded = false;
}

/** After this tab changed collections or settings: tell the others. */
export function announce(what: "collections" | "settings" | "theme"): void {
    channel?.postMessage(what);
}

channel?.addEventListener("message", (event) => {
    if (!pb.authStore.isValid) return;
    if (event.data === "collections") loadCollections();
    if (event.data === "settings") loadSettings();
});

/** The application name as last seen, also before the settings load (for the title). */
export function appName(): string {
    if (app.settings?.meta?.appName) return app.settings.meta.appName;
    try {
        return JSON.parse(localStorage.getItem("pbSettings") ?? "{}")?.meta?.appName || "pocketlite";
    } catch {
        return "pocketlite";
    }
}

// Sidebar order: auth, base, view; by name within a type, `_`-prefixed (system) names last.
const typeOrder: Record<string, number> = { auth: 0, base: 1, view: 2 };
export function sortCollections(list: CollectionModel[]): CollectionModel[] {
    return [...list].sort(
        (a, b) =>
            (typeOrder[a.type] ?? 9) - (typeOrder[b.type] ?? 9) ||
            Number(a.name.startsWith("_")) - Number(b.name.startsWith("_")) ||
            a.name.localeCompare(b.name),
    );
}

export function findCollection(idOrName: string): CollectionModel | undefined {
    return app.collections.find((c) => c.id === idOrName || c.name === idOrName);
}
