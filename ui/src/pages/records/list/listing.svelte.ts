// The loaded part of a collection's records: pages of 40 fetched on demand ("Load more", never
// everything), the total from a separate light request, the bulk selection, and whether the list
// may be stale after an edit made through the record panel.
import type { CollectionModel, RecordModel } from "pocketbase";
import { SvelteSet } from "svelte/reactivity";
import { pb, isAbort } from "../../../lib/api";
import { report } from "../../../lib/errors.svelte";
import { PER_PAGE, apiSort, expandFields, parseSort, searchFilter } from "./query";

export class Listing {
    records = $state<RecordModel[]>([]);
    loading = $state(false);
    /** The last page came back full, so there may be more. */
    more = $state(false);
    total = $state<number | null>(null);
    counting = $state(false);
    stale = $state(false);
    selected = new SvelteSet<string>();

    #page = 0;
    #filter = "";
    #sort = "";
    // A getter: the collection object is replaced when it is edited (new fields, relations).
    readonly #current: () => CollectionModel;

    constructor(collection: () => CollectionModel) {
        this.#current = collection;
    }

    get #collection(): CollectionModel {
        return this.#current();
    }

    get #key(): string {
        return "records_list_" + this.#collection.id;
    }

    /** Loads the first page again (with the total), or the next one. */
    async load(reset: boolean, filter = this.#filter, sort = this.#sort): Promise<void> {
        if (reset) {
            this.#filter = filter;
            this.#sort = sort;
            this.stale = false;
            this.count();
        }
        const collection = this.#collection;
        const page = reset ? 1 : this.#page + 1;
        this.loading = true;
        try {
            const result = await pb.collection(collection.id).getList(page, PER_PAGE, {
                requestKey: this.#key,
                skipTotal: true,
                filter: searchFilter(this.#filter, collection) || undefined,
                sort: apiSort(collection, this.#sort),
                expand: expandFields(collection).join(",") || undefined,
            });
            if (reset) {
                this.records = result.items;
                this.selected.clear();
            } else {
                const known = new Set(this.records.map((record) => record.id));
                this.records.push(...result.items.filter((record) => !known.has(record.id)));
            }
            this.#page = page;
            this.more = result.items.length >= PER_PAGE;
            this.loading = false;
        } catch (err) {
            if (isAbort(err)) return;
            this.loading = false;
            if (reset) {
                this.records = [];
                this.more = false;
            }
            report(err);
        }
    }

    async count(): Promise<void> {
        this.counting = true;
        try {
            const result = await pb.collection(this.#collection.id).getList(1, 1, {
                requestKey: "records_total_" + this.#collection.id,
                filter: searchFilter(this.#filter, this.#collection) || undefined,
                fields: "id",
            });
            this.total = result.totalItems;
            this.counting = false;
        } catch (err) {
            if (isAbort(err)) return;
            this.counting = false;
            report(err);
        }
    }

    /** After the record panel saved: merge into its row, or reload for a new record. A filter or
     *  a changed sort value may have moved it, which the refresh button then suggests. */
    saved(record: RecordModel): void {
        const row = this.records.find((entry) => entry.id === record.id);
        if (!row) {
            this.load(true);
            return;
        }
        const sortField = parseSort(this.#sort)?.field;
        if (this.#filter || (sortField && JSON.stringify(row[sortField]) !== JSON.stringify(record[sortField]))) this.stale = true;
        Object.assign(row, record);
        // The related records' summaries come from `expand`, which the saved record lacks.
        const expand = expandFields(this.#collection).join(",");
        if (!expand) return;
        pb.collection(this.#collection.id)
            .getOne(record.id, { expand, requestKey: null })
            .then((fresh) => Object.assign(row, { expand: fresh.expand ?? {} }))
            .catch((err) => isAbort(err) || report(err));
    }

    removed(ids: string[]): void {
        const gone = new Set(ids);
        this.records = this.records.filter((record) => !gone.has(record.id));
        for (const id of ids) this.selected.delete(id);
        if (this.total !== null) this.total = Math.max(0, this.total - ids.length);
        if (!this.records.length) this.load(true);
    }

    toggleAll(): void {
        const all = this.records.length > 0 && this.records.every((record) => this.selected.has(record.id));
        if (all) this.selected.clear();
        else for (const record of this.records) this.selected.add(record.id);
    }

    /** The selected records as loaded, without their expands. */
    selection(): RecordModel[] {
        return this.records
            .filter((record) => this.selected.has(record.id))
            .map((record) => {
                const copy: RecordModel = { ...$state.snapshot(record) };
                delete copy.expand;
                return copy;
            });
    }
}
