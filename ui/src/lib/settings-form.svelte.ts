// One settings page's form (PocketBase's): the page's part of `GET /api/settings` as a draft,
// whether it changed, Cancel, and Save — a `PATCH /api/settings` with that part only. Secrets
// are never returned by the API: their inputs start empty and are only sent when typed.
import { pb } from "./api";
import { report, clearErrors } from "./errors.svelte";
import { success } from "./toasts.svelte";
import { app, announce } from "./store.svelte";

type Part = Record<string, any>;

export class SettingsForm {
    loading = $state(true);
    saving = $state(false);
    draft = $state<Part>({});
    #original = $state("{}");

    /** `keys`: the top-level settings keys the page edits (e.g. ["meta", "batch"]). */
    constructor(readonly keys: string[]) {
        this.load();
    }

    get changed(): boolean {
        return JSON.stringify(this.draft) !== this.#original;
    }

    async load(): Promise<void> {
        this.loading = true;
        try {
            this.#take(await pb.settings.getAll({ requestKey: null }));
        } catch (err) {
            report(err);
        } finally {
            this.loading = false;
        }
    }

    #take(settings: Part): void {
        const part = Object.fromEntries(this.keys.map((key) => [key, structuredClone(settings[key])]));
        this.draft = part;
        this.#original = JSON.stringify(part);
        app.settings = settings;
    }

    cancel(): void {
        this.draft = JSON.parse(this.#original);
        clearErrors();
    }

    /** Saves the page's part; `message` is the success toast. Returns whether it saved. */
    async save(message = "Successfully saved application settings."): Promise<boolean> {
        if (this.saving) return false;
        this.saving = true;
        try {
            const body = dropEmptySecrets(structuredClone($state.snapshot(this.draft)) as Part);
            this.#take(await pb.settings.update(body, { requestKey: null }));
            clearErrors();
            announce("settings");
            success(message);
            return true;
        } catch (err) {
            report(err);
            return false;
        } finally {
            this.saving = false;
        }
    }
}

// The API keeps a secret that is not sent; an empty secret input means "unchanged" unless the
// page put `null` there on purpose (Backspace in an empty secret input clears the secret).
const SECRET_KEYS = new Set(["password", "secret"]);
function dropEmptySecrets(part: Part): Part {
    for (const [key, value] of Object.entries(part)) {
        if (SECRET_KEYS.has(key) && value === "") delete part[key];
        else if (SECRET_KEYS.has(key) && value === null) part[key] = "";
        else if (value && typeof value === "object" && !Array.isArray(value)) dropEmptySecrets(value);
    }
    return part;
}
