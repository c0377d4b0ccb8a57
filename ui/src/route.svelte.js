// Hash routing: `#/login`, `#/pbinstall/<token>`, `#/collections`.
export const route = $state({ path: "", params: [] });

function read() {
    const [path, ...params] = window.location.hash.replace(/^#\/?/, "").split("/");
    route.path = path;
    route.params = params;
}

window.addEventListener("hashchange", read);
read();

export function go(path) {
    window.location.hash = "#/" + path;
}
