// Hash routing: `#/<path>/<params…>?<query>`, e.g. `#/collections?collection=posts&record=abc`.
// The query follows the screen's state (replaced, not pushed) so any view can be linked.

export type Query = Record<string, string>;

export const route = $state({ path: "", params: [] as string[], query: {} as Query });

function read(): void {
    const hash = window.location.hash.replace(/^#\/?/, "");
    const at = hash.indexOf("?");
    const [path = "", ...params] = (at < 0 ? hash : hash.slice(0, at)).split("/");
    route.path = path;
    route.params = params.map(decodeURIComponent);
    route.query = Object.fromEntries(new URLSearchParams(at < 0 ? "" : hash.slice(at + 1)));
}

window.addEventListener("hashchange", read);
read();

function address(path: string, query: Query): string {
    const search = new URLSearchParams(query).toString();
    return "#/" + path + (search ? "?" + search : "");
}

export function go(path: string, query: Query = {}): void {
    window.location.hash = address(path, query);
}

/** Changes part of the query without a new history entry (null removes a key). */
export function setQuery(patch: Record<string, string | null | undefined>): void {
    const query: Query = { ...route.query };
    for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === undefined || value === "") delete query[key];
        else query[key] = value;
    }
    const path = [route.path, ...route.params.map(encodeURIComponent)].join("/");
    window.history.replaceState(window.history.state, "", address(path, query));
    route.query = query;
}

/** The address of a route, for links that open in a new tab (middle click). */
export function href(path: string, query: Query = {}): string {
    return address(path, query);
}
