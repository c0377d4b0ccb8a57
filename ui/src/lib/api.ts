// The one API client: the official SDK against the server that serves the dashboard (/_/ → /).
// The session lives where PocketBase's dashboard keeps it (`__pb_superusers__` + the page path),
// so a browser moving between the two dashboards stays signed in.
import PocketBase, { ClientResponseError, LocalAuthStore } from "pocketbase";

const root = new URL("..", window.location.href).href.replace(/\/$/, "");
const storeKey = "__pb_superusers__" + window.location.pathname.replace(/\/$/, "");

export const pb = new PocketBase(root, new LocalAuthStore(storeKey));

pb.beforeSend = (url, options) => {
    options.headers = { ...(options.headers as Record<string, string>), "x-request-source": "pbui" };
    return { url, options };
};

// A 401 while signed in means the session is over (expired, the superuser deleted, the IP no
// longer allowed): cancel what is pending and sign out; the app then shows the sign-in page.
pb.afterSend = (response, data) => {
    if (response.status === 401 && pb.authStore.isValid) {
        pb.cancelAllRequests();
        pb.authStore.clear();
    }
    return data;
};

export function signedIn(): boolean {
    return pb.authStore.isValid && pb.authStore.isSuperuser;
}

/** A client of its own, for pages that must not touch the superuser's session. */
export function anonymousClient(): PocketBase {
    return new PocketBase(root, new LocalAuthStore("__pb_anonymous__"));
}

export function isAbort(err: unknown): boolean {
    return err instanceof ClientResponseError && err.isAbort;
}
