// The loaded logs, newest first: pages of 50 ("Load older"), no total (the chart's sum is the
// total). Without a zoom, a reload bounds the list by its own time, so logs written meanwhile do
// not shift the later pages; the bulk selection.
import { SvelteSet } from "svelte/reactivity";
import { pb, isAbort } from "../../lib/api";
import { report } from "../../lib/errors.svelte";
import { joinFilters, timeFilter, type Log, type Zoom } from "./logs";

export const PER_PAGE = 50;

export class LogsListing {
    logs = $state<Log[]>([]);
    loading = $state(false);
    /** The last page came back full, so there may be older logs. */
    more = $state(false);
    selected = new SvelteSet<string>();

    #page = 0;
    #filter = "";

    /** The filter the list is loaded with (the time bound of the first load included). */
    get filter(): string {
        return this.#filter;
    }

    /** Loads the first page for `filters` and `zoom` again, or (without arguments) the next page. */
    async load(reset?: { filters: string[]; zoom: Zoom | null }): Promise<void> {
        if (reset) this.#filter = joinFilters([...reset.filters, timeFilter(reset.zoom, new Date())]);
        const page = reset ? 1 : this.#page + 1;
        this.loading = true;
        try {
            const result = await pb.logs.getList(page, PER_PAGE, {
                requestKey: "logs_list",
                skipTotal: true,
                sort: "-@rowid",
                filter: this.#filter,
            });
            const items = result.items as unknown as Log[];
            if (reset) {
                this.logs = items;
                this.selected.clear();
            } else {
                const known = new Set(this.logs.map((log) => log.id));
                this.logs.push(...items.filter((log) => !known.has(log.id)));
            }
            this.#page = page;
            this.more = items.length >= PER_PAGE;
            this.loading = false;
        } catch (err) {
            if (isAbort(err)) return;
            this.loading = false;
            if (reset) {
                this.logs = [];
                this.more = false;
            }
            report(err);
        }
    }

    toggleAll(): void {
        const all = this.logs.length > 0 && this.logs.every((log) => this.selected.has(log.id));
        if (all) this.selected.clear();
        else for (const log of this.logs) this.selected.add(log.id);
    }

    selection(): Log[] {
        return this.logs.filter((log) => this.selected.has(log.id)).map((log) => $state.snapshot(log) as Log);
    }
}
